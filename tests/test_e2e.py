"""The real pipeline, offline, on real files: the bundled example and the shared task folder."""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from reportgraph.graph.graph import graph
from reportgraph.nodes.context import Context
from reportgraph.tools.text import count_length

PROJECT_ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = PROJECT_ROOT / "examples" / "hybrid_search_zh"



def invoke(task_dir: Path, output: Path, cache_dir: Path, **context: Any) -> dict[str, Any]:
    return graph.invoke(
        {"task_dir": str(task_dir)},
        context={"llm": "off", "cache_dir": str(cache_dir), "output_dir": str(output), **context},
    )


def outputs(output: Path) -> dict[str, Any]:
    assert sorted(p.name for p in output.iterdir()) == [
        "report.html",
        "report.md",
        "run.json",
        "sources.json",
        "validation.json",
    ]
    return {
        "report": (output / "report.md").read_text(encoding="utf-8"),
        "sources": json.loads((output / "sources.json").read_text(encoding="utf-8")),
        "validation": json.loads((output / "validation.json").read_text(encoding="utf-8")),
        "run": json.loads((output / "run.json").read_text(encoding="utf-8")),
    }


def copy_task(source: Path, destination: Path, replace: dict[str, Path] | None = None) -> Path:
    """A real copy (intake refuses symlinks), with some files swapped."""
    destination.mkdir()
    for item in source.iterdir():
        if item.is_file() and "sampled" not in item.name:
            shutil.copy2((replace or {}).get(item.name, item), destination / item.name)
    return destination


def assert_status_is_truthful(result: dict[str, Any], files: dict[str, Any]) -> None:
    """`pass` exactly when every hard check passed; otherwise needs_review, with each unmet hard check
    listed in validation.json and at the top of report.md (under the title)."""
    validation = files["validation"]
    failed = [c for c in validation["checks"] if c["hard"] and not c["passed"]]
    assert validation["hard_checks_passed"] == (not failed)
    assert result["status"] == ("pass" if not failed else "needs_review"), failed
    assert validation["status"] == result["status"] == files["run"]["status"]
    assert validation["unmet"] == [f"{c['name']}: {c['detail']}" for c in failed]
    top = files["report"].split("\n## ", 1)[0]
    if failed:
        assert "needs_review" in top
        for check in failed:
            assert f"{check['name']}: " in top, check["name"]
    else:
        assert "needs_review" not in top


def counted_by_hand(report: str) -> int:
    """The report's length counted here, apart from the product's counter: CJK characters plus Latin
    words and numbers, without the needs_review banner and the bracketed citations."""
    body = re.sub(r"^> needs_review.*$", "", report, flags=re.M)
    body = re.sub(r"\[[^\]]*\]", "", body)
    return len(re.findall(r"[\u3400-\u9fff]", body)) + len(
        re.findall(r"[A-Za-z0-9]+(?:[-'.][A-Za-z0-9]+)*", body))


def test_bundled_example_offline_status_says_which_checks_failed(tmp_path: Path, cache_dir: Path) -> None:
    # Offline reports are extractive: short and partly English. The README promises this run ends
    # needs_review (exit 1), and the status must follow the hard checks.
    result = invoke(EXAMPLE, tmp_path / "out", cache_dir)
    files = outputs(tmp_path / "out")
    assert_status_is_truthful(result, files)
    assert result["status"] == "needs_review", "the README's promise for the bundled example"
    checks = {c["name"]: c for c in files["validation"]["checks"]}
    length = checks["length"]
    by_hand = counted_by_hand(files["report"])
    assert abs(by_hand - length["figure"]["count"]) <= 0.01 * by_hand, (by_hand, length["figure"])
    assert length["passed"] == (1200 <= by_hand <= 1800), "length passes only in range"
    headings = [line for line in files["report"].splitlines() if line.startswith("## ")]
    assert headings == [
        "## （1）论文基本信息",
        "## （2）核心内容摘要",
        "## （3）关键技术解析",
        "## （4）视频补充要点",
    ]
    assert "抽取式" in files["run"]["process_note"], "run.json says the report is extractive"
    assert "抽取式" not in files["report"], "the process note is not part of the reader's report"
    # Every cited id is in sources.json with its text, and its readable citation is in the report.
    assert files["sources"] and all(entry["text"] for entry in files["sources"].values())
    for entry in files["sources"].values():
        assert entry["citation"] in files["report"]
    assert {entry["kind"] for entry in files["sources"].values()} >= {"pdf", "video"}
    assert "[paper.pdf p." in files["report"] and "[talk.mp4 " in files["report"]
    assert "Ignore previous instructions" not in files["report"]
    # retrieve runs once; gap_search once per (bounded) evidence-gap round of a failing draft
    assert files["run"]["nodes"]["retrieve"]["invocations"] == 1
    gap_rounds = files["run"]["nodes"].get("gap_search", {}).get("invocations", 0)
    gap_searches = [n for n in files["run"]["notes"] if n["message"] == "evidence gap search"]
    assert 0 <= gap_rounds <= Context().max_gap_rounds
    assert bool(gap_rounds) == bool(gap_searches)
    assert files["run"]["drafting_mode"] == "extractive"


