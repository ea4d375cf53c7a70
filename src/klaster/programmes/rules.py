"""Object-level permissions of targeted cluster programmes (django-rules predicates).

* organizer: every programme; creates and edits programmes, projects, financing and
  counter-obligations;
* analyst and authorized body: read every programme;
* akimat: reads the programmes of clusters in its region (``Profile.region_kato``);
* applicant: reads the programme of the cluster whose association it acts for, and submits its
  quarterly reports.
"""

import rules

from klaster.accounts.roles import Role, has_role
from klaster.register.rules import is_association_user


def _region(user) -> str:
    return getattr(getattr(user, "profile", None), "region_kato", "") or ""


@rules.predicate
def reads_all_programmes(user) -> bool:
    return has_role(user, Role.ORGANIZER, Role.ANALYST, Role.AUTHORIZED_BODY)


@rules.predicate
def is_akimat_of_region(user, programme) -> bool:
    """An akimat user whose region is one of the programme's cluster's regions."""
    kato = _region(user)
    return bool(kato) and has_role(user, Role.AKIMAT) and programme.cluster.regions.filter(kato=kato).exists()


@rules.predicate
def is_programme_association(user, programme) -> bool:
    """An applicant acting for the association of the programme's cluster."""
    return has_role(user, Role.APPLICANT) and is_association_user(user, programme.cluster)


@rules.predicate
def is_organizer(user) -> bool:
    return has_role(user, Role.ORGANIZER)


can_view_programme = reads_all_programmes | is_akimat_of_region | is_programme_association
can_edit_programme = is_organizer
can_report = is_programme_association


def programmes_for(user):
    """The programmes ``user`` may read (queryset), by the same rules as :data:`can_view_programme`."""
    from klaster.programmes.models import Programme

    qs = Programme.objects.select_related("cluster")
    if reads_all_programmes(user):
        return qs
    allowed = Programme.objects.none()
    if has_role(user, Role.AKIMAT) and _region(user):
        allowed = allowed | qs.filter(cluster__regions__kato=_region(user))
    bin_ = getattr(getattr(user, "profile", None), "organisation_bin", "")
    if has_role(user, Role.APPLICANT) and bin_:
        allowed = allowed | qs.filter(cluster__association__bin=bin_)
    return allowed.distinct()
