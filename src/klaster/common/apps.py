from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "klaster.common"
    label = "common"
    default_auto_field = "django.db.models.BigAutoField"
