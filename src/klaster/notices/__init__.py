"""Notices (issue 10): one notification path for the whole product — in the app (the inbox at
``/notices/`` with the unread count in the header) and by e-mail through the outbox the worker
sends, with retries. Driven by the audit trail (:mod:`klaster.notices.receivers`) and by the
schedules (:mod:`klaster.notices.schedules`); see docs/operations.md, "Notices".
"""
