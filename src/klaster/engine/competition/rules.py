"""The competition regulation as typed objects, parsed and validated from regulation data.

A regulation document of kind ``competition-rules`` (e.g. ``competition-decree-535`` version
``decree-535-2015``) describes the whole procedure; a document of kind ``competition-criteria``
(e.g. ``competition-criteria-2016``) supplies an alternative criteria set. The format is
documented in ``docs/competition.md`` ("Regulation data format"); this module is its validator:
every problem raises :class:`RulesFormatError` naming the file and the field path, e.g.
``…/decree-535-2015.yaml: content.procedure[3].deadline.unit: 'workdays' is not one of
working, calendar, months``.

No Django here: the engine is plain Python and takes these objects as parameters.
"""

from __future__ import annotations

import datetime as dt

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from klaster.regulations import RegulationDocument, RegulationError, load

LANGS = ("kk", "ru", "en")
DEFAULT_RULES = "competition-decree-535"
DAY_UNITS = ("working", "calendar", "months")
DEADLINE_TYPES = ("within", "before", "by")
AGGREGATIONS = ("mean", "median", "trimmed_mean")
SCOPES = ("competition", "application")
CONDITIONS = ("skipped_stage1",)


class RulesFormatError(RegulationError):
    """The content of a competition regulation document is malformed (message names file and field)."""


# --------------------------------------------------------------------------- typed objects


@dataclass(frozen=True)
class Text:
    """A text in the three interface languages."""

    kk: str
    ru: str
    en: str

    def get(self, lang: str) -> str:
        """The text in ``lang`` (``kk``/``ru``/``en``; other values give Russian)."""
        return getattr(self, lang[:2], None) or self.ru


@dataclass(frozen=True)
class Actor:
    id: str
    role: str | None
    clause: str
    name: Text


@dataclass(frozen=True)
class ParticipantKind:
    id: str
    clause: str
    name: Text


@dataclass(frozen=True)
class StageParticipants:
    """Who may take part in a stage (§2.7, §2.8, §8)."""

    id: str
    clause: str
    kinds: tuple[str, ...] = ()
    stage1_winners: bool = False
    kinds_without_stage1: tuple[str, ...] = ()


@dataclass(frozen=True)
class Stage:
    id: str
    number: int
    clause: str
    name: Text
    subject: Text
    package: str
    participants: StageParticipants


@dataclass(frozen=True)
class DocumentSpec:
    """One document of a package (§6, §7)."""

    id: str
    clause: str
    name: Text
    produced_by: str
    appendix: int | None = None
    only_if: str | None = None
    pages: dict | None = None


@dataclass(frozen=True)
class PackageSpec:
    id: str
    stage: int
    clause: str
    form_clause: str
    receipt_appendix: int
    documents: tuple[DocumentSpec, ...]
    copies: dict = field(default_factory=dict)

    def required_documents(self, *, skipped_stage1: bool = False) -> tuple[DocumentSpec, ...]:
        """Documents required of a participant (``only_if: skipped_stage1`` ones only when it skipped stage 1)."""
        return tuple(d for d in self.documents if d.only_if is None or (d.only_if == "skipped_stage1" and skipped_stage1))


@dataclass(frozen=True)
class EligibilityRule:
    id: str
    clause: str
    value: int
    stages: tuple[int, ...]
    text: Text
    severity: str = "error"


@dataclass(frozen=True)
class Criterion:
    id: str
    clause: str
    name: Text
    group: str


@dataclass(frozen=True)
class CriterionGroup:
    id: str
    clause: str
    name: Text
    items: tuple[Criterion, ...]


@dataclass(frozen=True)
class CriteriaSet:
    id: str
    clause: str
    groups: tuple[CriterionGroup, ...]
    source: str = ""

    @property
    def criteria(self) -> tuple[Criterion, ...]:
        return tuple(c for g in self.groups for c in g.items)

    def criterion(self, cid: str) -> Criterion:
        for c in self.criteria:
            if c.id == cid:
                return c
        raise KeyError(cid)


