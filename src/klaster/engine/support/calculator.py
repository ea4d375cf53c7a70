"""Reimbursable amount of a support-instrument application, with every cap explained.

The order of the computation follows the text of each instrument (seed 004, programme §5.3):

1. exclude costs financed from the budget under other programmes (§5.1, closing paragraphs);
2. exclude cost kinds the component does not reimburse (e.g. travel for hired experts, §5.3
   instrument 3, 2));
3. exclude costs outside the time window before the application date (e.g. 6 or 12 months);
4. apply the rate (share of costs) — per unit (employee, specialist) when the component caps per
   unit, admitting at most the allowed number of units per enterprise a year and capping each
   unit at its per-unit cap less what it already received that year;
5. apply the caps on the amount: fixed, by enterprise size, a share of a base value (2% of the
   construction-and-installation cost), per cluster (less what the cluster already received);
6. round half-up to the tiyn.

Where the regulation records two readings of what a cap limits (``cap_reading`` of a component:
instruments 3–5, reading ``caps-instruments-3-5``), the option chosen decides the order: under
``reimbursement`` (the default) steps 4–5 run as above; under ``costs`` the fixed, by-size and
per-unit caps limit the costs admitted *before* the rate (the reimbursement is then at most the
rate × the cap). The reading used is the first step of the explanation after the eligible costs.

Every step is recorded as a :class:`Step` carrying its clause; :meth:`Step.text` renders it in
kk, ru or en. Amounts are :class:`~klaster.common.money.Money` in tenge; floats are refused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta

from klaster.common.money import Money

from .messages import Msg
from .rules import CAP_READING_OPTIONS, Component, InstrumentError

ZERO = Money(0, "tenge")
NO_DOUBLE_FUNDING_CLAUSE = "Programme §5.1 (closing paragraphs)"


class CalculationError(ValueError):
    """The application lacks a value the computation needs, or the component cannot be computed.

    ``msg`` is the :class:`~klaster.engine.support.messages.Msg` (code and parameters).
    """

    def __init__(self, msg: Msg):
        self.msg = msg
        super().__init__(str(msg))


@dataclass(frozen=True)
class CostItem:
    """One cost the applicant claims.

    Parameters
    ----------
    amount : Money
        Cost incurred (any tenge unit; converted to tenge).
    incurred_on : date
        Date of the cost (payment order).
    unit_id : str, optional
        The employee or specialist the cost is for (required when the component caps per unit).
    kind : str
        ``services`` (default), ``labour``, ``travel``, ``accommodation``, ``per-diem`` or ``other``.
    budget_funded : bool
        Already financed from the republican/local budget under another programme.
    description : str
    """

    amount: Money
    incurred_on: dt.date
    unit_id: str | None = None
    kind: str = "services"
    budget_funded: bool = False
    description: str = ""


@dataclass(frozen=True)
class PriorUse:
    """What the same enterprise / cluster already received in the same period.

    ``unit_reimbursed`` maps a unit id (employee, specialist) to the amount already reimbursed to
    it under this component in the calendar year of the application; ``cluster_reimbursed`` is
    what the cluster already received under a per-cluster cap.
    """

    unit_reimbursed: dict[str, Money] = field(default_factory=dict)
    cluster_reimbursed: Money = ZERO


@dataclass(frozen=True)
class Step:
    """One step of the computation: ``code``, the ``clause`` it applies, its parameters and the
    running amount before and after it."""

    code: str
    clause: str
    params: dict
    before: Money | None = None
    after: Money | None = None
    binding: bool = False

    def text(self, lang: str = "en") -> str:
        """The step as a sentence in ``lang`` (kk, ru, en), ending with its clause."""
        p = {k: (_fmt(v, lang) if isinstance(v, Money) else v) for k, v in self.params.items()}
        if "unit" in p:
            p["unit"] = UNIT_NAMES.get(p["unit"], {}).get(lang, p["unit"])
        if "size" in p:
            p["size"] = SIZE_NAMES.get(p["size"], {}).get(lang, p["size"])
        if self.before is not None:
            p["before"] = _fmt(self.before, lang)
        if self.after is not None:
            p["after"] = _fmt(self.after, lang)
        tpl = TEMPLATES[self.code].get(lang) or TEMPLATES[self.code]["en"]
        s = tpl.format(**p)
        return f"{s} [{self.clause}]" if self.clause else s


def _fmt(m: Money, lang: str) -> str:
    """Money in the text: whole amounts without decimals, others to the tiyn."""
    a = m.amount
    return m.format(lang, decimals=0 if a == a.to_integral_value() else 2)


UNIT_NAMES = {
    "employee": {"en": "employee", "ru": "работник", "kk": "қызметкер"},
    "specialist": {"en": "specialist", "ru": "специалист", "kk": "маман"},
}
SIZE_NAMES = {
    "sme": {"en": "small or medium", "ru": "малое или среднее", "kk": "шағын немесе орта"},
    "large": {"en": "large", "ru": "крупное", "kk": "ірі"},
}

TEMPLATES: dict[str, dict[str, str]] = {
    "claimed": {
        "en": "Costs claimed: {total} in {count} item(s)",
        "ru": "Заявлено затрат: {total} ({count} поз.)",
        "kk": "Мәлімделген шығындар: {total} ({count} тармақ)",
    },
    "excluded-double-funding": {
        "en": "Excluded {item} ({amount}): already financed from the budget under another programme",
        "ru": "Исключено {item} ({amount}): уже профинансировано из бюджета по другой программе",
        "kk": "{item} ({amount}) алынып тасталды: басқа бағдарлама бойынша бюджеттен қаржыландырылған",
    },
    "excluded-kind": {
        "en": "Excluded {item} ({amount}): cost kind '{kind}' is not reimbursed; only {kinds}",
        "ru": "Исключено {item} ({amount}): вид затрат «{kind}» не возмещается; только {kinds}",
        "kk": "{item} ({amount}) алынып тасталды: «{kind}» шығыны өтелмейді; тек {kinds}",
    },
    "excluded-window": {
        "en": "Excluded {item} ({amount}, {date}): incurred before {start}, outside the {months} months before the application of {application}",
        "ru": "Исключено {item} ({amount}, {date}): понесено до {start}, вне {months} мес. до даты заявки {application}",
        "kk": "{item} ({amount}, {date}) алынып тасталды: {start} дейін жұмсалған, өтінімге ({application}) дейінгі {months} айдан тыс",
    },
    "excluded-after-application": {
        "en": "Excluded {item} ({amount}, {date}): incurred after the application date {application}",
        "ru": "Исключено {item} ({amount}, {date}): понесено после даты заявки {application}",
        "kk": "{item} ({amount}, {date}) алынып тасталды: өтінім күнінен ({application}) кейін жұмсалған",
    },
    "eligible": {
        "en": "Eligible costs: {eligible}",
        "ru": "Затраты, принимаемые к возмещению: {eligible}",
        "kk": "Өтеуге қабылданатын шығындар: {eligible}",
    },
    "rate": {
        "en": "{rate}% of the eligible costs {eligible} = {after}",
        "ru": "{rate}% от принимаемых затрат {eligible} = {after}",
        "kk": "Қабылданатын шығындардың {rate}%-ы {eligible} = {after}",
    },
    "unit-rate": {
        "en": "{unit} {unit_id}: {rate}% of {cost} = {after}",
        "ru": "{unit} {unit_id}: {rate}% от {cost} = {after}",
        "kk": "{unit} {unit_id}: {cost} сомасының {rate}%-ы = {after}",
    },
    "unit-cap": {
        "en": "{unit} {unit_id}: capped at {cap} per {unit} a year, {prior} already reimbursed this year: {before} → {after}",
        "ru": "{unit} {unit_id}: ограничение {cap} на одного в год, уже возмещено в этом году {prior}: {before} → {after}",
        "kk": "{unit} {unit_id}: жылына біреуге {cap} шегі, осы жылы өтелгені {prior}: {before} → {after}",
    },
    "unit-limit": {
        "en": "{unit} {unit_id} not reimbursed: at most {max} per enterprise a year, {used} already counted",
        "ru": "{unit} {unit_id} не возмещается: не более {max} на предприятие в год, уже учтено {used}",
        "kk": "{unit} {unit_id} өтелмейді: бір кәсіпорынға жылына {max}-ден аспайды, есептелгені {used}",
    },
    "units-total": {
        "en": "Sum over {count} {unit}(s): {after}",
        "ru": "Итого по {count} ({unit}): {after}",
        "kk": "{count} ({unit}) бойынша жиыны: {after}",
    },
    "reading-reimbursement": {
        "en": "Reading of the caps: they limit the reimbursement (the share of the costs first, then the cap)",
        "ru": "Прочтение пределов: они ограничивают сумму возмещения (сначала доля затрат, затем предел)",
        "kk": "Шектердің оқылуы: олар өтелетін соманы шектейді (алдымен шығындар үлесі, содан кейін шек)",
    },
    "reading-costs": {
        "en": "Reading of the caps: they limit the costs admitted (the cap first, then the share of the costs)",
        "ru": "Прочтение пределов: они ограничивают затраты, принимаемые к возмещению (сначала предел, затем доля затрат)",
        "kk": "Шектердің оқылуы: олар өтеуге қабылданатын шығындарды шектейді (алдымен шек, содан кейін шығындар үлесі)",
    },
    "unit-costs-cap": {
        "en": "{unit} {unit_id}: costs admitted up to {cap} per {unit} a year, less {prior} of costs already reimbursed this year: {before} → {after}",
        "ru": "{unit} {unit_id}: затраты принимаются не более {cap} на одного в год за вычетом затрат {prior}, уже возмещённых в этом году: {before} → {after}",
        "kk": "{unit} {unit_id}: шығындар жылына біреуге {cap} шегіне дейін қабылданады, осы жылы өтелген {prior} шығын шегеріледі: {before} → {after}",
    },
    "costs-cap-fixed": {
        "en": "Costs admitted up to the cap {cap}: {before} → {after}",
        "ru": "Затраты принимаются не более {cap}: {before} → {after}",
        "kk": "Шығындар {cap} шегіне дейін қабылданады: {before} → {after}",
    },
    "costs-cap-by-size": {
        "en": "Costs of a {size} enterprise admitted up to {cap}: {before} → {after}",
        "ru": "Затраты предприятия ({size}) принимаются не более {cap}: {before} → {after}",
        "kk": "Кәсіпорынның ({size}) шығындары {cap} шегіне дейін қабылданады: {before} → {after}",
    },
    "cap-fixed": {
        "en": "Cap {cap}: {before} → {after}",
        "ru": "Ограничение {cap}: {before} → {after}",
        "kk": "{cap} шегі: {before} → {after}",
    },
    "cap-by-size": {
        "en": "Cap for a {size} enterprise {cap}: {before} → {after}",
        "ru": "Ограничение для предприятия ({size}) {cap}: {before} → {after}",
        "kk": "Кәсіпорынға ({size}) шек {cap}: {before} → {after}",
    },
    "cap-share-of-base": {
        "en": "Cap {share}% of the {base} {base_value} = {cap}: {before} → {after}",
        "ru": "Ограничение {share}% от «{base}» {base_value} = {cap}: {before} → {after}",
        "kk": "«{base}» {base_value} сомасының {share}%-ы = {cap} шегі: {before} → {after}",
    },
    "cap-per-cluster": {
        "en": "Cap {cap} per cluster, {prior} already reimbursed to the cluster, {remaining} left: {before} → {after}",
        "ru": "Ограничение {cap} на кластер, кластеру уже возмещено {prior}, остаток {remaining}: {before} → {after}",
        "kk": "Бір кластерге {cap} шегі, кластерге өтелгені {prior}, қалдығы {remaining}: {before} → {after}",
    },
    "rounding": {
        "en": "Rounded half-up to {decimals} decimals: {before} → {after}",
        "ru": "Округление до {decimals} знаков: {before} → {after}",
        "kk": "{decimals} таңбаға дейін дөңгелектеу: {before} → {after}",
    },
    "result": {
        "en": "Reimbursable amount: {after}",
        "ru": "Сумма к возмещению: {after}",
        "kk": "Өтелетін сома: {after}",
    },
}


@dataclass(frozen=True)
class Reimbursement:
    """Result of :func:`compute_reimbursement`.

    Attributes
    ----------
    component_id : str
    claimed, eligible_cost, gross, amount : Money (tenge)
        Costs claimed; costs admitted after exclusions; rate × admitted costs before the caps;
        the reimbursable amount.
    steps : tuple of Step
    unit_amounts : dict of str to Money
        Per-unit amounts after the per-unit caps (before the caps on the whole amount); they
        are the "already reimbursed this year" of the next application.
    binding_caps : tuple of str
        Codes of the caps that reduced the amount (``unit-cap``, ``unit-limit``, ``cap-fixed``,
        ``cap-by-size``, ``cap-share-of-base``, ``cap-per-cluster``).
    """

    component_id: str
    claimed: Money
    eligible_cost: Money
    gross: Money
    amount: Money
    steps: tuple[Step, ...]
    binding_caps: tuple[str, ...]
    unit_amounts: dict[str, Money] = field(default_factory=dict)

    def explanation(self, lang: str = "en") -> list[str]:
        return [s.text(lang) for s in self.steps]


def window_start(application_date: dt.date, months: int) -> dt.date:
    """First day of "no earlier than ``months`` months before the application date".

    Same day number ``months`` months earlier, clamped to the last day of a shorter month
    (31 August − 6 months = 28/29 February). See the notes of the regulation document.
    """
    return application_date - relativedelta(months=months)


def _pct(rate: Decimal) -> str:
    s = format((rate * 100).normalize(), "f")
    return s


def _cap_limit(component: Component, cap, enterprise_size: str | None) -> tuple[Money, dict]:
    """The limit of a fixed or by-size cap (tenge) and the parameters of its step."""
    if cap.type == "fixed":
        limit = cap.amount.to("tenge")
        return limit, {"cap": limit}
    if enterprise_size not in cap.amounts:
        raise CalculationError(Msg("calc.no_size", component=component.id, sizes=", ".join(cap.amounts)))
    limit = cap.amounts[enterprise_size].to("tenge")
    return limit, {"cap": limit, "size": enterprise_size}


def _sum(items) -> Money:
    total = ZERO
    for it in items:
        total = total + it.amount
    return total.to("tenge")


def compute_reimbursement(
    component: Component,
    *,
    application_date: dt.date,
    costs: list[CostItem],
    enterprise_size: str | None = None,
    bases: dict[str, Money] | None = None,
    prior: PriorUse | None = None,
    rounding_decimals: int = 2,
    readings: dict[str, str] | None = None,
) -> Reimbursement:
    """Compute the reimbursable amount of one application for one instrument component.

    Parameters
    ----------
    component : Component
        From :func:`klaster.engine.support.rules.load_instruments`.
    application_date : date
        Date the application was registered (the time windows count back from it).
    costs : list of CostItem
        The costs claimed (tenge).
    enterprise_size : {"sme", "large"}, optional
        Needed by caps that depend on the size (instrument 4, 1)).
    bases : dict of str to Money, optional
        Base values of share caps, e.g. ``{"construction-installation-cost": Money(...)}``.
    prior : PriorUse, optional
        Reimbursements already granted this year to the same units / cluster.
    rounding_decimals : int
        Decimals of tenge in the result (the regulation's ``rounding``; default 2 = tiyn).
    readings : dict of str to str, optional
        The options chosen for the regulation's readings (``{reading id: option id}``, as
        :func:`klaster.regulations.check_readings` completes them); a reading not given takes its
        default. Only ``cap_reading`` of the component is used here: ``reimbursement`` or ``costs``
        (:data:`~klaster.engine.support.rules.CAP_READING_OPTIONS`).

    Returns
    -------
    Reimbursement

    Raises
    ------
    CalculationError
        The component has no rate in the act (instrument 8), a per-unit component gets a cost
        without ``unit_id``, a size / base value the caps need is missing, or the option chosen
        for the component's cap reading is unknown.
    """
    calc = component.calculation
    if calc.not_in_seed or calc.rate is None:
        raise CalculationError(Msg("calc.not_computable", component=component.id, reason=str(calc.not_in_seed)))
    prior = prior or PriorUse()
    bases = bases or {}
    steps: list[Step] = []
    binding: list[str] = []
    claimed = _sum(costs)
    steps.append(Step("claimed", "", {"total": claimed, "count": len(costs)}))

    kept: list[CostItem] = []
    start = window_start(application_date, calc.window_months) if calc.window_months else None
    for n, it in enumerate(costs, 1):
        label = it.description or f"#{n}"
        amount = it.amount.to("tenge")
        if it.budget_funded:
            steps.append(Step("excluded-double-funding", NO_DOUBLE_FUNDING_CLAUSE, {"item": label, "amount": amount}))
            continue
        if calc.eligible_kinds is not None and it.kind not in calc.eligible_kinds:
            steps.append(Step("excluded-kind", calc.clause, {"item": label, "amount": amount, "kind": it.kind, "kinds": ", ".join(calc.eligible_kinds)}))
            continue
        if it.incurred_on > application_date:
            steps.append(Step("excluded-after-application", calc.window_clause or calc.clause, {"item": label, "amount": amount, "date": it.incurred_on.isoformat(), "application": application_date.isoformat()}))
            continue
        if start is not None and it.incurred_on < start:
            steps.append(
                Step("excluded-window", calc.window_clause, {"item": label, "amount": amount, "date": it.incurred_on.isoformat(), "start": start.isoformat(), "months": calc.window_months, "application": application_date.isoformat()})
            )
            continue
        kept.append(it)
    eligible = _sum(kept)
    steps.append(Step("eligible", "", {"eligible": eligible}))
    rate_pct = _pct(calc.rate)
    on_costs = False
    if calc.cap_reading:
        option = (readings or {}).get(calc.cap_reading, calc.cap_reading_default)
        if option not in CAP_READING_OPTIONS:
            raise CalculationError(Msg("calc.reading", component=component.id, reading=calc.cap_reading, option=option, options=", ".join(CAP_READING_OPTIONS)))
        on_costs = option == "costs"
        steps.append(Step(f"reading-{option}", calc.cap_reading_clause, {}))

    if calc.per_unit is not None:
        pu = calc.per_unit
        by_unit: dict[str, Money] = {}
        for it in kept:
            if not it.unit_id:
                raise CalculationError(Msg("calc.no_unit", component=component.id, unit=UNIT_NAMES.get(pu.unit, {"en": pu.unit}), cost=it.description or str(it.amount)))
            by_unit[it.unit_id] = by_unit.get(it.unit_id, ZERO) + it.amount.to("tenge")
        counted = set(prior.unit_reimbursed)
        unit_amounts: dict[str, Money] = {}
        total = ZERO
        admitted = 0
        gross = ZERO
        for uid, cost in by_unit.items():
            if uid not in counted and pu.max_units_per_enterprise is not None and len(counted) >= pu.max_units_per_enterprise:
                steps.append(Step("unit-limit", pu.clause, {"unit": pu.unit, "unit_id": uid, "max": pu.max_units_per_enterprise, "used": len(counted)}, binding=True))
                binding.append("unit-limit")
                continue
            counted.add(uid)
            admitted += 1
            gross = gross + cost * calc.rate
            already = prior.unit_reimbursed.get(uid, ZERO).to("tenge")
            if on_costs:
                # the cap limits the unit's costs of the year; what it already received this year
                # stands for costs of (received ÷ rate)
                prior_cost = Money(already.amount / calc.rate, "tenge")
                room = pu.cap.to("tenge") - prior_cost
                if room < ZERO:
                    room = ZERO
                admitted_cost = cost.min(room)
                if admitted_cost < cost:
                    steps.append(Step("unit-costs-cap", pu.clause, {"unit": pu.unit, "unit_id": uid, "cap": pu.cap, "prior": prior_cost},
                                      before=cost, after=admitted_cost, binding=True))
                    binding.append("unit-cap")
                capped = admitted_cost * calc.rate
                steps.append(Step("unit-rate", calc.clause, {"unit": pu.unit, "unit_id": uid, "rate": rate_pct, "cost": admitted_cost}, after=capped))
            else:
                g = cost * calc.rate
                steps.append(Step("unit-rate", calc.clause, {"unit": pu.unit, "unit_id": uid, "rate": rate_pct, "cost": cost}, after=g))
                room = pu.cap - already
                if room < ZERO:
                    room = ZERO
                capped = g.min(room)
                if capped < g:
                    steps.append(Step("unit-cap", pu.clause, {"unit": pu.unit, "unit_id": uid, "cap": pu.cap, "prior": already}, before=g, after=capped, binding=True))
                    binding.append("unit-cap")
            total = total + capped
            unit_amounts[uid] = capped
        steps.append(Step("units-total", pu.clause, {"count": admitted, "unit": pu.unit}, after=total))
        amount = total
    else:
        unit_amounts = {}
        gross = eligible * calc.rate
        admitted_cost = eligible
        if on_costs:  # the fixed and by-size caps limit the costs admitted, before the rate
            for cap in calc.caps:
                if cap.type not in ("fixed", "by-size"):
                    continue
                limit, params = _cap_limit(component, cap, enterprise_size)
                before = admitted_cost
                admitted_cost = admitted_cost.min(limit)
                bound = admitted_cost < before
                steps.append(Step(f"costs-cap-{cap.type}", cap.clause, params, before=before, after=admitted_cost, binding=bound))
                if bound:
                    binding.append(f"cap-{cap.type}")
        amount = admitted_cost * calc.rate
        steps.append(Step("rate", calc.clause, {"rate": rate_pct, "eligible": admitted_cost}, after=amount))

    for cap in calc.caps:
        before = amount
        if on_costs and cap.type in ("fixed", "by-size"):
            continue  # applied to the costs above
        if cap.type in ("fixed", "by-size"):
            limit, params = _cap_limit(component, cap, enterprise_size)
        elif cap.type == "share-of-base":
            if cap.base not in bases:
                raise CalculationError(Msg("calc.no_base", component=component.id, share=_pct(cap.share), base=cap.base))
            base_value = bases[cap.base].to("tenge")
            limit = base_value * cap.share
            params = {"cap": limit, "share": _pct(cap.share), "base": cap.base, "base_value": base_value}
        elif cap.type == "per-cluster":
            already = prior.cluster_reimbursed.to("tenge")
            limit = cap.amount.to("tenge") - already
            if limit < ZERO:
                limit = ZERO
            params = {"cap": cap.amount.to("tenge"), "prior": already, "remaining": limit}
        else:  # pragma: no cover - rejected by the parser
            raise InstrumentError(f"unknown cap type {cap.type}")
        amount = amount.min(limit)
        bound = amount < before
        steps.append(Step(f"cap-{cap.type}", cap.clause, params, before=before, after=amount, binding=bound))
        if bound:
            binding.append(f"cap-{cap.type}")

    q = Decimal(1).scaleb(-rounding_decimals)
    rounded = Money(amount.amount.quantize(q, rounding=ROUND_HALF_UP), "tenge")
    if rounded.amount != amount.amount:
        steps.append(Step("rounding", "", {"decimals": rounding_decimals}, before=amount, after=rounded))
    steps.append(Step("result", calc.clause, {}, after=rounded))
    return Reimbursement(
        component_id=component.id,
        claimed=claimed,
        eligible_cost=eligible,
        gross=gross,
        amount=rounded,
        steps=tuple(steps),
        binding_caps=tuple(binding),
        unit_amounts=unit_amounts,
    )
