"""The console view of a run: ✓ only for work done, one ✓ draft after the sections in order, bars with counts,
quiet libraries; and the CLI's own messages (help for every subcommand and argument, only the options a
subcommand uses, a file given as the task folder)."""

from __future__ import annotations

import argparse
import io
import logging
import re
import stat
from pathlib import Path

import pytest
from reportgraph.graph import cli, mcp_server
from reportgraph.graph.progress import ProgressView, quiet_libraries
from reportgraph.tools.writing.outputs import write_outputs
from rich.console import Console


def piped_view() -> tuple[ProgressView, io.StringIO]:
    sink = io.StringIO()
    return ProgressView(Console(file=sink, force_terminal=False, soft_wrap=True, highlight=False)), sink


def test_a_node_that_refused_its_input_is_not_shown_as_done() -> None:
    view, sink = piped_view()
    with view:
        view.update({"plan": {"status": "bad_input", "error": {"code": "task_missing", "message": "x"}}})
    lines = sink.getvalue().splitlines()
    assert lines == ["✗ plan: bad input (task_missing)"]


def test_parallel_sections_print_in_order_then_one_draft_tick() -> None:
    view, sink = piped_view()
    with view:
        view.event({"node": "plan", "message": "3 sections", "sections": ["a", "b", "c"]})
        view.update({"plan": {"outline": []}})
        for section in (3, 1, 2):  # the order parallel tasks happen to finish in
            message = f"section {section} drafted (round 1)"
            view.event({"node": "draft", "message": message, "section": section, "round": 1})
            view.update({"draft": {"drafts": {}}})
        view.event({"node": "validate", "message": "round 1: running"})
        view.update({"validate": {"status": "running", "feedback": {"2": ["too short"]}}})
        view.event({"node": "draft", "message": "section 2 drafted (round 2)", "section": 2, "round": 2})
        view.update({"draft": {"drafts": {}}})
    lines = sink.getvalue().splitlines()
    drafted = [line for line in lines if line.startswith("draft section")]
    assert drafted == [f"draft section {i} drafted (round 1)" for i in (1, 2, 3)] + [
        "draft section 2 drafted (round 2)"
    ]
    assert lines.count("✓ draft (3 sections, round 1)") == 1
    assert lines[-1] == "✓ draft (1 section, round 2)"
    assert lines.index("✓ draft (3 sections, round 1)") < lines.index("validate round 1: running")
    # the round's bar completes with its count: 3 of the 3 planned sections, then 1 of 1 sent back
    assert any(line.startswith("draft round 1 3/3 in ") for line in lines)
    assert any(line.startswith("draft round 2 1/1 in ") for line in lines)


