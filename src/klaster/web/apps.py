from django.apps import AppConfig
from django.db.models.signals import post_migrate


class WebConfig(AppConfig):
    name = "klaster.web"
    label = "web"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from klaster.web.cache import on_post_migrate

        # After every migrate (the test database's too): the data-version triggers of the page cache.
        post_migrate.connect(on_post_migrate, sender=self, dispatch_uid="klaster.web.cache.install_triggers")
