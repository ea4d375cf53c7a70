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

import calendar as _calendar
import datetime as dt
from dataclasses import dataclass, field, replace
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
        The employee or specialist the cost is for (required when the component caps per unit);
        where the component splits a group contract equally (instrument 3, 1)), several names
        separated by ``;``.
    kind : str
        ``services`` (default), ``labour``, ``travel``, ``accommodation``, ``per-diem`` or ``other``.
    budget_funded : bool
        Already financed from the republican/local budget under another programme.
    description : str
    period_start, period_end : date, optional
        The period of work the cost pays for (needed where only full calendar months are
        reimbursed, instrument 3, 2)).
    """

    amount: Money
    incurred_on: dt.date
    unit_id: str | None = None
    kind: str = "services"
    budget_funded: bool = False
    description: str = ""
    period_start: dt.date | None = None
    period_end: dt.date | None = None

    def units(self, split: bool) -> list[str]:
        """The units the cost is for: several (``;``-separated) where ``split``, else one."""
        if not self.unit_id:
            return []
        if not split:
            return [self.unit_id]
        return [u.strip() for u in self.unit_id.split(";") if u.strip()]


@dataclass(frozen=True)
class PriorUse:
    """What the same enterprise / cluster already received in the same period.

    ``unit_reimbursed`` maps a unit id (employee, specialist) to the amount already reimbursed to
    it under this component in the calendar year of the application; ``cluster_reimbursed`` is
    what the cluster already received under a per-cluster cap; ``cluster_reimbursed_year`` what
    it received in the calendar year of the application (a per-cluster-year cap).
    """

    unit_reimbursed: dict[str, Money] = field(default_factory=dict)
    cluster_reimbursed: Money = ZERO
    cluster_reimbursed_year: Money = ZERO


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
        p = {k: (_fmt(v, lang) if isinstance(v, Money) else (v.get(lang) or v.get("en", "")) if isinstance(v, dict) else v) for k, v in self.params.items()}
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
    "group-split": {
        "en": "{item} ({amount}): one contract for {count} {unit}(s), {share} each (split equally)",
        "ru": "{item} ({amount}): один договор на {count} ({unit}), по {share} на каждого (поровну)",
        "kk": "{item} ({amount}): {count} ({unit}) бір шарт, әрқайсысына {share} (тең бөлінеді)",
    },
    "full-months": {
        "en": "{item}: period of work {start} – {end}, full calendar months in it and in the window: {months} ({days} of {total} days): {before} → {after}",
        "ru": "{item}: период работы {start} – {end}, полных календарных месяцев в нём и в пределах срока: {months} ({days} из {total} дн.): {before} → {after}",
        "kk": "{item}: жұмыс кезеңі {start} – {end}, ондағы және мерзім ішіндегі толық күнтізбелік айлар: {months} ({total} күннің {days} күні): {before} → {after}",
    },
    "rate-year": {
        "en": "Support year {year} of {years}: rate {rate}%",
        "ru": "Год поддержки {year} из {years}: ставка {rate}%",
        "kk": "Қолдаудың {years} жылының {year}-жылы: мөлшерлеме {rate}%",
    },
    "support-ended": {
        "en": "Support year {year}: support is given for {years} years only; nothing is reimbursed",
        "ru": "Год поддержки {year}: поддержка оказывается только {years} лет; возмещение не положено",
        "kk": "Қолдаудың {year}-жылы: қолдау тек {years} жыл көрсетіледі; өтелмейді",
    },
    "parameters": {
        "en": "Decree 440 states no rate or amount for this instrument: the parameters of {document} are applied",
        "ru": "Постановление 440 не устанавливает ставку и сумму по этому инструменту: применены параметры документа «{document}»",
        "kk": "440 қаулы бұл құрал бойынша мөлшерлеме мен соманы белгілемейді: «{document}» құжатының параметрлері қолданылды",
    },
    "cap-per-cluster-year": {
        "en": "Cap {cap} per cluster a year, {prior} already reimbursed to the cluster this year, {remaining} left: {before} → {after}",
        "ru": "Ограничение {cap} на кластер в год, кластеру в этом году уже возмещено {prior}, остаток {remaining}: {before} → {after}",
        "kk": "Бір кластерге жылына {cap} шегі, кластерге осы жылы өтелгені {prior}, қалдығы {remaining}: {before} → {after}",
    },
    "leasing-asset": {
        "en": "Value of the leased asset {asset}; at least {minimum}{light}",
        "ru": "Стоимость предмета лизинга {asset}; не менее {minimum}{light}",
        "kk": "Лизинг мәнінің құны {asset}; кемінде {minimum}{light}",
    },
    "leasing-own": {
        "en": "Applicant's own cash {own} = {share}% of the asset; at least {required}%",
        "ru": "Собственные денежные средства заявителя {own} = {share}% стоимости; не менее {required}%",
        "kk": "Өтінім берушінің өз ақша қаражаты {own} = құнның {share}%-ы; кемінде {required}%",
    },
    "leasing-term": {
        "en": "Term {years} year(s); at most {max}",
        "ru": "Срок {years} лет; не более {max}",
        "kk": "Мерзімі {years} жыл; {max} жылдан аспайды",
    },
    "leasing-financed": {
        "en": "Leasing financing: {asset} − {own} = {after}; the applicant's rate {rate}% a year; the operator funds it {credit}% from the budget credit and {other}% from other sources",
        "ru": "Лизинговое финансирование: {asset} − {own} = {after}; ставка для заявителя {rate}% годовых; оператор финансирует {credit}% из бюджетного кредита и {other}% из иных источников",
        "kk": "Лизингтік қаржыландыру: {asset} − {own} = {after}; өтінім беруші үшін мөлшерлеме жылына {rate}%; оператор {credit}%-ын бюджеттік кредиттен және {other}%-ын өзге көздерден қаржыландырады",
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
    support_year: int | None = None,
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
    support_year : int, optional
        The year of support (1 = the first) where the rate depends on it (instrument 8, 8a:
        75 % in years 1–2, 40 % in years 3–5, parameters of seed 002).

    Returns
    -------
    Reimbursement

    Raises
    ------
    CalculationError
        The component has no rate (instrument 6; instrument 1 is computed by
        :func:`compute_leasing`), a per-unit component gets a cost without ``unit_id``, a cost of a
        component reimbursing full months has no period of work, a size / base value / support
        year the calculation needs is missing, or the option chosen for the component's cap
        reading is unknown.
    """
    calc = component.calculation
    if calc.kind == "leasing":
        raise CalculationError(Msg("calc.leasing", component=component.id))
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
    if calc.full_months_clause:
        kept = [_full_months(component, it, n, start, application_date, steps) for n, it in enumerate(kept, 1)]
    eligible = _sum(kept)
    steps.append(Step("eligible", "", {"eligible": eligible}))
    rate = calc.rate
    if calc.parameters is not None:
        steps.append(Step("parameters", calc.parameters.clause, {"document": calc.parameters.title}))
    ended = False
    if calc.rates_by_year:
        if support_year is None:
            raise CalculationError(Msg("calc.no_support_year", component=component.id))
        found = next((r for r in calc.rates_by_year if support_year in r.years), None)
        if found is None or (calc.support_years and not 1 <= support_year <= calc.support_years):
            ended = True
            steps.append(Step("support-ended", calc.support_years_clause, {"year": support_year, "years": calc.support_years}, binding=True))
            binding.append("support-years")
        else:
            rate = found.rate
            steps.append(Step("rate-year", found.clause, {"year": support_year, "years": calc.support_years, "rate": _pct(rate)}))
    rate_pct = _pct(rate)
    on_costs = False
    if calc.cap_reading:
        option = (readings or {}).get(calc.cap_reading, calc.cap_reading_default)
        if option not in CAP_READING_OPTIONS:
            raise CalculationError(Msg("calc.reading", component=component.id, reading=calc.cap_reading, option=option, options=", ".join(CAP_READING_OPTIONS)))
        on_costs = option == "costs"
        steps.append(Step(f"reading-{option}", calc.cap_reading_clause, {}))

    if ended:
        unit_amounts = {}
        gross = ZERO
        amount = ZERO
    elif calc.per_unit is not None:
        pu = calc.per_unit
        by_unit: dict[str, Money] = {}
        split = bool(calc.group_split_clause)
        for n, it in enumerate(kept, 1):
            units = it.units(split)
            if not units:
                raise CalculationError(Msg("calc.no_unit", component=component.id, unit=UNIT_NAMES.get(pu.unit, {"en": pu.unit}), cost=it.description or str(it.amount)))
            share = Money(it.amount.to("tenge").amount / len(units), "tenge")
            if len(units) > 1:
                steps.append(Step("group-split", calc.group_split_clause, {"item": it.description or f"#{n}", "amount": it.amount.to("tenge"), "count": len(units), "unit": pu.unit, "share": share}))
            for uid in units:
                by_unit[uid] = by_unit.get(uid, ZERO) + share
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
            gross = gross + cost * rate
            already = prior.unit_reimbursed.get(uid, ZERO).to("tenge")
            if on_costs:
                # the cap limits the unit's costs of the year; what it already received this year
                # stands for costs of (received ÷ rate)
                prior_cost = Money(already.amount / rate, "tenge")
                room = pu.cap.to("tenge") - prior_cost
                if room < ZERO:
                    room = ZERO
                admitted_cost = cost.min(room)
                if admitted_cost < cost:
                    steps.append(Step("unit-costs-cap", pu.clause, {"unit": pu.unit, "unit_id": uid, "cap": pu.cap, "prior": prior_cost},
                                      before=cost, after=admitted_cost, binding=True))
                    binding.append("unit-cap")
                capped = admitted_cost * rate
                steps.append(Step("unit-rate", calc.clause, {"unit": pu.unit, "unit_id": uid, "rate": rate_pct, "cost": admitted_cost}, after=capped))
            else:
                g = cost * rate
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
        gross = eligible * rate
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
        amount = admitted_cost * rate
        steps.append(Step("rate", calc.clause, {"rate": rate_pct, "eligible": admitted_cost}, after=amount))

    for cap in () if ended else calc.caps:
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
        elif cap.type in ("per-cluster", "per-cluster-year"):
            already = (prior.cluster_reimbursed if cap.type == "per-cluster" else prior.cluster_reimbursed_year).to("tenge")
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


