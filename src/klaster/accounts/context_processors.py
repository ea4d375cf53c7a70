"""Template context: the roles of the current user."""


def roles(request):
    """Add ``user_roles`` (a set of role codes, see :mod:`klaster.accounts.roles`) to every template."""
    from klaster.accounts.roles import roles_of

    return {"user_roles": roles_of(getattr(request, "user", None))}
