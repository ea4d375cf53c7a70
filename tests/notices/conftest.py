"""Fixtures of the notices tests: users with an e-mail address and a chosen notice language."""

from __future__ import annotations


from tests.conftest import make_user


def notice_user(username, *roles, language=None, email=True, **profile):
    """A user holding ``roles`` with an address and, when given, the notice language chosen the way
    a user chooses it (:func:`klaster.notices.service.set_language`)."""
    from klaster.notices import service

    u = make_user(username, *roles, **profile)
    if email:
        u.email = f"{username}@example.kz"
        u.save(update_fields=["email"])
    if language:
        service.set_language(actor=u, language=language)
    return u