def _months_in_full(start: dt.date, end: dt.date, lo: dt.date | None, hi: dt.date) -> list[tuple[int, int]]:
    """The calendar months ``(year, month)`` that the period ``start``–``end`` covers in full and
    that lie wholly within ``lo``–``hi`` (the window; ``lo`` None: no lower bound)."""
    out = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        first = dt.date(y, m, 1)
        last = dt.date(y, m, _calendar.monthrange(y, m)[1])
        if start <= first and last <= end and (lo is None or lo <= first) and last <= hi:
            out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _full_months(component: Component, it: CostItem, n: int, lo: dt.date | None, hi: dt.date, steps: list) -> CostItem:
    """The part of a cost that pays for full calendar months of work (instrument 3, 2)): the
    amount × days of the full months within the window ÷ days of the period (pro rata by days)."""
    calc = component.calculation
    if it.period_start is None or it.period_end is None or it.period_end < it.period_start:
        raise CalculationError(Msg("calc.no_period", component=component.id, cost=it.description or f"#{n}"))
    months = _months_in_full(it.period_start, it.period_end, lo, hi)
    days = sum(_calendar.monthrange(y, m)[1] for y, m in months)
    total = (it.period_end - it.period_start).days + 1
    before = it.amount.to("tenge")
    after = Money(before.amount * days / total, "tenge") if days < total else before
    if after < before:
        steps.append(Step("full-months", calc.full_months_clause, {"item": it.description or f"#{n}", "start": it.period_start.isoformat(), "end": it.period_end.isoformat(),
                                                                  "months": len(months), "days": days, "total": total}, before=before, after=after, binding=True))
    return replace(it, amount=after)


