"""A run's stream on the console: what each node is doing, bars with counts and estimates, and ✓ only for
work that succeeded.

Nodes emit custom events ``{"node", "message", …}``; those with ``stage``/``done``/``total`` (indexing, dense
re-ranking, OCR) become progress bars, the others log lines. Drafting is counted here: the plan names the
sections, each ``draft`` task reports its section, and validate's update says how many go back for another
round. The parallel draft tasks finish in any order, so their lines are held and printed in section order,
followed by one ``✓ draft``. On a terminal the bars are live (rich); piped, each bar becomes a line every
few seconds and one when it completes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

# re-exported: the console surfaces (CLI, benches) quiet the libraries where they draw their progress
from reportgraph.tools.quiet import quiet_libraries as quiet_libraries
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

# A piped bar prints at most this often (plus once when it completes).
PLAIN_EVERY_S = 5.0


@dataclass
class Phase:
    """One bar: a node's stage, its count so far and when it started (for the estimate)."""

    label: str
    done: int = 0
    total: int | None = None
    started: float = field(default_factory=lambda: time.monotonic())
    printed: float = field(default_factory=lambda: time.monotonic())  # piped: first line after PLAIN_EVERY_S
    task: TaskID | None = None

    def line(self) -> str:
        elapsed = time.monotonic() - self.started
        count = f"{self.done}/{self.total}" if self.total is not None else f"{self.done}"
        if self.total is not None and self.done >= self.total:
            return f"{self.label} {count} in {elapsed:.1f}s"
        if self.total and self.done:
            left = elapsed / self.done * (self.total - self.done)
            return f"{self.label} {count} · {elapsed:.0f}s, about {left:.0f}s left"
        return f"{self.label} {count} · {elapsed:.0f}s"


class ProgressView:
    """Renders custom events (:meth:`event`) and node updates (:meth:`update`) of ``graph.stream``."""

    def __init__(self, out: Console) -> None:
        self.out = out
        self.progress: Progress | None = None
        self.activity: TaskID | None = None
        self.phases: dict[str, Phase] = {}
        self.sections = 0  # sections the next draft round writes
        self.draft_round = 0
        self.drafted: dict[int, str] = {}  # section → its line, held until the round is complete
        self.draft_updates = 0

    def __enter__(self) -> ProgressView:
        if self.out.is_terminal:
            self.progress = Progress(
                SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn(), console=self.out,
                transient=True,
            )
            self.progress.start()
            self.activity = self.progress.add_task("starting", total=None)
        return self

    def __exit__(self, *exc: object) -> None:
        self.flush_drafts()
        if self.progress is not None:
            self.progress.stop()

    # --- custom events ---------------------------------------------------------------------------------

    def event(self, event: dict[str, Any]) -> None:
        node, message = str(event.get("node", "")), str(event.get("message", ""))
        if node == "draft" and "section" in event:
            self.section_drafted(int(event["section"]), message, event.get("round"))
            return
        self.flush_drafts()
        if node == "plan" and isinstance(event.get("sections"), list):
            self.sections = len(event["sections"])
        if {"stage", "done", "total"} <= event.keys():
            self.stage(node, str(event["stage"]), int(event["done"]), int(event["total"]))
            return
        self.out.print(f"[cyan]{node}[/] {escape(message)}")
        if self.progress is not None and self.activity is not None:
            self.progress.update(self.activity, description=escape(f"{node}: {message}"))

    def stage(self, node: str, stage: str, done: int, total: int) -> None:
        """A bar for ``node``'s ``stage``: ``done`` of ``total`` units so far."""
        label = f"{node} {stage}".strip()
        phase = self.phases.get(label)
        if phase is None or done < phase.done:  # a new pass of the same stage starts a new bar
            phase = self.phases[label] = Phase(label, total=total)
        phase.done, phase.total = done, total
        self._show(phase)

    def _show(self, phase: Phase) -> None:
        complete = phase.total is not None and phase.done >= phase.total
        if self.progress is not None:
            if phase.task is None:
                phase.task = self.progress.add_task(phase.label, total=phase.total)
            self.progress.update(phase.task, completed=phase.done, total=phase.total)
            if complete:
                self.progress.remove_task(phase.task)
                phase.task = None
        now = time.monotonic()
        if complete or (self.progress is None and now - phase.printed >= PLAIN_EVERY_S):
            phase.printed = now
            self.out.print(f"[cyan]{phase.line()}[/]")
        if complete:
            del self.phases[phase.label]

    # --- drafting ------------------------------------------------------------------------------------

    def section_drafted(self, section: int, message: str, round_: Any) -> None:
        if not self.drafted:
            self.draft_round = int(round_ or self.draft_round + 1)
        self.drafted[section] = message
        label = f"draft round {self.draft_round}"
        phase = self.phases.setdefault(label, Phase(label, total=self.sections or None))
        phase.done = len(self.drafted)
        if phase.total is not None and phase.done > phase.total:
            phase.total = phase.done
        self._show(phase)

    def flush_drafts(self) -> None:
        """The finished round's section lines in section order, then one ✓ for the draft step."""
        if not self.drafted and not self.draft_updates:
            return
        for section in sorted(self.drafted):
            self.out.print(f"[cyan]draft[/] {escape(self.drafted[section])}")
        count = max(len(self.drafted), self.draft_updates)
        plural = "s" if count != 1 else ""
        self.out.print(f"[green]✓[/] draft ({count} section{plural}, round {self.draft_round or 1})")
        self.phases.pop(f"draft round {self.draft_round}", None)
        self.drafted, self.draft_updates = {}, 0

    # --- node updates --------------------------------------------------------------------------------

    def update(self, chunk: dict[str, Any]) -> None:
        """One step's node updates: ✓ for a node that did its work, ✗ for one that refused the input."""
        for node, update in chunk.items():
            if node.startswith("__"):  # interrupts and other runtime entries are not nodes
                continue
            if node == "draft":
                self.draft_updates += 1
                continue
            self.flush_drafts()
            self.finished(node, update if isinstance(update, dict) else {})

    def finished(self, node: str, update: dict[str, Any]) -> None:
        if update.get("status") == "bad_input":
            error = update.get("error") or {}
            self.out.print(f"[red]✗[/] {node}: bad input ({error.get('code', 'unknown')})")
            return
        if node == "validate" and update.get("status") == "running":
            self.sections = len(update.get("feedback") or {})
        self.out.print(f"[green]✓[/] {node}")
