"""Object-level permissions of the competition (django-rules predicates), checked in views after the role check."""

from __future__ import annotations

import rules

from klaster.accounts.roles import Role, has_role


@rules.predicate
def is_organizer(user):
    return has_role(user, Role.ORGANIZER, Role.ADMINISTRATOR)


@rules.predicate
def owns_application(user, application):
    return application is not None and application.applicant_id == user.pk


@rules.predicate
def may_issue_conclusion(user, conclusion):
    """The body the conclusion is addressed to; an akimat only for its own region (first two KATO digits);
    an authorized body only when it is the ministry of the cluster's sector the request went to
    (§2.11, §17, §27: ``Conclusion.ministry``; a request recorded before klaster knew the sector,
    with no ministry, stays open to every authorized-body user)."""
    if conclusion is None:
        return False
    if conclusion.body == "akimat":
        prof = getattr(user, "profile", None)
        kato = getattr(prof, "region_kato", "") or ""
        return has_role(user, Role.AKIMAT) and kato[:2] == conclusion.application.region_kato[:2]
    if conclusion.body == "authorized_body":
        if not has_role(user, Role.AUTHORIZED_BODY):
            return False
        if not conclusion.ministry:
            return True
        from klaster.competition.domain.records import ministry_of

        return ministry_of(user) == conclusion.ministry
    if conclusion.body == "regional_body":
        return has_role(user, Role.REGIONAL_BODY)
    return False


@rules.predicate
def is_assigned_expert(user, assignment):
    return assignment is not None and assignment.expert_id == user.pk


@rules.predicate
def not_conflicted(user, assignment):
    return assignment is not None and not assignment.conflicted


@rules.predicate
def may_read_package(user, application):
    """Applicant (own), organizer, a body asked for a conclusion on it, or an assigned expert who has
    declared no conflict of interest (nothing of a package is readable before the declaration)."""
    if application is None:
        return False
    if application.applicant_id == user.pk or is_organizer(user):
        return True
    if any(may_issue_conclusion(user, c) for c in application.conclusions.all()):
        return True
    return application.assignments.filter(expert=user, auto_conflict="", declared_conflict=False, declared_at__isnull=False).exists()


rules.add_perm("competition.edit_application", owns_application)
rules.add_perm("competition.issue_conclusion", may_issue_conclusion)
rules.add_perm("competition.score", is_assigned_expert & not_conflicted)
rules.add_perm("competition.declare", is_assigned_expert)
rules.add_perm("competition.read_package", may_read_package)