def compute_leasing(component: Component, *, asset_value: Money, own_cash: Money, term_years: int, light_industry: bool = False) -> Reimbursement:
    """The leasing terms of instrument 1 for the applicant's project (Programme §5.3, instrument 1).

    The amount is the leasing financing (the asset's value less the applicant's own cash); the
    steps state the asset's value against its minimum (150 mln tenge, 75 mln for light industry),
    the own cash share (≥ 15 %), the term (≤ 10 years), the applicant's rate (5 %) and the
    operator's funding ratio (80 : 20). Whether each term is met is decided by
    :func:`klaster.engine.support.eligibility.check_leasing`.

    Raises
    ------
    CalculationError
        The component is not a leasing component, or the own cash exceeds the asset's value.
    """
    lz = component.calculation.leasing
    if component.calculation.kind != "leasing" or lz is None:
        raise CalculationError(Msg("calc.not_leasing", component=component.id))
    asset = asset_value.to("tenge")
    own = own_cash.to("tenge")
    if own > asset:
        raise CalculationError(Msg("calc.own_exceeds", component=component.id, own=str(own.amount), asset=str(asset.amount)))
    minimum = lz.min_asset_value["light-industry" if light_industry else "default"].to("tenge")
    share = (own.amount / asset.amount * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if asset.amount else Decimal(0)
    financed = asset - own
    light = {"en": " (light industry)", "ru": " (лёгкая промышленность)", "kk": " (жеңіл өнеркәсіп)"}
    steps = [
        Step("leasing-asset", lz.min_asset_value_clause, {"asset": asset, "minimum": minimum, "light": light if light_industry else ""}),
        Step("leasing-own", lz.min_own_share_clause, {"own": own, "share": format(share.normalize(), "f"), "required": _pct(lz.min_own_share)}),
        Step("leasing-term", lz.max_term_clause, {"years": term_years, "max": lz.max_term_years}),
        Step("leasing-financed", lz.funding_ratio_clause, {"asset": asset, "own": own, "rate": _pct(lz.applicant_rate),
                                                           "credit": _pct(lz.funding_ratio.get("budget_credit", Decimal(0))), "other": _pct(lz.funding_ratio.get("other", Decimal(0)))}, after=financed),
    ]
    return Reimbursement(component_id=component.id, claimed=asset, eligible_cost=asset, gross=financed, amount=financed, steps=tuple(steps), binding_caps=())
