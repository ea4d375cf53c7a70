from django import forms
from django.contrib import admin
from django.template import Template, TemplateSyntaxError
from django.utils.translation import gettext_lazy as _

from klaster.notices.models import Notice, NoticeTemplate, Preference


class NoticeTemplateForm(forms.ModelForm):
    """Each text must compile as a Django template (an error names the field and the problem)."""

    class Meta:
        model = NoticeTemplate
        fields = ["subject_kk", "subject_ru", "subject_en", "body_kk", "body_ru", "body_en"]

    def clean(self):
        d = super().clean()
        for name, text in list(d.items()):
            try:
                Template(text or "")
            except TemplateSyntaxError as e:
                self.add_error(name, _("The text does not compile: %(error)s") % {"error": e})
        return d


@admin.register(NoticeTemplate)
class NoticeTemplateAdmin(admin.ModelAdmin):
    form = NoticeTemplateForm
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
