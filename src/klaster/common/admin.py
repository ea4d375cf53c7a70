from django.contrib import admin

from klaster.common import audit
from klaster.common.models import AuditEntry, CalendarException


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit trail, read-only for administrators."""

    list_display = ("at", "actor_label", "action", "object_type", "object_id", "object_repr")
    list_filter = ("action", "object_type")
    search_fields = ("actor_label", "object_repr", "object_id", "note")
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CalendarException)
class CalendarExceptionAdmin(admin.ModelAdmin):
    """Working-day exceptions; every change is audited."""

    list_display = ("day", "working", "note")

    def save_model(self, request, obj, form, change):
        before = audit.snapshot(type(obj).objects.get(pk=obj.pk)) if change else {}
        super().save_model(request, obj, form, change)
        audit.record(actor=request.user, action="calendar.exception." + ("change" if change else "add"), obj=obj, before=before)

    def delete_model(self, request, obj):
        audit.record(actor=request.user, action="calendar.exception.delete", obj=obj, changes={"deleted": [audit.snapshot(obj), None]})
        super().delete_model(request, obj)
