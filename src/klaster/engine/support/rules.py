"""Support instruments of "Productivity 2020" read from regulation data (no Django).

The instruments, their components (a component is one reimbursable line of an instrument, e.g.
instrument 3 has 3a "training" and 3b "experts"), eligibility, rates, caps, time windows,
executor qualifications, document checklists and processing procedures all live in the
regulation document ``productivity2020-instruments`` (seed 004, programme §5; regulations.md §7).
This module turns the YAML into typed, validated objects; the calculator, the eligibility checks
and the deadline schedule use only these objects.

Errors
------
InstrumentError
    Malformed instrument data (the message names the document, instrument and field) or an
    unknown instrument / component id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from klaster import regulations
from klaster.common.money import Money, to_decimal
from klaster.regulations import RegulationDocument

DOC_ID = "productivity2020-instruments"
CAP_TYPES = ("fixed", "by-size", "share-of-base", "per-cluster", "per-cluster-year")
#: Kinds of a calculation: a reimbursement of costs (instruments 2–5, 7, 8) or the leasing terms
#: the programme operator confirms (instrument 1).
CALCULATION_KINDS = ("reimbursement", "leasing")
#: Conditions under which an item of a document list becomes required (``required_when``).
DOCUMENT_CONDITIONS = ("executor_kind", "cost_kind", "executor_licence_required")
ELIGIBILITY_TYPES = ("priority-oked", "min-years-activity", "competition-stage-won", "declaration")
#: Options of a reading of the caps (``cap_reading`` of a calculation): the cap limits the
#: reimbursement (the rate first, then the cap) or the costs admitted (the cap first, then the rate).
CAP_READING_OPTIONS = ("reimbursement", "costs")


class InstrumentError(ValueError):
    """Malformed instrument data or an unknown instrument/component."""


@dataclass(frozen=True)
class Cap:
    """A cap on the reimbursed amount of a component.

    ``type`` is one of :data:`CAP_TYPES`: ``fixed`` (``amount``), ``by-size`` (``amounts`` by
    enterprise size ``sme``/``large``), ``share-of-base`` (``share`` × a base value the applicant
    states, e.g. the construction-and-installation cost), ``per-cluster`` (``amount`` per cluster,
    less what the cluster already received), ``per-cluster-year`` (``amount`` per cluster and
    calendar year, less what the cluster received in the year of the application).
    """

    type: str
    clause: str
    amount: Money | None = None
    amounts: dict[str, Money] = field(default_factory=dict)
    share: Decimal | None = None
    base: str | None = None


@dataclass(frozen=True)
class PerUnit:
    """A cap per unit (employee, specialist) and a limit of units per enterprise per period."""

    unit: str
    cap: Money
    period: str
    max_units_per_enterprise: int | None
    clause: str


@dataclass(frozen=True)
class RateStep:
    """The rate of the support years ``years`` (1 = the first year), e.g. 75 % in years 1–2."""

    years: tuple[int, ...]
    rate: Decimal
    clause: str


@dataclass(frozen=True)
class Leasing:
    """The leasing terms of instrument 1 (Programme §5.3, instrument 1): the applicant's own cash
    share of the leased asset's value, the least asset value (lower for light industry, read from
    the OKED divisions ``light_industry_oked``), the longest term, the applicant's rate and the
    operator's funding ratio (budget credit : other funding); each with its clause."""

    clause: str
    min_own_share: Decimal
    min_own_share_clause: str
    min_asset_value: dict[str, Money]
    min_asset_value_clause: str
    light_industry_oked: tuple[str, ...]
    max_term_years: int
    max_term_clause: str
    applicant_rate: Decimal
    applicant_rate_clause: str
    funding_ratio: dict[str, Decimal]
    funding_ratio_clause: str


@dataclass(frozen=True)
class Parameters:
    """Where the rates and caps of a component come from when the act states none (instrument 8):
    the regulation document (id, version, SHA-256, title) and the entry and clause in it."""

    id: str
    version: str
    sha256: str
    title: dict
    entry: str
    clause: str

    @property
    def pin(self) -> dict:
        return {"id": self.id, "version": self.version, "sha256": self.sha256}