@dataclass(frozen=True)
class ScoringConfig:
    """How experts score and how scores are combined (the seed is silent: klaster defaults, §20–§21)."""

    id: str
    clause: str
    scale_min: Decimal
    scale_max: Decimal
    step: Decimal
    weights: dict
    default_weight: Decimal
    per_criterion_minimum: dict
    aggregation: str
    trimmed_fraction: Decimal
    quorum: int
    justification_required: bool
    tie_break: tuple[str, ...]
    stage2_scored: bool
    note: Text
    is_default: bool = True

    def weight(self, criterion_id: str) -> Decimal:
        return Decimal(str(self.weights.get(criterion_id, self.default_weight)))

    def as_dict(self) -> dict:
        """JSON-safe form, recorded with a competition when it is announced."""
        return {
            "scale": {"min": str(self.scale_min), "max": str(self.scale_max), "step": str(self.step)},
            "weights": {k: str(v) for k, v in self.weights.items()},
            "default_weight": str(self.default_weight),
            "per_criterion_minimum": {k: str(v) for k, v in self.per_criterion_minimum.items()},
            "aggregation": self.aggregation,
            "trimmed_fraction": str(self.trimmed_fraction),
            "quorum": self.quorum,
            "justification_required": self.justification_required,
            "tie_break": list(self.tie_break),
            "stage2_scored": self.stage2_scored,
        }


@dataclass(frozen=True)
class DeadlineSpec:
    """``within`` N units of the step's ``from`` event; ``before``: at least N units before ``event``;
    ``by``: not later than ``event`` (a date fixed in the competition)."""

    type: str
    days: int | None = None
    unit: str | None = None
    event: str | None = None

    def describe(self) -> str:
        if self.type == "within":
            return f"within {self.days} {self.unit}{' days' if self.unit != 'months' else ''}"
        if self.type == "before":
            return f"at least {self.days} {self.unit} days before {self.event}"
        return f"by {self.event}"


