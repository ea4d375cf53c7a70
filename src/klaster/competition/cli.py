"""``klaster competition …`` — regulation traceability and competition tools.

* ``klaster competition trace``     — every rule → clause → where the code enforces it → the tests;
* ``klaster competition validate``  — validate the competition regulation documents;
* ``klaster competition deadlines`` — the deadline table of a regulation version;
* ``klaster competition escalate``  — notify the responsible users and the organizers of overdue deadlines.
"""

from __future__ import annotations

from pathlib import Path

import typer

from klaster.cli._util import console, fail

app = typer.Typer(help="Competitive selection of territorial clusters (Decree 535): regulation tools.", no_args_is_help=True)

DOMAIN_MODULES = ("klaster.competition.domain.services",)


def _rules(doc: str, version: str | None, criteria: str | None):
    from klaster.engine.competition.rules import load_rules
    from klaster.regulations import RegulationError

    try:
        crit = None
        if criteria:
            cid, _, cver = criteria.partition(":")
            crit = (cid, cver or None)
        return load_rules(doc, version, criteria=crit)
    except RegulationError as e:
        fail(str(e))


@app.command()
def trace(
    doc: str = typer.Option("competition-decree-535", help="Regulation document id."),
    version: str = typer.Option(None, help="Version (default: the latest)."),
    tests: Path = typer.Option(Path("tests/competition"), help="Folder of the competition tests (names carry the clause)."),
    with_domain: bool = typer.Option(True, help="Also import the Django domain services to register their enforcement points."),
    check: bool = typer.Option(False, "--check", help="Exit with code 1 when a rule lacks enforcement or a test."),
    plain: bool = typer.Option(False, "--plain", help="Tab-separated lines instead of a table (for grep and CI logs)."),
) -> None:
    """Print the traceability table: rule → clause → enforcing code → covering tests."""
    from rich.table import Table

    from klaster.engine.competition.trace import load_enforcement, trace as build

    rules = _rules(doc, version, None)
    extra: tuple[str, ...] = ()
    if with_domain:
        try:
            from klaster.cli._util import setup_django

            setup_django()
            extra = DOMAIN_MODULES
        except Exception as e:  # noqa: BLE001 - the table is still useful without Django
            console.print(f"[yellow]note:[/yellow] Django domain not imported ({e}); engine enforcement only")
    try:
        load_enforcement(extra)
    except ImportError as e:
        console.print(f"[yellow]note:[/yellow] {e}; engine enforcement only")
        load_enforcement()
    if not tests.is_dir():
        console.print(f"[yellow]note:[/yellow] test folder {tests} not found (run from the repository root); no tests listed")
    rows = build(rules, tests if tests.is_dir() else None)
    if plain:
        for r in rows:
            typer.echo("\t".join([r.rule, r.clause, ";".join(r.enforced_by) or "-", ";".join(r.tests) or "-", "ok" if r.ok else "FLAGGED"]))
        bad = sum(not r.ok for r in rows)
        typer.echo(f"# {len(rows)} rules, {len(rows) - bad} enforced and tested, {bad} flagged")
        if check and bad:
            raise typer.Exit(1)
        return
    t = Table("rule", "clause", "enforced by", "tests", "ok", title=f"{rules.doc.id} {rules.doc.version} — traceability", show_lines=False)
    bad = 0
    for r in rows:
        ok = r.ok
        bad += not ok
        t.add_row(r.rule, r.clause, "\n".join(w.removeprefix("klaster.") for w in r.enforced_by) or "[red]— none —[/red]",
                  "\n".join(r.tests) or "[red]— none —[/red]", "[green]✓[/green]" if ok else "[bold red]✗[/bold red]")
    console.print(t)
    console.print(f"{len(rows)} rules, {len(rows) - bad} enforced and tested, {bad} flagged")
    if check and bad:
        raise typer.Exit(1)


@app.command()
def validate() -> None:
    """Validate every competition regulation document shipped (exit 2 naming file and field on error)."""
    from klaster.engine.competition.rules import parse_criteria, parse_rules
    from klaster.regulations import RegulationError, documents, load, versions

    n = 0
    try:
        for d in documents():
            for v in versions(d):
                doc = load(d, v)
                if doc.kind == "competition-rules":
                    parse_rules(doc)
                elif doc.kind == "competition-criteria":
                    parse_criteria(doc)
                else:
                    continue
                n += 1
                console.print(f"ok  {d} {v}  sha256 {doc.sha256[:12]}…")
    except RegulationError as e:
        fail(str(e))
    console.print(f"{n} competition regulation documents valid")


@app.command()
def deadlines(
    doc: str = typer.Option("competition-decree-535", help="Regulation document id."),
    version: str = typer.Option(None, help="Version (default: the latest)."),
    lang: str = typer.Option("en", help="Language of the texts: kk, ru or en."),
) -> None:
    """The deadline table of a regulation version (actor, length, unit, event it runs from, clause)."""
    from rich.table import Table

    rules = _rules(doc, version, None)
    t = Table("step", "clause", "actor", "deadline", "from", "done by", "text", title=f"{rules.doc.id} {rules.doc.version}")
    for s in rules.procedure:
        t.add_row(s.id, s.clause, s.actor, s.deadline.describe() if s.deadline else "—", s.from_event or "", s.done_by or "",
                  s.text.get(lang))
    console.print(t)


@app.command()
def escalate(
    today: str = typer.Option(None, "--today", help="Day to escalate for (YYYY-MM-DD; default: today)."),
    email: bool = typer.Option(None, "--email/--no-email", help="Also e-mail recipients with an address (default: setting KLASTER_NOTIFY_EMAIL)."),
) -> None:
    """Escalate missed deadlines: notify the responsible actor's users and the organizers (at most once per deadline per day)."""
    import datetime as dt

    from klaster.cli._util import setup_django

    day = None
    if today:
        try:
            day = dt.date.fromisoformat(today)
        except ValueError:
            fail(f"--today: {today!r} is not a date (YYYY-MM-DD)")
    setup_django()
    from klaster.competition.domain.escalation import escalate as run

    r = run(today=day, email=email)
    console.print(f"{r.overdue} overdue deadline(s); {r.escalations} escalated now, {r.notifications} notification(s) written; "
                  f"{r.sent} sent in-app, {r.emailed} e-mailed" + (f", {r.email_errors} e-mail error(s)" if r.email_errors else ""))