@dataclass(frozen=True)
class Calculation:
    """How a component's reimbursement is computed (rate, window, caps).

    ``cap_reading`` names the reading of the regulation (:attr:`RegulationDocument.readings`) that
    says what the caps limit, with options :data:`CAP_READING_OPTIONS`; ``cap_reading_default`` is
    its default option and ``cap_reading_clause`` its clause. None: the caps limit the reimbursement.

    ``kind`` is ``reimbursement`` or ``leasing`` (instrument 1: :attr:`leasing` holds the terms,
    no rate). ``group_split_clause``: a cost of one contract for several units is split equally
    among them (instrument 3, 1)). ``full_months_clause``: only full calendar months of a
    specialist's period of work are reimbursed (instrument 3, 2)). ``rates_by_year``: the rate
    depends on the support year (instrument 8, 8a), for ``support_years`` years. ``parameters``:
    the regulation the rates and caps are taken from when the act gives none (instrument 8).
    """

    clause: str
    rate: Decimal | None
    window_months: int | None = None
    window_clause: str = ""
    caps: tuple[Cap, ...] = ()
    per_unit: PerUnit | None = None
    eligible_kinds: tuple[str, ...] | None = None
    not_in_seed: str | None = None
    cap_reading: str | None = None
    cap_reading_default: str = "reimbursement"
    cap_reading_clause: str = ""
    kind: str = "reimbursement"
    leasing: Leasing | None = None
    group_split_clause: str = ""
    full_months_clause: str = ""
    rates_by_year: tuple[RateStep, ...] = ()
    support_years: int | None = None
    support_years_clause: str = ""
    parameters: Parameters | None = None


@dataclass(frozen=True)
class RequiredWhen:
    """An item of the document list required only in a case: ``when`` maps a condition of
    :data:`DOCUMENT_CONDITIONS` to the values that make it apply (all conditions must hold)."""

    code: str
    when: dict
    clause: str

    def applies(self, *, executor_kind: str | None = None, cost_kinds=(), executor_licence_required: bool = False) -> bool:
        for cond, value in self.when.items():
            if cond == "executor_kind" and executor_kind not in value:
                return False
            if cond == "cost_kind" and not set(cost_kinds) & set(value):
                return False
            if cond == "executor_licence_required" and bool(executor_licence_required) != bool(value):
                return False
        return True


@dataclass(frozen=True)
class EligibilityRule:
    type: str
    clause: str
    years: int | None = None
    stage: int | None = None
    id: str | None = None
    text: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ExecutorVariant:
    kind: str
    min_years_experience: int | None = None
    min_prior_projects: int | None = None
    licence_if_required: bool = False
    accredited: bool = False
    prior_projects_qualifier: str | None = None


@dataclass(frozen=True)
class Component:
    id: str
    instrument_id: str
    name: dict
    eligibility: tuple[EligibilityRule, ...]
    calculation: Calculation
    executor_clause: str
    executor_variants: tuple[ExecutorVariant, ...]
    documents_clause: str
    documents_required: tuple[str, ...]
    documents_conditional: tuple[str, ...]
    procedures: tuple[str, ...]
    documents_required_when: tuple[RequiredWhen, ...] = ()


@dataclass(frozen=True)
class Instrument:
    id: str
    name: dict
    reimbursement: bool
    components: tuple[Component, ...]
    procedures: tuple[str, ...]
    operator: object = None
    not_in_seed: str | None = None
    leasing: dict | None = None
    eligibility: tuple[EligibilityRule, ...] = ()


@dataclass(frozen=True)
class ProcedureStep:
    id: str
    after: str
    days: int
    unit: str
    actor: str
    clause: str
    text: dict


@dataclass(frozen=True)
class Procedure:
    id: str
    name: dict
    clause: str
    steps: tuple[ProcedureStep, ...]


