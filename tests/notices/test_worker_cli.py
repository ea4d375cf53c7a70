"""``klaster serve --with-worker`` (``make run``) starts the worker beside the server and ends it
with the server; ``klaster worker`` is a command of the CLI."""

from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from klaster.cli import app, web, worker


def test_serve_with_worker_starts_the_worker_and_stops_it_when_the_server_ends(monkeypatch):
    events = []

    class Child:
        def poll(self):
            return None

    monkeypatch.setattr(worker, "start_child", lambda: events.append("start") or Child())
    monkeypatch.setattr(worker, "stop_child", lambda proc: events.append(("stop", type(proc).__name__)))

    def served(*a, **k):
        events.append("serve")
        raise KeyboardInterrupt  # Ctrl+C ends the server

    monkeypatch.setattr(web, "_serve", served)
    monkeypatch.setattr(web, "_compile_messages", lambda: None)
    monkeypatch.setattr("django.core.management.call_command", lambda *a, **k: None)
    out = CliRunner().invoke(app, ["serve", "--server", "waitress", "--with-worker"])
    assert events == ["start", "serve", ("stop", "Child")], out.output
    events.clear()
    CliRunner().invoke(app, ["serve", "--server", "waitress"])
    assert events == ["serve"]  # without the option: the server alone


def test_the_child_is_our_worker_command_and_ends_on_stop():
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    worker.stop_child(proc)
    assert proc.poll() is not None
    assert "worker" in CliRunner().invoke(app, ["--help"]).output