@dataclass(frozen=True)
class Step:
    """One step of the procedure (a row of regulations.md §3)."""

    id: str
    clause: str
    actor: str
    scope: str
    text: Text
    stage: int | None = None
    from_event: str | None = None
    done_by: str | None = None
    deadline: DeadlineSpec | None = None
    only_if: str | None = None
    protocol: str | None = None
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class CompetitionRules:
    """A whole competition regulation version (actors, stages, packages, criteria, scoring, procedure)."""

    doc: RegulationDocument
    actors: tuple[Actor, ...]
    participant_kinds: tuple[ParticipantKind, ...]
    stages: tuple[Stage, ...]
    packages: tuple[PackageSpec, ...]
    eligibility: tuple[EligibilityRule, ...]
    criteria: CriteriaSet
    scoring: ScoringConfig
    minimum_score_clause: str
    minimum_score_default: Decimal | None
    winners_clause: str
    support_recommendation_required: bool
    procedure: tuple[Step, ...]
    upload_max_mb: int
    upload_types: tuple[str, ...]
    criteria_doc: RegulationDocument | None = None
    readings: dict = field(default_factory=dict)
    #: The structures of App. 2, 5, 6 and the records (:class:`klaster.engine.competition.forms.FormsSet`), or None.
    forms: Any = None
    #: The authorized bodies by sector (:class:`klaster.engine.competition.routing.SectorBodies`), or None.
    sector_bodies: Any = None

    # lookups -----------------------------------------------------------------
    def step(self, sid: str) -> Step:
        for s in self.procedure:
            if s.id == sid:
                return s
        raise KeyError(f"no procedure step {sid!r} in {self.doc.id} {self.doc.version}")

    def stage(self, number: int) -> Stage:
        for s in self.stages:
            if s.number == number:
                return s
        raise KeyError(f"no stage {number}")

    def package(self, stage: int) -> PackageSpec:
        for p in self.packages:
            if p.stage == stage:
                return p
        raise KeyError(f"no package for stage {stage}")

    def eligibility_rule(self, rid: str) -> EligibilityRule:
        for r in self.eligibility:
            if r.id == rid:
                return r
        raise KeyError(rid)

    def actor(self, aid: str) -> Actor:
        for a in self.actors:
            if a.id == aid:
                return a
        raise KeyError(aid)

    @property
    def pins(self) -> dict:
        """What a competition records when it is announced: the rules pin and the criteria pin."""
        out = {"rules": self.doc.pin}
        if self.criteria_doc is not None:
            out["criteria"] = self.criteria_doc.pin
        if self.forms is not None:
            out["forms"] = self.forms.doc.pin
        if self.sector_bodies is not None:
            out["sector_bodies"] = self.sector_bodies.doc.pin
        return out

    def with_scoring(self, overrides: dict) -> "CompetitionRules":
        """These rules with the scoring configuration a competition recorded (``ScoringConfig.as_dict`` shape).

        The seed is silent on scoring (regulations.md §9), so a competition may set its own scale,
        weights, aggregation, quorum and tie-break when it is announced; they are validated like
        the data file.

        Raises
        ------
        RulesFormatError
            A value is invalid (the message names the field under ``content.scoring``).
        """
        from dataclasses import replace

        if not overrides:
            return self
        raw = dict(self.doc.content["scoring"])
        raw.update({k: v for k, v in overrides.items() if v is not None})
        raw["default"] = self.scoring.as_dict() == {**self.scoring.as_dict(), **overrides}
        return replace(self, scoring=_parse_scoring(_V(self.doc), raw, self.criteria))

    def with_readings(self, chosen: dict | None) -> "CompetitionRules":
        """These rules under the readings a competition recorded (``{reading id: option id}``;
        missing ones take the default of the regulation data).

        Effects applied (``effect`` of the chosen option in the regulation data):
        ``deadline_unit: {step id: unit}`` changes the unit of a step's deadline;
        ``intake_roll: bool`` says whether an intake closing date on a day off moves to the next
        working day (:meth:`intake_closes_effective`).

        Raises
        ------
        RegulationError
            An unknown reading or option.
        """
        from dataclasses import replace

        from klaster.regulations import check_readings

        full = check_readings(self.doc, chosen)
        steps = list(self.procedure)
        for rid, opt in full.items():
            effect = self.doc.reading(rid).option(opt).effect
            for sid, unit in (effect.get("deadline_unit") or {}).items():
                steps = [replace(st, deadline=replace(st.deadline, unit=unit)) if st.id == sid and st.deadline else st for st in steps]
        return replace(self, procedure=tuple(steps), readings=full)

    @property
    def intake_roll(self) -> bool:
        """Whether an intake closing date on a day off moves to the next working day (reading
        ``intake_closes_on_day_off``; True when the data names no such reading: Civil Code Art. 187)."""
        full = self.readings or {}
        for r in self.doc.readings:
            if "intake_roll" in r.default.effect:
                return bool(r.option(full.get(r.id, r.default.id)).effect.get("intake_roll"))
        return True

    def intake_closes_effective(self, cal, announced: dt.date | None) -> dt.date | None:
        """The last day a package is accepted: the announced closing date, moved to the next
        working day when it is a day off and :attr:`intake_roll` holds."""
        if announced is None:
            return None
        if self.intake_roll and not cal.is_working_day(announced):
            return cal.next_working_day(announced)
        return announced

    def rules_index(self) -> list[tuple[str, str, str]]:
        """Every rule of this regulation as ``(rule id, clause, text in English)``, for traceability."""
        rows = [(f"step.{s.id}", s.clause, s.text.en) for s in self.procedure]
        rows += [(f"eligibility.{r.id}", r.clause, r.text.en) for r in self.eligibility]
        rows += [(f"package.{p.id}", p.clause, f"stage-{p.stage} package documents") for p in self.packages]
        rows += [(f"participants.{s.participants.id}", s.participants.clause, f"who may take part in stage {s.number}") for s in self.stages]
        rows.append((f"scoring.{self.scoring.id}", self.scoring.clause, "expert scoring and aggregation"))
        rows.append(("commission.minimum_score", self.minimum_score_clause, "Commission's minimum score for stage 2"))
        rows.append(("commission.stage2_winners", self.winners_clause, "stage-2 winners with recommended support"))
        rows += [(f"criterion.{c.id}", c.clause, f"scored by every expert: {c.name.en}") for c in self.criteria.criteria]
        rows.append(("experts.independence", "§2.10", "an expert does not score a package of an organisation it or its affiliates belong to, or one it declared an interest in"))
        rows.append(("document.receipt", ", ".join(f"App. {p.receipt_appendix}" for p in self.packages), "the intake receipt with the fields of the form"))
        rows.append(("document.akimat_conclusion", "App. 3", "the akimat's conclusion in the form of App. 3"))
        if self.forms is not None:
            rows += self.forms.rules_index()
        if self.sector_bodies is not None:
            rows.append(("routing.sector_body", "§2.11, §17, §27", "the package goes to the authorized body of the cluster's sector"))
        return rows


