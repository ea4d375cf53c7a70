"""The demo world of every module, loaded once per test class (as ``klaster demo`` loads it)."""

from __future__ import annotations

import importlib
import io


def load_world() -> None:
    """Accounts, competition, register, programmes and support demo data (``klaster demo``)."""
    from rich.console import Console

    from klaster.cli.web import DEMO_MODULES

    console = Console(file=io.StringIO())
    for mod in DEMO_MODULES:
        importlib.import_module(mod).load_demo(console)


#: The demo account of each role (``klaster.accounts.demo``).
DEMO_USER = {"organizer": "organizer", "analyst": "analyst", "expert": "expert", "akimat": "akimat", "authorized_body": "authorized",
             "regional_body": "regional", "commission_secretary": "secretary", "applicant": "applicant", "administrator": "admin"}


def demo_user(role: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=DEMO_USER[role])