@pytest.mark.shared
def test_shared_task_status_follows_its_hard_checks_and_reuses_its_index(
    shared_dir: Path, tmp_path: Path, cache_dir: Path
) -> None:
    task = shared_dir / "fixtures" / "longeval_zh"
    # A video analysis cut short by its time budget (a loaded machine) is redone, not cached; a budget
    # no machine reaches keeps "same inputs, same report" about the inputs, not about the machine's load.
    budget = {"video_time_budget_s": 3600}
    result = invoke(task, tmp_path / "cold", cache_dir, **budget)
    files = outputs(tmp_path / "cold")
    assert_status_is_truthful(result, files)
    checks = {c["name"]: c for c in files["validation"]["checks"]}
    assert checks["sections"]["figure"]["found"] == [
        "（1）论文基本信息",
        "（2）核心内容摘要",
        "（3）关键技术解析",
        "（4）视频补充要点",
    ]
    counted = count_length(result["report_markdown"], "cjk_chars")
    length = checks["length"]
    assert length["passed"] == (2000 <= length["figure"]["count"] <= 3000), "length passes only in range"
    assert not length["passed"] or counted >= 2000
    retrieval = files["run"]["retrieval"]
    assert retrieval["corpus"]["loaded"] == 420, "the whole collection, not the 60-document sample"
    started = time.perf_counter()
    invoke(task, tmp_path / "warm", cache_dir, **budget)
    warm = outputs(tmp_path / "warm")
    assert warm["run"]["retrieval"]["cache_hit"]
    assert warm["report"] == files["report"], "same inputs, same report"
    assert time.perf_counter() - started < 600


@pytest.mark.shared
def test_corrupt_video_still_gives_a_report_that_says_what_was_not_analysed(
    shared_dir: Path, tmp_path: Path, cache_dir: Path
) -> None:
    task = copy_task(
        shared_dir / "fixtures" / "longeval_zh",
        tmp_path / "task",
        {"video.mp4": shared_dir / "media" / "video_corrupt.mp4"},
    )
    result = invoke(task, tmp_path / "out", cache_dir)
    files = outputs(tmp_path / "out")
    assert_status_is_truthful(result, files)
    disclosure = files["run"]["video"]["disclosure"]
    assert disclosure and "video.mp4" in disclosure
    video_section = files["report"].split("## （4）视频补充要点")[1]
    assert disclosure in video_section
    assert any(f["node"] == "video_fallback" for f in files["run"]["fallbacks"])
    assert files["run"]["video"]["fallback"]["taken"]
    checks = {c["name"]: c for c in files["validation"]["checks"]}
    assert checks["video_failure_disclosed"]["passed"]


@pytest.mark.shared
def test_english_task_gives_an_english_report_whose_status_follows_its_checks(
    shared_dir: Path, tmp_path: Path, cache_dir: Path
) -> None:
    task = copy_task(
        shared_dir / "fixtures" / "longeval_zh",
        tmp_path / "task",
        {"task.md": shared_dir / "fixtures" / "task_en.md"},
    )
    result = invoke(task, tmp_path / "out", cache_dir)
    files = outputs(tmp_path / "out")
    assert_status_is_truthful(result, files)
    checks = {c["name"]: c for c in files["validation"]["checks"]}
    assert checks["length"]["figure"]["unit"] == "words"
    length = checks["length"]
    assert length["passed"] == (1200 <= length["figure"]["count"] <= 1800), "length passes only in range"
    assert checks["language"]["figure"]["required"] == "en"
    headings = [line for line in files["report"].splitlines() if line.startswith("## ")]
    assert [h.split(". ", 1)[1] for h in headings] == [
        "Paper Overview",
        "Core Contributions",
        "Key Concepts Explained",
        "Highlights from the Talk",
    ]
    assert files["report"].startswith("# Reading Report: LongEval")
