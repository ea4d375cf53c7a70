from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "klaster.notices"
    label = "notices"
    verbose_name = _("Notices")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate, post_save

        from klaster.common.models import AuditEntry
        from klaster.notices import receivers, schedules

        post_save.connect(receivers.on_audit_entry, sender=AuditEntry, dispatch_uid="klaster.notices.audit")
        post_migrate.connect(schedules.after_migrate, sender=self, dispatch_uid="klaster.notices.after_migrate")
