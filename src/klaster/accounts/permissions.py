"""Permission checks for views: every view states which roles may use it.

Use :func:`role_required` on function views, :class:`RoleRequiredMixin` on class views, and
:func:`public` to mark the few views anyone may see (home, public register, announcements,
results, login). ``tests/accounts/test_permissions.py`` walks every URL pattern and fails when a
view carries no marker, so a view cannot be added without deciding who may use it. Object-level
checks (this expert, this application) are done in the view with the app's ``rules.py``
predicates, after the role check.
"""

from __future__ import annotations

import functools

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from klaster.accounts.roles import Role, has_role


def _deny(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied


def role_required(*roles: Role | str):
    """Decorator: the user must be logged in and hold one of ``roles``.

    Anonymous users are redirected to the login page; logged-in users without the role get 403.
    """
    if not roles:
        raise ValueError("role_required needs at least one role")

    def deco(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated or not has_role(request.user, *roles):
                return _deny(request)
            return view(request, *args, **kwargs)

        wrapped.klaster_roles = tuple(r.value if isinstance(r, Role) else r for r in roles)
        return wrapped

    return deco


def login_required_any_role(view):
    """Decorator: any logged-in user (e.g. "my account" pages)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return _deny(request)
        return view(request, *args, **kwargs)

    wrapped.klaster_roles = ("*",)
    return wrapped


def public(view):
    """Mark a view as public (no login needed). Use only for pages the public may read."""
    view.klaster_public = True
    return view


class RoleRequiredMixin:
    """Class-based-view mixin: set ``roles = (Role.ORGANIZER, …)``."""

    roles: tuple = ()

    def dispatch(self, request, *args, **kwargs):
        if not self.roles:
            raise PermissionDenied
        if not request.user.is_authenticated or not has_role(request.user, *self.roles):
            return _deny(request)
        return super().dispatch(request, *args, **kwargs)
