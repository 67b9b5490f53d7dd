"""Run a fault case, observe what it left behind, and judge it against what it should have done.

Three acceptable endings: the run refuses the input with a specific error code and writes nothing; it writes
a complete report whose run.json records the problem; or it stops with an error naming the cause and leaves
no run.json that could be taken for a result. A "false pass" is any ending reported as ``pass`` that
should not be: the fault called for another ending, or a hard check failed, or the output is incomplete.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from reportgraph.graph.graph import graph
from reportgraph.tools.writing.outputs import OUTPUT_FILES


@dataclass
class Observation:
    """What one run ended with, from its final state (or exception) and its output folder."""

    status: str | None = None  # None when the run raised
    error_code: str | None = None
    message: str = ""
    raised: str | None = None
    files: list[str] = field(default_factory=list)
    run: dict[str, Any] = field(default_factory=dict)
    validation: dict[str, Any] = field(default_factory=dict)
    report: str = ""

    @property
    def complete(self) -> bool:
        return sorted(self.files) == sorted(OUTPUT_FILES)

    @property
    def failed_hard_checks(self) -> list[str]:
        return [
            c["name"] for c in self.validation.get("checks", []) if c.get("hard", True) and not c["passed"]
        ]

    @property
    def fallbacks(self) -> str:
        """Every fallback and note run.json records, as one searchable text."""
        return json.dumps(self.run.get("fallbacks", []) + self.run.get("notes", []), ensure_ascii=False)

    def describe(self) -> str:
        if self.raised:
            return f"raised {self.raised}: {self.message[:160]}; files {self.files}"
        if self.status == "bad_input":
            return f"bad_input ({self.error_code}); files {self.files}"
        return f"{self.status}; failed checks {self.failed_hard_checks}; files {self.files}"


def read_outputs(output_dir: Path) -> dict[str, Any]:
    """The files a run left in ``output_dir`` (none when it does not exist), parsed."""
    files = sorted(p.name for p in output_dir.iterdir()) if output_dir.is_dir() else []
    found: dict[str, Any] = {"files": files}
    for name, key in (("run.json", "run"), ("validation.json", "validation")):
        if name in files:
            found[key] = json.loads((output_dir / name).read_text(encoding="utf-8"))
    if "report.md" in files:
        found["report"] = (output_dir / "report.md").read_text(encoding="utf-8")
    return found


def error_text(error: BaseException) -> str:
    """The message of an error and of the errors it was raised from, so the root cause can be looked for."""
    parts: list[str] = []
    current: BaseException | None = error
    while current is not None and len(parts) < 5:
        parts.append(f"{type(current).__name__}: {current}")
        current = current.__cause__ or current.__context__
    return " <- ".join(parts)


def observe(task_dir: Path, output_dir: Path, cache_dir: Path, **context: Any) -> Observation:
    """Run the real graph offline on ``task_dir`` and observe how it ended."""
    settings = {
        "llm": "off",
        "embedder": "none",
        "cache_dir": str(cache_dir),
        "output_dir": str(output_dir),
        **context,
    }
    try:
        result = graph.invoke({"task_dir": str(task_dir)}, context=settings)
    except Exception as error:
        return Observation(
            raised=type(error).__name__,
            message=error_text(error),
            error_code=getattr(error, "code", None),
            **read_outputs(output_dir),
        )
    stopped = result.get("error") or {}
    return Observation(
        status=result.get("status"),
        error_code=stopped.get("code"),
        message=stopped.get("message", ""),
        **read_outputs(output_dir),
    )


# ---------------------------------------------------------------- expected endings


@dataclass(frozen=True)
class Refused:
    """Bad input: ``status == "bad_input"`` with this error code, and nothing written."""

    code: str
    may_pass = False

    def met_by(self, seen: Observation) -> bool:
        return seen.status == "bad_input" and seen.error_code == self.code and not seen.files

    def __str__(self) -> str:
        return f"bad_input ({self.code}), nothing written"


@dataclass(frozen=True)
class Reported:
    """A complete report, with the fault recorded (``shows`` looks for it in the observation)."""

    recorded: str
    shows: Callable[[Observation], bool]
    may_pass: bool = True

    def met_by(self, seen: Observation) -> bool:
        statuses = ("pass", "needs_review") if self.may_pass else ("needs_review",)
        return seen.raised is None and seen.status in statuses and seen.complete and self.shows(seen)

    def __str__(self) -> str:
        return f"{'pass or ' if self.may_pass else ''}needs_review, report written, {self.recorded}"


@dataclass(frozen=True)
class Stopped:
    """The run stops with an error naming the cause (any of ``mentions``); no run.json is left behind."""

    mentions: tuple[str, ...]
    code: str | None = None
    may_pass = False

    def met_by(self, seen: Observation) -> bool:
        named = any(word.lower() in seen.message.lower() for word in self.mentions)
        coded = self.code is None or seen.error_code == self.code
        return seen.raised is not None and named and coded and "run.json" not in seen.files

    def __str__(self) -> str:
        return (
            f"stops naming {' / '.join(self.mentions)}"
            + (f" ({self.code})" if self.code else "")
            + ", no run.json"
        )


Expectation = Refused | Reported | Stopped


@dataclass(frozen=True)
class CaseOutcome:
    case: str
    expected: str
    actual: str
    as_expected: bool
    false_pass: bool


def is_false_pass(expected: Expectation, seen: Observation) -> bool:
    """The run says pass (in its state or its run.json) where it must not."""
    says_pass = seen.status == "pass" or seen.run.get("status") == "pass"
    return says_pass and (not expected.may_pass or bool(seen.failed_hard_checks) or not seen.complete)


class Ledger:
    """Every case tried in a suite, for the summary line and the per-case assertion."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.outcomes: list[CaseOutcome] = []

    def record(self, case: str, expected: Expectation, seen: Observation) -> CaseOutcome:
        outcome = CaseOutcome(
            case, str(expected), seen.describe(), expected.met_by(seen), is_false_pass(expected, seen)
        )
        self.outcomes.append(outcome)
        return outcome

    def summary(self) -> list[str]:
        tried = len(self.outcomes)
        good = sum(o.as_expected for o in self.outcomes)
        false_passes = sum(o.false_pass for o in self.outcomes)
        lines = [f"{self.title}: {tried} tried, {good} as expected, {false_passes} false passes"]
        lines += [
            f"  unexpected: {o.case}: expected {o.expected}; got {o.actual}"
            for o in self.outcomes
            if not o.as_expected or o.false_pass
        ]
        return lines


class _TerminalSummary:
    """A plugin registered at run time: prints its lines in pytest's terminal summary (no -s needed)."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        for line in self.lines:
            terminalreporter.write_line(line)


def show_at_end(config: pytest.Config, lines: list[str]) -> None:
    """Queue ``lines`` for the terminal summary of this pytest run."""
    name = "reportgraph-fault-summaries"
    plugin = config.pluginmanager.get_plugin(name)
    if plugin is None:
        plugin = _TerminalSummary()
        config.pluginmanager.register(plugin, name)
    plugin.lines.extend(lines)