# --------------------------------------------------------------------------- validation helpers


class _V:
    """Field-path aware accessors that raise RulesFormatError naming the file and field."""

    def __init__(self, doc: RegulationDocument):
        self.path = doc.path

    def fail(self, where: str, msg: str):
        raise RulesFormatError(f"{self.path}: {where}: {msg}")

    def map(self, v: Any, where: str) -> dict:
        if not isinstance(v, dict):
            self.fail(where, f"must be a mapping, got {type(v).__name__}")
        return v

    def list(self, v: Any, where: str, *, nonempty: bool = True) -> list:
        if not isinstance(v, list):
            self.fail(where, f"must be a list, got {type(v).__name__}")
        if nonempty and not v:
            self.fail(where, "must not be empty")
        return v

    def req(self, m: dict, key: str, where: str) -> Any:
        if key not in m or m[key] is None:
            self.fail(f"{where}.{key}", "required field is missing")
        return m[key]

    def str(self, m: dict, key: str, where: str, *, required: bool = True) -> str | None:
        if not required and m.get(key) is None:
            return None
        v = self.req(m, key, where)
        if not isinstance(v, (str, int)) or isinstance(v, bool) or str(v).strip() == "":
            self.fail(f"{where}.{key}", f"must be a non-empty text, got {v!r}")
        return str(v)

    def int(self, m: dict, key: str, where: str, *, required: bool = True, minimum: int = 0) -> int | None:
        if not required and m.get(key) is None:
            return None
        v = self.req(m, key, where)
        if not isinstance(v, int) or isinstance(v, bool) or v < minimum:
            self.fail(f"{where}.{key}", f"must be an integer ≥ {minimum}, got {v!r}")
        return v

    def dec(self, v: Any, where: str) -> Decimal:
        if isinstance(v, bool):
            self.fail(where, f"must be a number, got {v!r}")
        try:
            return Decimal(str(v))
        except (InvalidOperation, ValueError):
            self.fail(where, f"must be a number, got {v!r}")

    def text(self, m: dict, key: str, where: str) -> Text:
        t = self.map(self.req(m, key, where), f"{where}.{key}")
        for lang in LANGS:
            if not isinstance(t.get(lang), str) or not t[lang].strip():
                self.fail(f"{where}.{key}.{lang}", "the text in this language is missing")
        return Text(t["kk"], t["ru"], t["en"])

    def choice(self, m: dict, key: str, where: str, options, *, required: bool = True):
        v = m.get(key)
        if v is None and not required:
            return None
        v = self.req(m, key, where)
        if v not in options:
            self.fail(f"{where}.{key}", f"{v!r} is not one of {', '.join(map(str, options))}")
        return v

    def unique(self, items, where: str):
        seen = set()
        for i, x in enumerate(items):
            if x.id in seen:
                self.fail(f"{where}[{i}].id", f"duplicate id {x.id!r}")
            seen.add(x.id)


# --------------------------------------------------------------------------- parsing


