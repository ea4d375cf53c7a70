"""The competition rule engine: plain Python (no Django), driven by regulation data.

It takes a :class:`~klaster.engine.competition.rules.CompetitionRules` (loaded with
:func:`load_rules` from ``klaster.regulations``), a working-day calendar and recorded events, and
answers: which deadlines are due, met or overdue (:mod:`.deadlines`); which transitions are
allowed (:mod:`.states`); whether a package is complete and its participants eligible
(:mod:`.package`); whether an expert may sit and score (:mod:`.experts`); the aggregated scores,
ranked list, threshold and winners (:mod:`.scoring`); routing, failure, re-run and publication
(:mod:`.outcome`). The Django app ``klaster.competition`` stores the data and calls these
functions; ``klaster competition trace`` prints which function enforces which clause
(:mod:`.registry`, :mod:`.trace`).
"""

from klaster.engine.competition.rules import (  # noqa: F401
    CompetitionRules,
    RulesFormatError,
    load_pinned,
    load_rules,
    parse_rules,
)
