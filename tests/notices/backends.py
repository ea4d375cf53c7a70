"""E-mail backends of the tests: a mail server that is down, and one that is down a few times."""

from __future__ import annotations

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocMem


class DownBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError(111, "Connection refused")


class Flaky(LocMem):
    """Refuses while ``Flaky.down`` is true, then delivers to ``mail.outbox``."""

    down = True

    def send_messages(self, messages):
        if Flaky.down:
            raise TimeoutError("timed out")
        return super().send_messages(messages)