def test_a_piped_bar_prints_its_count_and_an_estimate(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = iter([0.0, 0.0, 6.0, 6.0, 6.0, 12.0, 12.0, 12.0])
    monkeypatch.setattr("reportgraph.graph.progress.time.monotonic", lambda: next(clock))
    view, sink = piped_view()
    view.stage("retrieve", "dense", 1, 4)  # created at 0 s, shown at 6 s: 1 of 4 in 6 s → 18 s left
    view.stage("retrieve", "dense", 4, 4)
    lines = sink.getvalue().splitlines()
    assert lines[0] == "retrieve dense 1/4 · 6s, about 18s left"
    assert lines[1].startswith("retrieve dense 4/4 in ")


def test_library_info_lines_are_hidden_unless_verbose(caplog: pytest.LogCaptureFixture) -> None:
    quiet_libraries(verbose=False)
    logger = logging.getLogger("jieba")
    logger.setLevel(logging.DEBUG)  # what jieba does when it is imported
    with caplog.at_level(logging.DEBUG, logger="jieba"):
        logger.debug("Building prefix dict from the default dictionary ...")
        logger.warning("a real problem")
    assert [r.getMessage() for r in caplog.records] == ["a real problem"]


def subcommands() -> dict[str, argparse.ArgumentParser]:
    """`reportgraph`'s subcommand parsers by name, and `reportgraph-mcp`'s parser."""
    commands = next(a for a in cli.parser()._actions if isinstance(a, argparse._SubParsersAction))
    return {**commands.choices, "reportgraph-mcp": mcp_server.parser()}


def test_every_subcommand_is_described_and_every_argument_explained() -> None:
    commands = next(a for a in cli.parser()._actions if isinstance(a, argparse._SubParsersAction))
    described = {choice.dest: choice.help for choice in commands._choices_actions}
    assert set(described) == set(commands.choices)  # each is listed in `reportgraph --help` with a line
    assert all(described.values()), f"subcommands without a line: {described}"
    for name, sub in subcommands().items():
        assert sub.description, f"`reportgraph {name} --help` has no description"
        for action in sub._actions:
            assert action.help and action.help != argparse.SUPPRESS, f"{name} {action.dest} has no help"


def test_index_help_lists_only_the_options_index_uses(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["index", "--help"])
    options = set(re.findall(r"(?<![\w-])--[a-z][a-z-]+", capsys.readouterr().out))
    assert options == {"--help", "--verbose", *cli.INDEX_SETTINGS}
    drafting = {"--max-rounds", "--model", "--llm", "--max-model-calls", "--output", "--checkpoint"}
    assert drafting <= set(re.findall(r"--[a-z-]+", " ".join(subcommands()["run"].format_help().split())))


def test_a_file_given_as_the_task_folder_is_named_as_such(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    task = tmp_path / "task.md"
    task.write_text("# 报告\n", encoding="utf-8")
    code = cli.main(["run", str(task), "--cache-dir", str(tmp_path / "cache")])
    assert code == cli.EXIT_BAD_INPUT
    assert "task_dir_is_file" in capsys.readouterr().err
    assert not list(tmp_path.glob("cache/runs/*.json"))  # no run record: nothing to resume


def test_output_files_are_readable_by_others(tmp_path: Path) -> None:
    written = write_outputs(tmp_path / "out", markdown="# t\n", registry={}, validation={}, run={})
    for path in written.values():
        assert stat.S_IMODE(Path(path).stat().st_mode) == 0o644


@pytest.mark.parametrize("command", ["run", "check"])
def test_an_output_path_through_a_file_is_refused_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    task_dir = tmp_path / "task"
    task_dir.mkdir()
    (task_dir / "task.md").write_text("# 报告\n写一份关于检索的报告，不少于200字。\n", encoding="utf-8")
    (task_dir / "report.md").write_text("# 报告\n\n检索很有用。\n", encoding="utf-8")
    blocker = tmp_path / "taken"
    blocker.write_text("keep me", encoding="utf-8")
    cache = ["--cache-dir", str(tmp_path / "cache")]
    args = [str(task_dir)] + ([str(task_dir / "report.md")] if command == "check" else cache)
    code = cli.main([command, *args, "-o", str(blocker / "sub")])
    assert code == cli.EXIT_BAD_INPUT
    captured = capsys.readouterr()
    assert "is a file, not a folder" in captured.out + captured.err
    assert blocker.read_text(encoding="utf-8") == "keep me"
    assert not list(tmp_path.glob("cache/runs/*.json"))  # refused before a run record or any node ran



def test_the_end_of_a_run_says_why_it_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    sink = io.StringIO()
    monkeypatch.setattr(cli, "console", Console(file=sink, force_terminal=False, soft_wrap=True))
    validation = {"round": 2, "checks": [{"name": "length", "passed": False, "detail": "900 字"}],
                  "unmet": ["length: 900 字"], "stopped_because": "the next round would end past the budget"}
    state = {"status": "needs_review", "validation": validation, "output_dir": "out/x"}
    assert cli._finish(state) == cli.EXIT_NEEDS_REVIEW
    assert "stopped: the next round would end past the budget" in sink.getvalue()
    quiet = io.StringIO()
    monkeypatch.setattr(cli, "console", Console(file=quiet, force_terminal=False, soft_wrap=True))
    cli._finish({**state, "validation": {**validation, "stopped_because": ""}})
    assert "needs_review after 2 round(s)" in quiet.getvalue() and "stopped:" not in quiet.getvalue()
