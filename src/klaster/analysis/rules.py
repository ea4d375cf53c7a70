"""Object-level permissions of analysis runs (django-rules predicates, checked after the role check).

Decision (docs/analysis.md): runs on the built-in datasets are shared — every analyst sees them
and organizers may read them; a run on an uploaded file is private to the analyst who uploaded
it (uploaded statistics may be confidential).
"""

import rules

from klaster.accounts.roles import Role, has_role


@rules.predicate
def can_view_run(user, run) -> bool:
    if run is None or not user.is_authenticated:
        return False
    if run.is_upload:
        return run.owner_id == user.pk
    return has_role(user, Role.ANALYST, Role.ORGANIZER)


rules.add_perm("analysis.view_run", can_view_run)
