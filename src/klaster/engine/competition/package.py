"""Completeness of a package and eligibility of its participants.

* :func:`check_participants` — the cluster's participants judged by BIN and declared affiliation:
  at least N unaffiliated legal entities (Criteria 1.1), with App. 2 §3.1's "at least six" as a
  warning.
* :func:`may_take_part` — who may take part in each stage (§2.7, §2.8, §8).
* :func:`check_package` — the documents of §6 / §7 against the package definition, plus the
  participants, giving the row of the admission protocol (§15, §31).
* :func:`admission_protocol` — admitted and returned packages of a stage (§15/§16, §31/§32) and
  whether the competition fails (§41).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from klaster.common.bin import InvalidBIN, validate_bin
from klaster.engine.competition.messages import STAGE1_WINNERS, Msg
from klaster.engine.competition.registry import enforces
from klaster.engine.competition.rules import CompetitionRules



@dataclass(frozen=True)
class Participant:
    """A company or organisation of the cluster (App. 2 §7, App. 3 table).

    ``affiliation_group`` is the participant's declared group of affiliated persons: participants
    sharing a group count as one legal entity for Criteria 1.1.
    """

    name: str
    bin: str
    oked: str = ""
    kato: str = ""
    affiliation_group: str = ""


@dataclass(frozen=True)
class Problem:
    rule: str
    clause: str
    message: str
    severity: str = "error"
    row: int | None = None


@dataclass
class ParticipantsResult:
    unaffiliated: int
    required: int
    legal_entities: int
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)


@enforces("eligibility.min_unaffiliated_legal_entities", "eligibility.concept_min_specialised_companies")
def check_participants(rules: CompetitionRules, participants: Iterable[Participant], *, stage: int = 1,
                       today: dt.date | None = None) -> ParticipantsResult:
    """Count unaffiliated legal entities among the participants (Criteria 1.1).

    A participant counts as a legal entity when its BIN is valid (:func:`klaster.common.bin.validate_bin`),
    its 5th digit says legal entity (4 resident, 5 non-resident) and its 6th digit says head
    organisation (a branch or representative office is part of another legal entity). Repeated
    BINs count once; participants with the same declared ``affiliation_group`` count once.

    Returns
    -------
    ParticipantsResult
        ``unaffiliated`` count, the ``required`` minimum and problems (row numbers from 1).
    """
    rule = rules.eligibility_rule("min_unaffiliated_legal_entities")
    problems: list[Problem] = []
    seen_bins: dict[str, int] = {}
    groups: set[str] = set()
    legal = 0
    for i, p in enumerate(participants, start=1):
        try:
            info = validate_bin(p.bin, today=today)
        except InvalidBIN as e:
            problems.append(Problem(f"eligibility.{rule.id}", rule.clause, Msg("participants.invalid_bin", row=i, name=p.name, error=str(e)), "warning", i))
            continue
        if info.bin in seen_bins:
            problems.append(Problem(f"eligibility.{rule.id}", rule.clause,
                                    Msg("participants.repeated_bin", row=i, name=p.name, bin=info.bin, first=seen_bins[info.bin]),
                                    "warning", i))
            continue
        seen_bins[info.bin] = i
        if not info.is_legal_entity:
            problems.append(Problem(f"eligibility.{rule.id}", rule.clause,
                                    Msg("participants.not_legal_entity", row=i, name=p.name, entity_type=info.entity_type_name,
                                        division=info.division_name),
                                    "warning", i))
            continue
        legal += 1
        groups.add(("g:" + p.affiliation_group.strip().lower()) if p.affiliation_group.strip() else ("b:" + info.bin))
    n = len(groups)
    if stage in rule.stages and n < rule.value:
        problems.append(Problem(f"eligibility.{rule.id}", rule.clause,
                                Msg("participants.too_few", count=n, required=rule.value)))
    for r in rules.eligibility:
        if r.id != rule.id and stage in r.stages and n < r.value:
            problems.append(Problem(f"eligibility.{r.id}", r.clause, Msg("eligibility.below", count=n, value=r.value, text=r.text), r.severity))
    return ParticipantsResult(n, rule.value, legal, problems)


@enforces("participants.stage1_participants", "participants.stage2_participants", "step.stage2_entry_without_stage1")
def may_take_part(rules: CompetitionRules, *, stage: int, kind: str, stage1_winner: bool = False) -> Problem | None:
    """None when a participant of ``kind`` may take part in ``stage``, else the reason (§2.7, §2.8, §8)."""
    s = rules.stage(stage)
    p = s.participants
    if kind in p.kinds or (p.stage1_winners and stage1_winner) or kind in p.kinds_without_stage1:
        return None
    names = {k.id: k.name for k in rules.participant_kinds}
    allowed = tuple([names.get(k, k) for k in p.kinds] + ([STAGE1_WINNERS] if p.stage1_winners else [])
                    + [names.get(k, k) for k in p.kinds_without_stage1])
    return Problem(f"participants.{p.id}", p.clause,
                   Msg("participants.kind_not_allowed", kind=names.get(kind, kind), stage=stage, allowed=allowed))


@dataclass(frozen=True)
class DocumentInfo:
    """A document present in a package: its id in the package definition, file name, pages, volume,
    the page where its annexes begin (None: no annexes) and its pages that are not A4."""

    doc_id: str
    filename: str = ""
    pages: int | None = None
    volume: int | None = None
    annex_from: int | None = None
    non_a4: tuple[int, ...] = ()


@dataclass
class CompletenessResult:
    complete: bool
    missing: list[str]
    problems: list[Problem]
    participants: ParticipantsResult | None = None


_NOT_GIVEN = object()


@enforces("package.stage1", "package.stage2", "step.stage1_completeness_check", "step.stage2_completeness_check")
def check_package(rules: CompetitionRules, *, stage: int, documents: Iterable[DocumentInfo],
                  participants: Iterable[Participant] = (), skipped_stage1: bool = False, kind: str | None = None,
                  stage1_winner: bool = False, today: dt.date | None = None,
                  negative_conclusions: Mapping[str, str] | None = None, structured: Mapping[str, Mapping] | None = None,
                  paper=_NOT_GIVEN, announced: dt.date | None = None) -> CompletenessResult:
    """Check a package against the package definition of ``stage`` (§6 or §7) and its participants.

    ``negative_conclusions`` maps a body (``akimat``, ``authorized_body``…) whose conclusion in
    the package is negative to the text of that conclusion: the package is then incomplete for
    that reason — the body's negative conclusion, quoted — not for a "missing" document.

    When the rules carry the structures of the appendices (``rules.forms``), the content is checked
    too: ``structured`` maps a structured document's id (``concept``, ``strategy``, ``roadmap``) to
    its data (:func:`klaster.engine.competition.forms.check_document`); a document with a page
    limit is checked by its pages and annexes (:func:`~klaster.engine.competition.forms.check_pages`);
    ``paper`` (a :class:`~klaster.engine.competition.forms.Paper` or None when nothing was received)
    is checked against §9 and §11 (:func:`~klaster.engine.competition.forms.check_paper`; not given:
    not checked). ``announced`` fixes the years of the company profiles' indicators.

    Returns
    -------
    CompletenessResult
        ``complete`` is False when a required document is missing, the participant may not take part
        in the stage, the participants do not meet Criteria 1.1, or the content, the pages or the
        paper package fall short; every problem names its clause.
    """
    documents = list(documents)
    participants = list(participants)
    spec = rules.package(stage)
    present = {d.doc_id for d in documents}
    problems: list[Problem] = []
    missing = []
    negative = dict(negative_conclusions or {})
    for d in spec.required_documents(skipped_stage1=skipped_stage1):
        if d.produced_by in negative:  # a negative conclusion on record, whatever copy is attached
            problems.append(Problem(f"package.{spec.id}", d.clause, Msg("package.negative_conclusion", document=d.name, text=negative[d.produced_by])))
            if d.id not in present:
                missing.append(d.id)
        elif d.id not in present:
            missing.append(d.id)
            problems.append(Problem(f"package.{spec.id}", d.clause, Msg("package.missing", document=d.name)))
    if kind is not None:
        p = may_take_part(rules, stage=stage, kind=kind, stage1_winner=stage1_winner)
        if p:
            problems.append(p)
    pr = check_participants(rules, participants, stage=stage, today=today)
    problems.extend(pr.problems)
    forms = getattr(rules, "forms", None)
    if forms is not None:
        from klaster.engine.competition import forms as eng_forms

        required = {d.id for d in spec.required_documents(skipped_stage1=skipped_stage1)}
        people = [(p.bin, p.name) for p in participants]
        for form in forms.for_stage(stage):
            if form.document not in required or spec_has(spec, form.document) is False:
                continue
            problems.extend(eng_forms.check_document(forms, form, (structured or {}).get(form.id), participants=people, announced=announced))
            doc = next((d for d in documents if d.doc_id == form.document), None)
            if doc is not None and form.pages is not None:
                problems.extend(eng_forms.check_pages(form, pages=doc.pages, annex_from=doc.annex_from, non_a4=doc.non_a4))
        if paper is not _NOT_GIVEN:
            names = {d.id: d.name for d in spec.documents}
            problems.extend(eng_forms.check_paper(forms.records, paper, documents=[(d.doc_id, names.get(d.doc_id, d.doc_id)) for d in documents
                                                                                  if not d.filename.startswith("conclusion:")]))
    complete = not any(p.severity == "error" for p in problems)
    return CompletenessResult(complete, missing, problems, pr)


def spec_has(spec, doc_id: str) -> bool:
    return any(d.id == doc_id for d in spec.documents)


@dataclass
class AdmissionProtocol:
    stage: int
    clause: str
    admitted: list[str]
    returned: dict[str, list[Problem]]
    fails: bool
    failure_clause: str


@enforces("step.failure")
def admission_protocol(rules: CompetitionRules, *, stage: int, results: dict[str, CompletenessResult]) -> AdmissionProtocol:
    """The protocol of admitted participants (§15 / §31) and the packages to return (§16 / §32).

    The competition fails when fewer than ``min_qualified`` (two) participants meet §6 / §7 (§41).
    """
    step = rules.step(f"stage{stage}_completeness_check")
    failure = rules.step("failure")
    admitted = [k for k, r in results.items() if r.complete]
    returned = {k: [p for p in r.problems if p.severity == "error"] for k, r in results.items() if not r.complete}
    return AdmissionProtocol(stage, step.clause, admitted, returned, len(admitted) < failure.extra["min_qualified"], failure.clause)
