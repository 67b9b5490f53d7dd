"""The whole graph with a scripted chat model: revision of failing sections only, and the round limit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from corpus_ids import chunk_ids_by_title
from reportgraph.graph.graph import graph
from reportgraph.nodes.check_inputs import check_report
from reportgraph.nodes.context import Context
from reportgraph.tools.llm import forget_scripted_models, scripted_model
from reportgraph.tools.writing.report import REVIEW_MARK, strip_review_banner
from unjudged import only_relevance_unjudged

TASK = (
    'Write a short report titled "Tea Notes" for curious readers. The report must contain these sections, '
    "in this order: 1. Origins; 2. Brewing. Length: 80 to 250 words. Cite every source you use.\n"
)
DOCUMENTS = [
    {
        "title": "A short history of tea",
        "url": "https://example.org/tea-history",
        "content": "Tea drinking began in southwest China thousands of years ago. Merchants later carried "
        "tea along caravan routes to Central Asia and Europe, where it became a daily habit.",
    },
    {
        "title": "Brewing green tea",
        "url": "https://example.org/green-tea",
        "content": "Green tea is best brewed with water at about 80 degrees Celsius for two to three "
        "minutes. Boiling water makes green tea bitter because it extracts too many tannins.",
    },
    {
        "title": "Brewing black tea",
        "url": "https://example.org/black-tea",
        "content": "Black tea tolerates boiling water and usually steeps for three to five minutes. Milk and "
        "sugar are common additions to strong black tea in Britain.",
    },
    {
        "title": "Harbour weather report",
        "url": "https://example.org/weather",
        "content": "The harbour expects light winds and a calm sea on Thursday morning. Fishing boats should "
        "return before the evening storm reaches the coast.",
    },
]

ORIGINS_SHORT = "Tea began in China [@lc-0000000000-1].\n"


def origins_good(ids: dict[str, str]) -> str:
    history = ids["A short history of tea"]
    return (
        f"Tea drinking began in southwest China thousands of years ago [@{history}]. Merchants later carried "
        f"tea along caravan routes to Central Asia and Europe, where it became a daily habit [@{history}].\n"
    )


def brewing_good(ids: dict[str, str]) -> str:
    green, black = ids["Brewing green tea"], ids["Brewing black tea"]
    return (
        f"Green tea is best brewed with water at about 80 degrees Celsius for two to three minutes "
        f"[@{green}]. Boiling water makes green tea bitter because it extracts too many tannins [@{green}]. "
        f"Black tea tolerates boiling water and usually steeps for three to five minutes [@{black}]. Milk "
        f"and sugar are common additions to strong black tea in Britain [@{black}].\n"
    )


def outline_rule() -> dict[str, Any]:
    return {
        "match": ["Required sections"],
        "tool_call": {
            "name": "OutlinePlan",
            "args": {
                "sections": [
                    {"index": 1, "queries": ["history of tea", "tea origins China"]},
                    {"index": 2, "queries": ["brewing tea water temperature", "steeping time"]},
                ]
            },
        },
    }


@pytest.fixture
def tea_task(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    folder = tmp_path / "tea"
    folder.mkdir()
    (folder / "task.md").write_text(TASK, encoding="utf-8")
    corpus = folder / "long_context.json"
    corpus.write_text(json.dumps(DOCUMENTS, ensure_ascii=False), encoding="utf-8")
    return folder, chunk_ids_by_title(corpus)


def run(
    folder: Path, tmp_path: Path, rules: list[dict[str, Any]], rounds: int = 2
) -> tuple[dict[str, Any], Path]:
    forget_scripted_models()
    script = tmp_path / "script.json"
    script.write_text(json.dumps({"rules": rules}), encoding="utf-8")
    output = tmp_path / "out"
    result = graph.invoke(
        {"task_dir": str(folder)},
        context={
            "chat_model": f"scripted:{script}",
            "embedder": "none",
            "cache_dir": str(tmp_path / "cache"),
            "output_dir": str(output),
            "max_revision_rounds": rounds,
            "stop_without_progress": False,  # the round bound itself is under test
        },
    )
    return result, script


def draft_prompts(script: Path, section: str) -> list[str]:
    return [p for p in scripted_model(script).prompts if f"Write the body of section {section}," in p]


def test_validator_catches_short_section_and_unknown_id_then_only_that_section_is_redrafted(
    tea_task: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    folder, ids = tea_task
    rules = [
        outline_rule(),
        {"match": ["section 1,", "Problems to fix"], "content": origins_good(ids)},
        {"match": ["section 1,"], "content": ORIGINS_SHORT, "times": 1},
        {"match": ["section 2,"], "content": brewing_good(ids)},
    ]
    result, script = run(folder, tmp_path, rules)

    validation = json.loads((tmp_path / "out" / "validation.json").read_text(encoding="utf-8"))
    # Fixed: everything but relevance, which cannot rank four documents without an embedder (issue 27)
    # and asks no redraft for it
    assert result["status"] == "needs_review" and only_relevance_unjudged(validation), validation["unmet"]
    assert validation["round"] == 2
    revision = draft_prompts(script, "1")[-1]
    assert "[@lc-0000000000-1] does not resolve" in revision  # unknown id caught, named in the feedback
    assert "too short" in revision
    assert len(draft_prompts(script, "1")) == 2
    assert len(draft_prompts(script, "2")) == 1, "a passing section must not be redrafted"
    report = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert '[long_context: "A short history of tea", chunk 1]' in report
    assert "[@" not in report and "unresolved" not in report
    sources = json.loads((tmp_path / "out" / "sources.json").read_text(encoding="utf-8"))
    assert set(sources) == {ids["A short history of tea"], ids["Brewing green tea"], ids["Brewing black tea"]}
    assert all(entry["text"] for entry in sources.values())
    run_record = json.loads((tmp_path / "out" / "run.json").read_text(encoding="utf-8"))
    assert run_record["nodes"]["draft"]["invocations"] == 3
    assert run_record["nodes"]["draft"]["llm_calls"] == 3
    assert run_record["llm"]["calls"] == 4  # the outline, then three drafts


def never_repairing_rules(ids: dict[str, str]) -> list[dict[str, Any]]:
    """Section 1 is always too short and cites an unknown id; section 2 is good."""
    return [
        outline_rule(),
        {"match": ["section 1,"], "content": ORIGINS_SHORT},
        {"match": ["section 2,"], "content": brewing_good(ids)},
    ]


def test_a_script_that_never_repairs_ends_needs_review_with_the_unmet_items(
    tea_task: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    folder, ids = tea_task
    rules = never_repairing_rules(ids)
    result, script = run(folder, tmp_path, rules, rounds=2)

    assert result["status"] == "needs_review"
    validation = json.loads((tmp_path / "out" / "validation.json").read_text(encoding="utf-8"))
    assert validation["status"] == "needs_review"
    assert not validation["hard_checks_passed"]
    unmet = " ".join(validation["unmet"])
    assert "length" in unmet and "citations_resolve" in unmet
    failed = {c["name"] for c in validation["checks"] if not c["passed"]}
    assert {"length", "citations_resolve"} <= failed
    assert len(draft_prompts(script, "1")) == 3, "first draft plus two revision rounds"
    report = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert report.splitlines()[2].startswith("> needs_review")
    assert result["report_markdown"] == report  # the graph's result is report.md's text, banner and all


def test_check_counts_a_report_the_product_wrote_as_the_run_did_banner_or_not(
    tea_task: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    folder, ids = tea_task
    rules = never_repairing_rules(ids)
    result, _ = run(folder, tmp_path, rules, rounds=1)
    assert result["status"] == "needs_review"
    written = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    bare = strip_review_banner(written)
    assert REVIEW_MARK in written and REVIEW_MARK not in bare
    context = Context(llm="off", embedder="none", cache_dir=str(tmp_path / "cache"))
    with_banner, without = ({c.name: c.figure for c in check_report(folder, text, context)[0].checks}
                            for text in (written, bare))
    assert with_banner == without
    validation = json.loads((tmp_path / "out" / "validation.json").read_text(encoding="utf-8"))
    run_figures = {c["name"]: c["figure"] for c in validation["checks"]}
    assert with_banner["length"]["count"] == run_figures["length"]["count"]  # counted as the run counted
    for name in ("language", "claims_cited"):
        assert with_banner[name] == run_figures[name], name


def test_bad_input_stops_before_anything_is_written(tmp_path: Path) -> None:
    folder = tmp_path / "damaged"
    folder.mkdir()
    (folder / "task.md").write_text("Transformer123420003000", encoding="utf-8")
    (folder / "long_context.json").write_text(json.dumps(DOCUMENTS), encoding="utf-8")
    result = graph.invoke(
        {"task_dir": str(folder)},
        context={"llm": "off", "cache_dir": str(tmp_path / "c"), "output_dir": str(tmp_path / "o")},
    )
    assert result["status"] == "bad_input"
    assert result["error"]["code"] == "task_damaged"
    assert not (tmp_path / "o").exists()
