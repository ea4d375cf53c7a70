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

DOMAIN_MODULES = ("klaster.competition.domain.services", "klaster.competition.domain.council", "klaster.competition.domain.records",
                  "klaster.competition.domain.structured", "klaster.competition.documents")


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
        fail(e)


@app.command()
def trace(
    doc: str = typer.Option("competition-decree-535", help="Regulation document id."),
    version: str = typer.Option(None, help="Version (default: the latest)."),
    tests: list[Path] = typer.Option([Path("tests/competition")], help="Folders of the tests marked @pytest.mark.rule(<rule id>) (repeatable)."),
    with_domain: bool = typer.Option(True, help="Also import the Django domain services to register their enforcement points."),
    check: bool = typer.Option(False, "--check", help="Exit with code 1 on any gap: a rule without enforcing code or a marked test, a clause "
                                                      "of §2–§42, the Criteria or App. 1–6 missing from the clause inventory, an unknown rule id."),
    plain: bool = typer.Option(False, "--plain", help="Tab-separated lines instead of tables (for grep and CI logs)."),
) -> None:
    """Print the traceability table (rule → clause → enforcing code → tests marked with the rule) and the
    clause inventory (every clause of §2–§42, the Criteria and App. 1–6 → its rules, or why it has none)."""
    from rich.table import Table

    from klaster.engine.competition.trace import clause_rows, gaps, load_enforcement, trace as build

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
    dirs = [t for t in tests if t.is_dir()]
    for t in tests:
        if not t.is_dir():
            console.print(f"[yellow]note:[/yellow] test folder {t} not found (run from the repository root); its tests are not listed")
    rows = build(rules, dirs)
    crows = clause_rows(rules, rows)
    problems = gaps(rules, rows, dirs)
    if plain:
        for r in rows:
            typer.echo("\t".join(["rule", r.rule, r.clause, ";".join(r.enforced_by) or "-", ";".join(r.tests) or "-", "ok" if r.ok else "FLAGGED"]))
        for c in crows:
            typer.echo("\t".join(["clause", c.clause, c.status, ";".join(c.rules) or "-", c.note or "-",
                                   "ok" if c.ok else "FLAGGED: " + ";".join(c.missing)]))
        for g in problems:
            typer.echo(f"gap\t{g}")
        typer.echo(f"# {len(rows)} rules, {sum(r.ok for r in rows)} enforced and tested; {len(crows)} clauses "
                   f"({sum(c.status == 'enforced' for c in crows)} enforced, {sum(c.status == 'definition' for c in crows)} definitions, "
                   f"{sum(c.status == 'data_only' for c in crows)} data only); {len(problems)} gap(s)")
        if check and problems:
            raise typer.Exit(1)
        return
    t = Table("rule", "clause", "enforced by", "tests", "ok", title=f"{rules.doc.id} {rules.doc.version} — rules", show_lines=False)
    for r in rows:
        t.add_row(r.rule, r.clause, "\n".join(w.removeprefix("klaster.") for w in r.enforced_by) or "[red]— none —[/red]",
                  "\n".join(r.tests) or "[red]— none —[/red]", "[green]✓[/green]" if r.ok else "[bold red]✗[/bold red]")
    console.print(t)
    ct = Table("clause", "status", "rules", "note", "ok", title="clauses of the Rules, the Criteria and the appendices")
    for c in crows:
        ct.add_row(c.clause, c.status, "\n".join(c.rules), c.note, "[green]✓[/green]" if c.ok else "[bold red]✗[/bold red] " + ", ".join(c.missing))
    console.print(ct)
    for g in problems:
        console.print(f"[bold red]gap:[/bold red] {g}")
    console.print(f"{len(rows)} rules, {sum(r.ok for r in rows)} enforced and tested; {len(crows)} clauses; {len(problems)} gap(s)")
    if check and problems:
        raise typer.Exit(1)


@app.command()
def validate() -> None:
    """Validate every competition regulation document shipped (exit 2 naming file and field on error)."""
    from klaster.regulations import RegulationError, documents, load, versions

    from klaster.regulations import validate_content

    n = 0
    try:
        for d in documents():
            for v in versions(d):
                doc = load(d, v)
                if not doc.kind.startswith("competition-") and doc.kind != "sector-bodies":
                    continue
                validate_content(doc)
                n += 1
                console.print(f"ok  {d} {v}  sha256 {doc.sha256[:12]}…")
    except RegulationError as e:
        fail(e)
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
    email: bool = typer.Option(None, "--email/--no-email", help="Also send the e-mail outbox now (the worker sends it every minute otherwise; default: setting KLASTER_NOTIFY_EMAIL)."),
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
