"""Object-level permissions of support applications (django-rules predicates)."""

import rules
from django.db.models import Q

from klaster.accounts.roles import Role, has_role


def participants_for(user):
    """Participants an applicant may apply for: its own organisation (profile BIN) and the
    current members of a cluster whose association it is (the association represents them)."""
    from klaster.register.models import Participant

    bin_ = getattr(getattr(user, "profile", None), "organisation_bin", "")
    if not bin_:
        return Participant.objects.none()
    return Participant.objects.filter(Q(bin=bin_) | Q(memberships__cluster__association__bin=bin_, memberships__left_on__isnull=True)).distinct().order_by("name")


@rules.predicate
def owns_application(user, application) -> bool:
    return application.applicant_id == user.pk


@rules.predicate
def processes_applications(user) -> bool:
    return has_role(user, Role.ORGANIZER)


can_view_application = owns_application | processes_applications
can_edit_application = owns_application
