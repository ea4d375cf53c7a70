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


def _bin(user) -> str:
    return getattr(getattr(user, "profile", None), "organisation_bin", "") or ""


def applications_for(user):
    """Applications an applicant sees: those it created, and those of its organisation or of the
    cluster whose association it acts for (colleagues of the same association see each other's)."""
    from klaster.support.models import Application

    q = Q(applicant=user)
    if b := _bin(user):
        q |= Q(participant__bin=b) | Q(cluster__association__bin=b)
    return Application.objects.filter(q)


@rules.predicate
def owns_application(user, application) -> bool:
    return application.applicant_id == user.pk


@rules.predicate
def acts_for_applicant(user, application) -> bool:
    """The user's organisation (profile BIN) is the applicant or the association of its cluster."""
    b = _bin(user)
    if not b:
        return False
    if application.participant.bin == b:
        return True
    c = application.cluster
    return bool(c and c.association_id and c.association.bin == b)


@rules.predicate
def processes_applications(user) -> bool:
    return has_role(user, Role.ORGANIZER)


can_view_application = owns_application | acts_for_applicant | processes_applications
#: only the applicant who created it edits a draft or returned application (colleagues see it)
can_edit_application = owns_application