def parse_criteria(doc: RegulationDocument, content: dict | None = None, where: str = "content.criteria") -> CriteriaSet:
    """Parse a criteria set (``content.criteria`` of a rules or criteria document).

    Raises
    ------
    RulesFormatError
        A group or item lacks an id, a clause or a text in one of kk/ru/en, or ids repeat.
    """
    v = _V(doc)
    content = v.map(doc.content if content is None else content, "content")
    c = v.map(v.req(content, "criteria", "content"), where)
    groups = []
    for gi, g in enumerate(v.list(v.req(c, "groups", where), f"{where}.groups")):
        gw = f"{where}.groups[{gi}]"
        v.map(g, gw)
        gid = v.str(g, "id", gw)
        items = []
        for ii, it in enumerate(v.list(v.req(g, "items", gw), f"{gw}.items")):
            iw = f"{gw}.items[{ii}]"
            v.map(it, iw)
            items.append(Criterion(v.str(it, "id", iw), v.str(it, "clause", iw), v.text(it, "name", iw), gid))
        v.unique(items, f"{gw}.items")
        groups.append(CriterionGroup(gid, v.str(g, "clause", gw), v.text(g, "name", gw), tuple(items)))
    v.unique(groups, f"{where}.groups")
    all_items = [i for g in groups for i in g.items]
    v.unique(all_items, f"{where}.groups[*].items")
    return CriteriaSet(v.str(c, "id", where), v.str(c, "clause", where), tuple(groups), source=f"{doc.id} {doc.version}")


def _parse_scoring(v: _V, s: dict, criteria: CriteriaSet) -> ScoringConfig:
    w = "content.scoring"
    v.map(s, w)
    scale = v.map(v.req(s, "scale", w), f"{w}.scale")
    smin = v.dec(v.req(scale, "min", f"{w}.scale"), f"{w}.scale.min")
    smax = v.dec(v.req(scale, "max", f"{w}.scale"), f"{w}.scale.max")
    step = v.dec(v.req(scale, "step", f"{w}.scale"), f"{w}.scale.step")
    if smax <= smin:
        v.fail(f"{w}.scale", f"max ({smax}) must be greater than min ({smin})")
    if step <= 0:
        v.fail(f"{w}.scale.step", "must be positive")
    ids = {c.id for c in criteria.criteria}
    weights = v.map(s.get("weights") or {}, f"{w}.weights")
    for k, x in weights.items():
        if str(k) not in ids:
            v.fail(f"{w}.weights.{k}", f"unknown criterion; known: {', '.join(sorted(ids))}")
        if v.dec(x, f"{w}.weights.{k}") < 0:
            v.fail(f"{w}.weights.{k}", "must not be negative")
    mins = v.map(s.get("per_criterion_minimum") or {}, f"{w}.per_criterion_minimum")
    for k, x in mins.items():
        if str(k) not in ids:
            v.fail(f"{w}.per_criterion_minimum.{k}", "unknown criterion")
        v.dec(x, f"{w}.per_criterion_minimum.{k}")
    agg = v.choice(s, "aggregation", w, AGGREGATIONS)
    tf = v.dec(s.get("trimmed_fraction", 0), f"{w}.trimmed_fraction")
    if not (0 <= tf < Decimal("0.5")):
        v.fail(f"{w}.trimmed_fraction", "must be in [0, 0.5)")
    quorum = v.int(s, "quorum", w, minimum=1)
    jr = s.get("justification_required", True)
    if not isinstance(jr, bool):
        v.fail(f"{w}.justification_required", "must be true or false")
    tb = v.list(s.get("tie_break") or [], f"{w}.tie_break", nonempty=False)
    groups = {g.id for g in criteria.groups}
    for i, t in enumerate(tb):
        t = str(t)
        if t == "registered_at" or (t.startswith("group:") and t[6:] in groups) or (t.startswith("criterion:") and t[10:] in ids):
            continue
        v.fail(f"{w}.tie_break[{i}]", f"{t!r} is not 'registered_at', 'group:<id>' or 'criterion:<id>' of this criteria set")
    return ScoringConfig(
        id=v.str(s, "id", w), clause=v.str(s, "clause", w), scale_min=smin, scale_max=smax, step=step,
        weights={str(k): Decimal(str(x)) for k, x in weights.items()},
        default_weight=v.dec(s.get("default_weight", 1), f"{w}.default_weight"),
        per_criterion_minimum={str(k): Decimal(str(x)) for k, x in mins.items()},
        aggregation=agg, trimmed_fraction=tf, quorum=quorum, justification_required=jr,
        tie_break=tuple(str(t) for t in tb), stage2_scored=bool(s.get("stage2_scored", True)),
        note=v.text(s, "note", w), is_default=bool(s.get("default", True)),
    )


