from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    name = "klaster.common"
    label = "common"
    verbose_name = _("Common services")
    default_auto_field = "django.db.models.BigAutoField"
