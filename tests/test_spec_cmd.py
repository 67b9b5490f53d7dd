"""`reportgraph spec` on what a user types: a task folder reads the folder's task.md."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from reportgraph.graph.cli import main as cli_main


def test_spec_reads_a_task_folder_through_its_task_md(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "任务 one"
    folder.mkdir()
    (folder / "task.md").write_text("报告分为：一、背景 二、方法。约3000字。", encoding="utf-8")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli_main(["spec", str(folder), str(empty)]) == 2
    first, second = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert first["file"] == str(folder) and first["sections"] == ["背景", "方法"]
    assert "task_missing" in second["error"] and "task.md" in second["error"]