def parse_rules(doc: RegulationDocument, criteria_doc: RegulationDocument | None = None) -> CompetitionRules:
    """Validate and parse a ``competition-rules`` document.

    Parameters
    ----------
    doc : RegulationDocument
        Kind ``competition-rules``.
    criteria_doc : RegulationDocument, optional
        Kind ``competition-criteria``: replaces the document's own criteria set (e.g. the 2016
        criteria of seed 003 under the Decree 535 procedure).

    Raises
    ------
    RulesFormatError
        Any malformed field; the message names the file and the field path.
    """
    v = _V(doc)
    if doc.kind != "competition-rules":
        v.fail("kind", f"expected 'competition-rules', got {doc.kind!r}")
    c = v.map(doc.content, "content")

    actors = []
    for i, a in enumerate(v.list(v.req(c, "actors", "content"), "content.actors")):
        w = f"content.actors[{i}]"
        v.map(a, w)
        actors.append(Actor(v.str(a, "id", w), a.get("role"), v.str(a, "clause", w), v.text(a, "name", w)))
    v.unique(actors, "content.actors")
    actor_ids = {a.id for a in actors}

    kinds = []
    for i, k in enumerate(v.list(v.req(c, "participant_kinds", "content"), "content.participant_kinds")):
        w = f"content.participant_kinds[{i}]"
        v.map(k, w)
        kinds.append(ParticipantKind(v.str(k, "id", w), v.str(k, "clause", w), v.text(k, "name", w)))
    v.unique(kinds, "content.participant_kinds")
    kind_ids = {k.id for k in kinds}

    packages = []
    for i, p in enumerate(v.list(v.req(c, "packages", "content"), "content.packages")):
        w = f"content.packages[{i}]"
        v.map(p, w)
        docs = []
        for j, d in enumerate(v.list(v.req(p, "documents", w), f"{w}.documents")):
            dw = f"{w}.documents[{j}]"
            v.map(d, dw)
            pb = v.choice(d, "produced_by", dw, sorted(actor_ids))
            oi = v.choice(d, "only_if", dw, CONDITIONS, required=False)
            docs.append(DocumentSpec(v.str(d, "id", dw), v.str(d, "clause", dw), v.text(d, "name", dw), pb,
                                     d.get("appendix"), oi, d.get("pages")))
        v.unique(docs, f"{w}.documents")
        packages.append(PackageSpec(v.str(p, "id", w), v.int(p, "stage", w, minimum=1), v.str(p, "clause", w),
                                    v.str(p, "form_clause", w), v.int(p, "receipt_appendix", w, minimum=1), tuple(docs),
                                    dict(p.get("copies") or {})))
    v.unique(packages, "content.packages")
    package_ids = {p.id for p in packages}

    stages = []
    for i, s in enumerate(v.list(v.req(c, "stages", "content"), "content.stages")):
        w = f"content.stages[{i}]"
        v.map(s, w)
        pk = v.str(s, "package", w)
        if pk not in package_ids:
            v.fail(f"{w}.package", f"unknown package {pk!r}; known: {', '.join(sorted(package_ids))}")
        pw = f"{w}.participants"
        pp = v.map(v.req(s, "participants", w), pw)
        for key in ("kinds", "kinds_without_stage1"):
            for j, k in enumerate(pp.get(key) or []):
                if k not in kind_ids:
                    v.fail(f"{pw}.{key}[{j}]", f"unknown participant kind {k!r}; known: {', '.join(sorted(kind_ids))}")
        parts = StageParticipants(v.str(pp, "id", pw), v.str(pp, "clause", pw), tuple(pp.get("kinds") or ()),
                                  bool(pp.get("stage1_winners", False)), tuple(pp.get("kinds_without_stage1") or ()))
        stages.append(Stage(v.str(s, "id", w), v.int(s, "number", w, minimum=1), v.str(s, "clause", w),
                            v.text(s, "name", w), v.text(s, "subject", w), pk, parts))
    v.unique(stages, "content.stages")

    elig = []
    for i, e in enumerate(v.list(v.req(c, "eligibility", "content"), "content.eligibility")):
        w = f"content.eligibility[{i}]"
        v.map(e, w)
        elig.append(EligibilityRule(v.str(e, "id", w), v.str(e, "clause", w), v.int(e, "value", w, minimum=1),
                                    tuple(e.get("stages") or ()), v.text(e, "text", w),
                                    v.choice(e, "severity", w, ("error", "warning"), required=False) or "error"))
    v.unique(elig, "content.eligibility")

    criteria = parse_criteria(criteria_doc) if criteria_doc is not None else parse_criteria(doc)
    if criteria_doc is not None and criteria_doc.kind != "competition-criteria":
        _V(criteria_doc).fail("kind", f"expected 'competition-criteria', got {criteria_doc.kind!r}")
    scoring_raw = dict(v.req(c, "scoring", "content"))
    if criteria_doc is not None:
        # Weights and tie-breaks that name criteria of the document's own set do not apply to
        # another set; they fall back to equal weights and the remaining tie-breaks.
        new_ids = {x.id for x in criteria.criteria} | {"group:" + g.id for g in criteria.groups}
        scoring_raw["weights"] = {k: x for k, x in (scoring_raw.get("weights") or {}).items() if str(k) in new_ids}
        scoring_raw["tie_break"] = [t for t in scoring_raw.get("tie_break") or []
                                    if str(t) == "registered_at" or str(t) in new_ids or str(t).split(":", 1)[-1] in new_ids]
    scoring = _parse_scoring(v, scoring_raw, criteria)

    com = v.map(v.req(c, "commission", "content"), "content.commission")
    ms = v.map(v.req(com, "minimum_score", "content.commission"), "content.commission.minimum_score")
    wn = v.map(v.req(com, "winners", "content.commission"), "content.commission.winners")
    ms_default = ms.get("default")

    steps = []
    for i, s in enumerate(v.list(v.req(c, "procedure", "content"), "content.procedure")):
        w = f"content.procedure[{i}]"
        v.map(s, w)
        actor = v.choice(s, "actor", w, sorted(actor_ids))
        scope = v.choice(s, "scope", w, SCOPES)
        dl = None
        if s.get("deadline") is not None:
            dw = f"{w}.deadline"
            d = v.map(s["deadline"], dw)
            t = v.choice(d, "type", dw, DEADLINE_TYPES)
            if t == "within":
                if not s.get("from"):
                    v.fail(f"{w}.from", "a 'within' deadline needs the event it runs from")
                dl = DeadlineSpec(t, v.int(d, "days", dw, minimum=1), v.choice(d, "unit", dw, DAY_UNITS))
            elif t == "before":
                dl = DeadlineSpec(t, v.int(d, "days", dw, minimum=1), v.choice(d, "unit", dw, ("calendar",)), v.str(d, "event", dw))
            else:
                dl = DeadlineSpec(t, event=v.str(d, "event", dw))
        known = {"id", "clause", "actor", "scope", "text", "stage", "from", "done_by", "deadline", "only_if", "protocol"}
        steps.append(Step(
            id=v.str(s, "id", w), clause=v.str(s, "clause", w), actor=actor, scope=scope, text=v.text(s, "text", w),
            stage=s.get("stage"), from_event=s.get("from"), done_by=s.get("done_by"), deadline=dl,
            only_if=v.choice(s, "only_if", w, CONDITIONS, required=False), protocol=s.get("protocol"),
            extra={k: x for k, x in s.items() if k not in known},
        ))
    v.unique(steps, "content.procedure")

    up = v.map(v.req(c, "uploads", "content"), "content.uploads")
    rules = CompetitionRules(
        doc=doc, actors=tuple(actors), participant_kinds=tuple(kinds), stages=tuple(stages), packages=tuple(packages),
        eligibility=tuple(elig), criteria=criteria, scoring=scoring,
        minimum_score_clause=v.str(ms, "clause", "content.commission.minimum_score"),
        minimum_score_default=None if ms_default is None else v.dec(ms_default, "content.commission.minimum_score.default"),
        winners_clause=v.str(wn, "clause", "content.commission.winners"),
        support_recommendation_required=bool(wn.get("support_recommendation_required", True)),
        procedure=tuple(steps), upload_max_mb=v.int(up, "max_size_mb", "content.uploads", minimum=1),
        upload_types=tuple(v.list(v.req(up, "types", "content.uploads"), "content.uploads.types")),
        criteria_doc=criteria_doc,
    )
    # Cross-checks the engine relies on.
    for name in ("min_unaffiliated_legal_entities",):
        try:
            rules.eligibility_rule(name)
        except KeyError:
            v.fail("content.eligibility", f"the rule {name!r} is required by the engine")
    for sid in ("failure", "rerun", "expert_council_composition"):
        try:
            rules.step(sid)
        except KeyError:
            v.fail("content.procedure", f"the step {sid!r} is required by the engine")
    if not isinstance(rules.step("failure").extra.get("min_qualified"), int):
        v.fail("content.procedure[failure].min_qualified", "required integer")
    if not isinstance(rules.step("expert_council_composition").extra.get("min_years_experience"), int):
        v.fail("content.procedure[expert_council_composition].min_years_experience", "required integer")
    return rules


