"""Support instruments of "Productivity 2020" as rules (plain Python, no Django).

- :mod:`.rules` — the instruments regulation parsed into typed objects;
- :mod:`.calculator` — the reimbursable amount with every cap explained;
- :mod:`.eligibility` — applicant eligibility, executor qualification, document checklist;
- :mod:`.deadlines` — processing deadlines in working days.
"""

from .calculator import CalculationError, CostItem, PriorUse, Reimbursement, Step, compute_leasing, compute_reimbursement, window_start
from .deadlines import Deadline, schedule
from .eligibility import ApplicantFacts, ExecutorFacts, Finding, LeasingFacts, check_eligibility, check_executor, check_leasing, document_checklist, is_eligible, is_light_industry, missing_documents
from .rules import Component, Instrument, InstrumentError, InstrumentSet, load_instruments, parse

__all__ = [
    "ApplicantFacts", "CalculationError", "Component", "CostItem", "Deadline", "ExecutorFacts", "Finding", "Instrument",
    "InstrumentError", "InstrumentSet", "LeasingFacts", "PriorUse", "Reimbursement", "Step", "check_eligibility", "check_executor",
    "check_leasing", "compute_leasing", "compute_reimbursement", "document_checklist", "is_light_industry", "is_eligible", "load_instruments", "missing_documents", "parse",
    "schedule", "window_start",
]
