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
CAP_TYPES = ("fixed", "by-size", "share-of-base", "per-cluster")
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
    less what the cluster already received).
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
class Calculation:
    """How a component's reimbursement is computed (rate, window, caps).

    ``cap_reading`` names the reading of the regulation (:attr:`RegulationDocument.readings`) that
    says what the caps limit, with options :data:`CAP_READING_OPTIONS`; ``cap_reading_default`` is
    its default option and ``cap_reading_clause`` its clause. None: the caps limit the reimbursement.
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
    if t in ("fixed", "per-cluster"):
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


def _calculation(doc, iid, cid, raw) -> Calculation:
    where = _where(doc, f"instrument {iid}", f"component {cid}", "calculation")
    if raw.get("not_in_seed"):
        return Calculation(clause=raw.get("clause", ""), rate=None, not_in_seed=raw["not_in_seed"])
    rate = to_decimal(str(raw["rate"]), field=where + " → rate")
    if not 0 < rate <= 1:
        raise InstrumentError(f"{where}: rate {rate} must be in (0, 1]")
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
