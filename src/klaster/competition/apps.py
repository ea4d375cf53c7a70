from django.apps import AppConfig


class CompetitionConfig(AppConfig):
    name = "klaster.competition"
    label = "competition"
    default_auto_field = "django.db.models.BigAutoField"
