"""Progress of a long run: counts and an estimate of the time left.

- :class:`TerminalProgress` — a Rich progress bar on an interactive terminal: stage, done/total
  with their unit, elapsed time and the estimated time left;
- :class:`LineProgress` — plain lines when the output is not a terminal (a file, a pipe, a CI
  log): one line when a stage starts, at most one every ``every`` seconds while it runs (with
  the counts and the estimate), and one when it ends — so a long run redirected to a file shows
  what it is doing while it runs;
- :class:`NullProgress` — nothing (the library's default).

The library reports through :meth:`Progress.stage` / :meth:`Progress.advance`; the CLI picks
the kind with :func:`for_console`.
"""

from __future__ import annotations

import sys
import time
from typing import IO


def _fmt_count(n: float) -> str:
    n = float(n)
    for div, suf in ((1e9, " G"), (1e6, " M"), (1e3, " k")):
        if abs(n) >= div:
            return f"{n / div:.1f}{suf}"
    return f"{int(n)}"


def _fmt_secs(s: float) -> str:
    s = max(0.0, float(s))
    if s < 60:
        return f"{s:.1f} s"
    m, s = divmod(int(s + 0.5), 60)
    if m < 60:
        return f"{m} min {s:02d} s"
    h, m = divmod(m, 60)
    return f"{h} h {m:02d} min"


class Progress:
    """Base class: a run is a sequence of stages, each with an optional total of units."""

    def stage(self, label: str, total: float | None = None, unit: str = "") -> None:
        """Start a stage (the previous one ends)."""

    def advance(self, n: float = 1, *, detail: str | None = None) -> None:
        """``n`` more units of the current stage are done."""

    def done(self) -> None:
        """The run is over."""

    def __call__(self, message: str) -> None:  # the old callback interface: a stage label
        self.stage(message)


class NullProgress(Progress):
    pass


class LineProgress(Progress):
    """Plain progress lines (see the module docstring)."""

    def __init__(self, stream: IO[str] | None = None, *, every: float = 5.0):
        self.stream = stream or sys.stderr
        self.every = every
        self._label = None
        self._t0 = self._last = time.monotonic()
        self._run0 = time.monotonic()
        self._done = 0.0
        self._total = None
        self._unit = ""

    def _line(self, text: str) -> None:
        self.stream.write(f"[{_fmt_secs(time.monotonic() - self._run0)}] {text}\n")
        self.stream.flush()

    def _status(self, final: bool = False) -> str:
        el = time.monotonic() - self._t0
        if self._total:
            pct = 100 * self._done / self._total
            s = f"{self._label}: {_fmt_count(self._done)} of {_fmt_count(self._total)} {self._unit} ({pct:.0f} %), {_fmt_secs(el)}"
            if not final and self._done > 0:
                s += f", about {_fmt_secs(el * (self._total - self._done) / self._done)} left"
            return s
        return f"{self._label}: {_fmt_secs(el)}" if final else f"{self._label}…"

    def stage(self, label, total=None, unit=""):
        if self._label is not None:
            self._line(self._status(final=True) + " — done")
        self._label, self._total, self._unit = label, total, unit
        self._done = 0.0
        self._t0 = self._last = time.monotonic()
        self._line(self._status())

    def advance(self, n=1, *, detail=None):
        self._done += n
        now = time.monotonic()
        if now - self._last >= self.every:
            self._last = now
            self._line(self._status() + (f" — {detail}" if detail else ""))

    def done(self):
        if self._label is not None:
            self._line(self._status(final=True) + " — done")
            self._label = None


class TerminalProgress(Progress):
    """A Rich progress bar (stage, counts, elapsed, time left)."""

    def __init__(self, console=None):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress as RichProgress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

        self._p = RichProgress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                               TextColumn("{task.fields[unit]}"), TimeElapsedColumn(), TextColumn("left"),
                               TimeRemainingColumn(), console=console, transient=False)
        self._task = None
        self._p.start()

    def stage(self, label, total=None, unit=""):
        if self._task is not None:
            t = self._p.tasks[self._task]
            self._p.update(self._task, completed=t.total if t.total is not None else 1, total=t.total if t.total is not None else 1)
        self._task = self._p.add_task(label, total=total, unit=unit)

    def advance(self, n=1, *, detail=None):
        if self._task is not None:
            self._p.advance(self._task, n)

    def done(self):
        if self._task is not None:
            t = self._p.tasks[self._task]
            self._p.update(self._task, completed=t.total if t.total is not None else 1, total=t.total if t.total is not None else 1)
        self._p.stop()


def for_console(console=None, *, every: float = 5.0) -> Progress:
    """A terminal bar when ``console`` is an interactive terminal, else plain lines on stderr."""
    if console is not None and getattr(console, "is_terminal", False) and not getattr(console, "is_dumb_terminal", False):
        return TerminalProgress(console)
    return LineProgress(sys.stderr, every=every)


def as_progress(p) -> Progress:
    """A :class:`Progress` from ``None``, a Progress, or a callable taking a stage label."""
    if p is None:
        return NullProgress()
    if isinstance(p, Progress):
        return p

    class _Callback(Progress):
        def stage(self, label, total=None, unit=""):
            p(label)

    return _Callback()
