from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegisterConfig(AppConfig):
    name = "klaster.register"
    label = "register"
    verbose_name = _("Register of clusters")
    default_auto_field = "django.db.models.BigAutoField"