@dataclass(frozen=True)
class InstrumentSet:
    """All instruments of one regulation version, with its documents and procedures."""

    doc: RegulationDocument
    instruments: tuple[Instrument, ...]
    procedures: dict[str, Procedure]
    documents: dict[str, dict]
    agreement: dict
    general: tuple[dict, ...]

    def instrument(self, instrument_id: str) -> Instrument:
        for i in self.instruments:
            if i.id == str(instrument_id):
                return i
        raise InstrumentError(f"unknown instrument {instrument_id!r}; known: {', '.join(i.id for i in self.instruments)}")

    def component(self, component_id: str) -> Component:
        for i in self.instruments:
            for c in i.components:
                if c.id == str(component_id):
                    return c
        known = ", ".join(c.id for i in self.instruments for c in i.components)
        raise InstrumentError(f"unknown instrument component {component_id!r}; known: {known}")

    def components(self) -> list[Component]:
        return [c for i in self.instruments for c in i.components]

    def procedure(self, procedure_id: str) -> Procedure:
        try:
            return self.procedures[procedure_id]
        except KeyError:
            raise InstrumentError(f"unknown procedure {procedure_id!r}; known: {', '.join(self.procedures)}") from None


def _where(doc, *parts):
    return f"{doc.path.name}: " + " → ".join(str(p) for p in parts)


def _money(v, unit, where) -> Money:
    try:
        return Money(to_decimal(str(v), field=where), unit)
    except Exception as e:  # MoneyError
        raise InstrumentError(f"{where}: {e}") from e


def _cap(doc, iid, cid, raw) -> Cap:
    where = _where(doc, f"instrument {iid}", f"component {cid}", "caps")
    t = raw.get("type")
    if t not in CAP_TYPES:
        raise InstrumentError(f"{where}: cap type {t!r} is not one of {', '.join(CAP_TYPES)}")
    clause = raw.get("clause") or ""
    if not clause:
        raise InstrumentError(f"{where}: every cap needs its clause")
    unit = raw.get("unit", "tenge")
    if t in ("fixed", "per-cluster", "per-cluster-year"):
        return Cap(type=t, clause=clause, amount=_money(raw["amount"], unit, where))
    if t == "by-size":
        return Cap(type=t, clause=clause, amounts={k: _money(v, unit, where) for k, v in raw["amounts"].items()})
    return Cap(type=t, clause=clause, share=to_decimal(str(raw["share"]), field=where), base=str(raw["base"]))


def _eligibility(doc, where, rows) -> tuple[EligibilityRule, ...]:
    out = []
    for r in rows or ():
        if r.get("type") not in ELIGIBILITY_TYPES:
            raise InstrumentError(f"{where}: eligibility type {r.get('type')!r} is not one of {', '.join(ELIGIBILITY_TYPES)}")
        out.append(
            EligibilityRule(
                type=r["type"],
                clause=r.get("clause", ""),
                years=r.get("years"),
                stage=r.get("stage"),
                id=r.get("id"),
                text={k: r[k] for k in ("kk", "ru", "en") if k in r},
            )
        )
    return tuple(out)


def _rate(v, where) -> Decimal:
    rate = to_decimal(str(v), field=where + " → rate")
    if not 0 < rate <= 1:
        raise InstrumentError(f"{where}: rate {rate} must be in (0, 1]")
    return rate


def _leasing(raw, where) -> Leasing:
    try:
        mav = raw["min_asset_value"]
        unit = mav.get("unit", "tenge")
        return Leasing(
            clause=raw["clause"],
            min_own_share=_rate(raw["min_own_share"]["value"], where + " → min_own_share"),
            min_own_share_clause=raw["min_own_share"]["clause"],
            min_asset_value={k: _money(v, unit, where + " → min_asset_value") for k, v in mav.items() if k not in ("unit", "clause")},
            min_asset_value_clause=mav["clause"],
            light_industry_oked=tuple(str(c) for c in raw.get("light_industry_oked") or ()),
            max_term_years=int(raw["max_term_years"]["value"]),
            max_term_clause=raw["max_term_years"]["clause"],
            applicant_rate=_rate(raw["applicant_rate"]["value"], where + " → applicant_rate"),
            applicant_rate_clause=raw["applicant_rate"]["clause"],
            funding_ratio={k: to_decimal(str(v), field=where + " → funding_ratio") for k, v in raw["funding_ratio"].items() if k != "clause"},
            funding_ratio_clause=raw["funding_ratio"]["clause"],
        )
    except (KeyError, TypeError) as e:
        raise InstrumentError(f"{where} → leasing: missing or malformed {e}") from None


