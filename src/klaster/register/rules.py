"""Object-level permissions of the register (django-rules predicates)."""

import rules

from klaster.accounts.roles import Role, has_role


@rules.predicate
def is_association_user(user, cluster) -> bool:
    """The user acts for the cluster's association (profile BIN = association BIN)."""
    bin_ = getattr(getattr(user, "profile", None), "organisation_bin", "")
    return bool(bin_) and cluster.association is not None and cluster.association.bin == bin_


@rules.predicate
def is_organizer(user) -> bool:
    return has_role(user, Role.ORGANIZER)


can_apply_for_inclusion = is_association_user
