"""``klaster worker`` — the task runner: django-q2's cluster with the database as its broker.

It runs the schedules (the e-mail outbox each minute; escalation of missed deadlines, deadline
reminders and quarterly-report reminders daily — :mod:`klaster.notices.schedules`, created or
corrected at its start) and the queued tasks (mapping runs, :mod:`klaster.analysis.tasks`).
``klaster serve --with-worker`` (``make run``) starts it as a child process that ends with the server.
In production run one ``klaster worker`` beside ``klaster serve`` (docs/operations.md).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import typer

from klaster.cli._util import console, setup_django


def worker(
    once: bool = typer.Option(False, "--once", help="Send the outbox and run the schedules that are due, then exit (no cluster)."),
) -> None:
    """Run the task runner (django-q2 qcluster): schedules and queued tasks. Ctrl+C to stop."""
    setup_django()
    from django.core.management import call_command

    from klaster.notices.schedules import ensure_schedules, ensure_templates

    ensure_templates()
    names = ensure_schedules()
    if once:
        from klaster.notices.delivery import send_due

        r = send_due()
        console.print(f"outbox: {r.sent} sent, {r.failed} failed")
        return
    console.print(f"klaster worker: {len(names)} schedules ({'; '.join(names)}); Ctrl+C to stop")
    call_command("qcluster")


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def start_child() -> subprocess.Popen:
    """Start ``klaster worker`` as a child process of the web server (``klaster serve --with-worker``);
    it gets SIGTERM when the server ends (on Linux also if the server is killed)."""
    cmd = [sys.executable, "-c", "from klaster.cli import main; main()", "worker"]
    kwargs = {"preexec_fn": _die_with_parent} if sys.platform.startswith("linux") else {}
    return subprocess.Popen(cmd, env=os.environ.copy(), **kwargs)  # noqa: S603 - our own interpreter and module


def stop_child(proc: subprocess.Popen | None) -> None:
    """End the worker child started by :func:`start_child` (SIGTERM, then SIGKILL after 10 s)."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def register(app: typer.Typer) -> None:
    app.command()(worker)