def _companions(rules: CompetitionRules, pins: dict | None = None) -> CompetitionRules:
    """``rules`` with the documents that complete them: the structures of the appendices
    (``competition-forms``) and the authorized bodies by sector (``sector-bodies``) — the pinned
    ones when ``pins`` names them, else the latest whose ``applies_to`` names the rules version."""
    from dataclasses import replace

    from klaster.engine.competition.forms import parse_forms
    from klaster.engine.competition.routing import parse_sector_bodies
    from klaster.regulations import companion

    pins = pins or {}
    out = {}
    for key, kind, parse in (("forms", "competition-forms", parse_forms), ("sector_bodies", "sector-bodies", parse_sector_bodies)):
        pin = pins.get(key)
        doc = load(pin["id"], pin["version"], sha256=pin["sha256"]) if pin else companion(rules.doc, kind)
        if doc is None:
            out[key] = None
            continue
        ck = (kind, str(doc.path), doc.sha256)
        if ck not in _PARSED:
            _PARSED[ck] = parse(doc)
        out[key] = _PARSED[ck]
    return replace(rules, **out)


#: Parsed completing documents by (kind, file, sha256): a text never changes under its checksum.
_PARSED: dict = {}


def load_rules(doc_id: str = DEFAULT_RULES, version: str | None = None, *, sha256: str | None = None,
               criteria: tuple[str, str | None] | None = None, criteria_sha256: str | None = None,
               companions: dict | None = None) -> CompetitionRules:
    """Load and validate a competition regulation through :func:`klaster.regulations.load`, with
    the documents that complete it (structures of the appendices, authorized bodies by sector).

    Parameters
    ----------
    doc_id, version, sha256
        The rules document (see :func:`klaster.regulations.load`; a pinned ``sha256`` must match).
    criteria : (doc id, version), optional
        An alternative criteria set (kind ``competition-criteria``), e.g.
        ``("competition-criteria-2016", "order-873-2016")``.
    companions : dict, optional
        Pins of the completing documents (``{"forms": pin, "sector_bodies": pin}``); default the
        latest that apply to the rules version.

    Raises
    ------
    RegulationError, RulesFormatError
    """
    doc = load(doc_id, version, sha256=sha256)
    cdoc = load(criteria[0], criteria[1], sha256=criteria_sha256) if criteria else None
    return _companions(parse_rules(doc, cdoc), companions)


def load_pinned(pins: dict) -> CompetitionRules:
    """Load exactly the texts a competition pinned (``CompetitionRules.pins``); a competition pinned
    before the completing documents existed gets the latest ones that apply to its rules."""
    r = pins["rules"]
    c = pins.get("criteria")
    return load_rules(r["id"], r["version"], sha256=r["sha256"],
                      criteria=(c["id"], c["version"]) if c else None, criteria_sha256=c["sha256"] if c else None,
                      companions={k: pins[k] for k in ("forms", "sector_bodies") if k in pins})
