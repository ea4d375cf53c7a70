from django.contrib import admin

from klaster.notices.models import Notice, NoticeTemplate, Preference


@admin.register(NoticeTemplate)
class NoticeTemplateAdmin(admin.ModelAdmin):
    list_display = ("kind", "subject_ru", "updated_at")
    search_fields = ("kind", "subject_ru", "subject_kk", "subject_en")


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ("created_at", "recipient", "kind", "clause", "language", "email_state", "attempts", "next_try_at", "read_at")
    list_filter = ("kind", "email_state", "language")
    search_fields = ("subject", "recipient__username", "email_to")
    readonly_fields = [f.name for f in Notice._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "language")