def _parameters(doc, iid, cid, raw, where) -> tuple[dict, Parameters]:
    """The entry of the parameters document a calculation names (instrument 8), and where it is."""
    ref = raw["parameters"]
    try:
        pdoc = regulations.load(str(ref["document"]), str(ref["version"]))
    except (KeyError, regulations.RegulationError) as e:
        raise InstrumentError(f"{where}: parameters: {e}") from None
    if pdoc.kind != "support-parameters":
        raise InstrumentError(f"{where}: parameters: {pdoc.path.name} is of kind {pdoc.kind!r}, not 'support-parameters'")
    entry = (pdoc.content or {}).get(str(ref.get("entry")))
    if not isinstance(entry, dict):
        raise InstrumentError(f"{where}: parameters: {pdoc.path.name} has no entry {ref.get('entry')!r}")
    return entry, Parameters(id=pdoc.id, version=pdoc.version, sha256=pdoc.sha256, title=dict(pdoc.title), entry=str(ref["entry"]), clause=str(entry.get("clause", "")))


def _calculation(doc, iid, cid, raw) -> Calculation:
    where = _where(doc, f"instrument {iid}", f"component {cid}", "calculation")
    if raw.get("not_in_seed"):
        return Calculation(clause=raw.get("clause", ""), rate=None, not_in_seed=raw["not_in_seed"])
    kind = raw.get("kind", "reimbursement")
    if kind not in CALCULATION_KINDS:
        raise InstrumentError(f"{where}: kind {kind!r} is not one of {', '.join(CALCULATION_KINDS)}")
    if kind == "leasing":
        return Calculation(clause=raw["clause"], rate=None, kind="leasing", leasing=_leasing(raw.get("leasing") or {}, where))
    parameters = None
    if raw.get("parameters"):
        entry, parameters = _parameters(doc, iid, cid, raw, where)
        raw = {**entry, "clause": raw["clause"], "caps": entry.get("caps") or ()}
    steps = tuple(RateStep(tuple(int(y) for y in r["years"]), _rate(r["rate"], where), r.get("clause", "")) for r in raw.get("rates_by_support_year") or ())
    if steps:
        rate = steps[0].rate
    else:
        rate = _rate(raw["rate"], where)
    support = raw.get("support_years") or {}
    window = raw.get("window") or {}
    pu = raw.get("per_unit")
    per_unit = None
    if pu:
        per_unit = PerUnit(
            unit=pu["unit"],
            cap=_money(pu["cap"], pu.get("cap_unit", "tenge"), where + " → per_unit"),
            period=pu.get("period", "year"),
            max_units_per_enterprise=pu.get("max_units_per_enterprise"),
            clause=pu["clause"],
        )
    reading_id = raw.get("cap_reading")
    reading_default, reading_clause = "reimbursement", ""
    if reading_id:
        try:
            reading = doc.reading(str(reading_id))
        except regulations.RegulationError:
            raise InstrumentError(f"{where}: cap_reading {reading_id!r} is not one of the document's readings") from None
        if {o.id for o in reading.options} != set(CAP_READING_OPTIONS):
            raise InstrumentError(f"{where}: reading {reading_id!r} must have the options {', '.join(CAP_READING_OPTIONS)}")
        reading_default, reading_clause = reading.default.id, reading.clause
    return Calculation(
        clause=raw["clause"],
        rate=rate,
        rates_by_year=steps,
        support_years=int(support["value"]) if support else None,
        support_years_clause=str(support.get("clause", "")) if support else "",
        parameters=parameters,
        group_split_clause=str((raw.get("group_contract") or {}).get("clause", "")),
        full_months_clause=str((raw.get("full_calendar_months") or {}).get("clause", "")),
        cap_reading=str(reading_id) if reading_id else None,
        cap_reading_default=reading_default,
        cap_reading_clause=reading_clause,
        window_months=window.get("months"),
        window_clause=window.get("clause", ""),
        caps=tuple(_cap(doc, iid, cid, c) for c in raw.get("caps") or ()),
        per_unit=per_unit,
        eligible_kinds=tuple(raw["eligible_kinds"]) if raw.get("eligible_kinds") else None,
    )


