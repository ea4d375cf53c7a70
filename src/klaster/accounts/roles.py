"""Roles of klaster users (product.md, "Who uses it").

A role is a Django group whose name is the role code; a user may hold several roles. Role
codes are stable identifiers used in permission rules; labels are translated.
"""

from __future__ import annotations

import enum

from django.utils.translation import gettext_lazy as _


class Role(str, enum.Enum):
    """The roles. Values are the Django group names."""

    ORGANIZER = "organizer"
    ANALYST = "analyst"
    EXPERT = "expert"
    AKIMAT = "akimat"
    AUTHORIZED_BODY = "authorized_body"
    REGIONAL_BODY = "regional_body"
    COMMISSION_SECRETARY = "commission_secretary"
    APPLICANT = "applicant"
    ADMINISTRATOR = "administrator"

    @property
    def label(self):
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.ORGANIZER: _("Competition organizer"),
    Role.ANALYST: _("Analyst"),
    Role.EXPERT: _("Expert (expert council)"),
    Role.AKIMAT: _("Akimat"),
    Role.AUTHORIZED_BODY: _("Authorized body"),
    Role.REGIONAL_BODY: _("Regional development body"),
    Role.COMMISSION_SECRETARY: _("Commission secretary"),
    Role.APPLICANT: _("Applicant (cluster association)"),
    Role.ADMINISTRATOR: _("Administrator"),
}


def roles_of(user) -> frozenset[str]:
    """Role codes held by ``user`` (empty for anonymous or inactive users).

    Cached on the user object for the request.
    """
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_klaster_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True)) & {r.value for r in Role}
        user._klaster_roles = cached
    return cached


def has_role(user, *roles: Role | str) -> bool:
    """True when ``user`` holds at least one of ``roles``."""
    held = roles_of(user)
    return any((r.value if isinstance(r, Role) else r) in held for r in roles)
