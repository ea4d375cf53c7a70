"""Who may call an API view: the same roles and object rules as the pages.

Every API view declares, like a page view (:mod:`klaster.accounts.permissions`), either
``klaster_public = True`` or ``klaster_roles = (…)`` — and these are taken from the page the
endpoint mirrors (e.g. :data:`klaster.programmes.views.VIEWERS`), so the API can never be wider
than the page. ``tests/accounts/test_permissions.py`` reads the same markers. Objects are limited
twice: the view's queryset is built by the page's own query function (e.g.
:func:`klaster.programmes.rules.programmes_for`), and each object is checked with the page's
django-rules predicate (``object_rule``) before it is shown.
"""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from klaster.accounts.roles import has_role


def view_roles(view) -> tuple[str, ...] | None:
    """The role codes a view declares (``("*",)``: any logged-in user); None for a public view."""
    if getattr(view, "klaster_public", False):
        return None
    return tuple(getattr(r, "value", r) for r in getattr(view, "klaster_roles", ()) or ())


class KlasterPermission(BasePermission):
    """Grants a request when the view is public, or the user is logged in (session or token) and
    holds one of the view's roles; an object when the view's ``object_rule`` (a django-rules
    predicate ``(user, obj) -> bool``) holds. A view that declares nothing is closed."""

    def has_permission(self, request, view) -> bool:
        roles = view_roles(view)
        if roles is None:
            return True
        user = request.user
        if not roles or user is None or not user.is_authenticated:
            return False
        return "*" in roles or has_role(user, *roles)

    def has_object_permission(self, request, view, obj) -> bool:
        rule = getattr(view, "object_rule", None)
        if rule is None:
            return True
        return bool(rule.test(request.user, obj))