def parse(doc: RegulationDocument) -> InstrumentSet:
    """Build the typed :class:`InstrumentSet` of a ``support-instruments`` regulation document.

    Raises
    ------
    InstrumentError
        A field is missing or malformed, or a document/procedure id is not defined.
    """
    if doc.kind != "support-instruments":
        raise InstrumentError(f"{doc.path.name}: kind is {doc.kind!r}, expected 'support-instruments'")
    c = doc.content
    documents = dict(c.get("documents") or {})
    procedures = {}
    for pid, p in (c.get("procedures") or {}).items():
        steps = []
        for s in p["steps"]:
            if s["unit"] not in ("working", "calendar"):
                raise InstrumentError(f"{_where(doc, 'procedure ' + pid, s['id'])}: unit must be 'working' or 'calendar'")
            steps.append(
                ProcedureStep(
                    id=s["id"], after=s["after"], days=int(s["days"]), unit=s["unit"], actor=s.get("actor", ""),
                    clause=s["clause"], text={k: s[k] for k in ("kk", "ru", "en") if k in s},
                )
            )
        procedures[pid] = Procedure(id=pid, name=p["name"], clause=p["clause"], steps=tuple(steps))
    instruments = []
    for raw in c["instruments"]:
        iid = str(raw["id"])
        procs = tuple(raw.get("procedures") or ())
        for pid in procs:
            if pid not in procedures:
                raise InstrumentError(f"{_where(doc, 'instrument ' + iid)}: procedure {pid!r} is not defined")
        comps = []
        for rc in raw.get("components") or ():
            cid = str(rc["id"])
            where = _where(doc, f"instrument {iid}", f"component {cid}")
            docs = rc.get("documents") or {}
            for code in list(docs.get("required") or ()) + list(docs.get("conditional") or ()):
                if code not in documents:
                    raise InstrumentError(f"{where}: document {code!r} is not in the document list")
            required_when = []
            for rw in docs.get("required_when") or ():
                if rw.get("code") not in (docs.get("conditional") or ()):
                    raise InstrumentError(f"{where}: required_when names {rw.get('code')!r}, which is not a conditional document of the component")
                unknown = set(rw.get("when") or {}) - set(DOCUMENT_CONDITIONS)
                if unknown or not rw.get("when"):
                    raise InstrumentError(f"{where}: required_when of {rw['code']!r}: conditions must be among {', '.join(DOCUMENT_CONDITIONS)}")
                if not rw.get("clause"):
                    raise InstrumentError(f"{where}: required_when of {rw['code']!r} needs its clause")
                required_when.append(RequiredWhen(code=rw["code"], when=dict(rw["when"]), clause=rw["clause"]))
            ex = rc.get("executor") or {}
            comps.append(
                Component(
                    id=cid,
                    instrument_id=iid,
                    name=rc["name"],
                    eligibility=_eligibility(doc, where, rc.get("eligibility")),
                    calculation=_calculation(doc, iid, cid, rc["calculation"]),
                    executor_clause=ex.get("clause", ""),
                    executor_variants=tuple(ExecutorVariant(**v) for v in ex.get("variants") or ()),
                    documents_clause=docs.get("clause", ""),
                    documents_required=tuple(docs.get("required") or ()),
                    documents_conditional=tuple(docs.get("conditional") or ()),
                    procedures=procs,
                    documents_required_when=tuple(required_when),
                )
            )
        instruments.append(
            Instrument(
                id=iid,
                name=raw["name"],
                reimbursement=bool(raw.get("reimbursement")),
                components=tuple(comps),
                procedures=procs,
                operator=raw.get("operator"),
                not_in_seed=raw.get("not_in_seed"),
                leasing=raw.get("leasing"),
                eligibility=_eligibility(doc, _where(doc, f"instrument {iid}"), raw.get("eligibility")),
            )
        )
    return InstrumentSet(
        doc=doc,
        instruments=tuple(instruments),
        procedures=procedures,
        documents=documents,
        agreement=dict(c.get("agreement") or {}),
        general=tuple(c.get("general") or ()),
    )


def load_instruments(version: str | None = None, *, sha256: str | None = None) -> InstrumentSet:
    """Load and parse the instruments regulation (default: the latest version).

    Raises
    ------
    klaster.regulations.RegulationError
        Unknown version or a pinned checksum that no longer matches.
    InstrumentError
        Malformed content.
    """
    return parse(regulations.load(DOC_ID, version, sha256=sha256))
