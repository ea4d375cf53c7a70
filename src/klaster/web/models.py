"""The data versions of :mod:`klaster.web.cache`."""

from django.db import models


class DataVersion(models.Model):
    """The current data version of one area of :data:`klaster.web.cache.AREAS`: a random token the
    database replaces on every write to the area's tables (triggers of
    :func:`klaster.web.cache.install_triggers`). Not a user-facing record: no audit, no admin."""

    area = models.CharField(max_length=40, primary_key=True)
    token = models.CharField(max_length=32)

    class Meta:
        db_table = "web_dataversion"

    def __str__(self) -> str:
        return f"{self.area}: {self.token}"
