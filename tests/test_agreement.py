"""One verdict, whichever surface checks: a run's validate step, `reportgraph check` and the MCP
`validate_report` tool build the checks' inputs in one place (nodes/check_inputs.py), so on the report a run
wrote they agree on the status and on which hard checks failed.

Runs the graph offline (the bundled example) and with a scripted model (a small task of its own), then checks
the report.md it wrote through the other two surfaces. ``model_reply`` is left out of the comparison: it
judges the model's replies during the run, which a report alone does not carry.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from reportgraph.graph.graph import build_graph
from reportgraph.graph.mcp_server import validate_report_sync
from reportgraph.nodes.check_inputs import check_report
from reportgraph.nodes.context import Context, env
from reportgraph.tools.llm import forget_scripted_models
from reportgraph.tools.registry import corpus_doc_id

ROOT = Path(__file__).resolve().parent.parent
RUN_ONLY = {"model_reply"}  # about the run's model replies, not the report

TASK = ("请写一篇题为《城市养蜂入门》的短文，面向刚入门的读者，包含以下部分：（1）蜂群构成；（2）采蜜季节。"
        "全文100至400字，所有内容须注明出处。\n")
DOCUMENTS = {
    "colony": ("蜂群的构成", "https://example.org/bees/colony",
               "一个蜂群通常由一只蜂王、数万只工蜂和数百只雄蜂组成。蜂王负责产卵，工蜂负责采蜜和哺育幼虫。"),
    "season": ("采蜜季节", "https://example.org/bees/season",
               "在温带城市，主要流蜜期集中在4月到7月。刺槐和椴树开花时，工蜂每天可往返蜂箱数十次。"),
    "harbour": ("港口货运", "https://example.org/port/cargo",
                "集装箱船在港口卸货通常需要一到两天。港务局按吨位收取停泊费。"),
}


def failed(checks: list[dict[str, Any]]) -> list[str]:
    return sorted(c["name"] for c in checks if c["hard"] and not c["passed"] and c["name"] not in RUN_ONLY)


def surfaces_agree(task_dir: Path, out: Path, context: Context, drafting_mode: str,
                   monkeypatch: pytest.MonkeyPatch) -> tuple[str, list[str]]:
    """The run's verdict (validation.json) against `check`'s and the MCP tool's on the same report.md."""
    written = json.loads((out / "validation.json").read_text(encoding="utf-8"))
    report = (out / "report.md").read_text(encoding="utf-8")
    checked, _ = check_report(task_dir, report, context, drafting_mode=drafting_mode)  # type: ignore[arg-type]
    # The MCP tool takes its settings from the environment, as a served process does.
    monkeypatch.setenv("REPORTGRAPH_EMBEDDER", context.embedder)
    monkeypatch.setenv("REPORTGRAPH_LLM", "off")
    env.cache_clear()
    served = validate_report_sync(str(task_dir), report)
    env.cache_clear()
    run_failed = failed(written["checks"])
    check_failed = failed([c.model_dump() for c in checked.checks])
    assert check_failed == run_failed, "reportgraph check disagrees with the run"
    assert failed(served.checks) == run_failed, "the MCP validate_report tool disagrees with the run"
    run_passed = written["status"] == "pass"
    assert checked.passed == served.passed == (run_passed or set(run_failed) == set())
    return written["status"], run_failed


def test_offline_run_check_and_mcp_agree_on_the_bundled_example(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    task_dir = ROOT / "examples" / "hybrid_search_zh"
    settings = {"llm": "off", "embedder": "none", "cache_dir": str(cache_dir)}
    result = build_graph().compile().invoke(
        {"task_dir": str(task_dir)}, context={**settings, "output_dir": str(tmp_path / "out")})
    assert result["status"] in ("pass", "needs_review")
    status, run_failed = surfaces_agree(task_dir, tmp_path / "out", Context(**settings), "extractive",
                                        monkeypatch)
    assert status == result["status"] and run_failed, "the README promises this run ends needs_review"


def test_a_scripted_model_run_check_and_mcp_agree(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "bees"
    folder.mkdir()
    (folder / "task.md").write_text(TASK, encoding="utf-8")
    documents = [{"title": t, "url": u, "content": c} for t, u, c in DOCUMENTS.values()]
    (folder / "long_context.json").write_text(json.dumps(documents, ensure_ascii=False), encoding="utf-8")
    ids = {key: f"{corpus_doc_id(t, u, c)}-1" for key, (t, u, c) in DOCUMENTS.items()}
    rules = [
        {"match": ["第 1 节"],
         "content": f"一个蜂群通常由一只蜂王、数万只工蜂和数百只雄蜂组成[@{ids['colony']}]。"
                    f"蜂王负责产卵，工蜂负责采蜜和哺育幼虫[@{ids['colony']}]。\n"},
        # One sentence states a month the source does not: the surfaces must agree that it fails support.
        {"match": ["第 2 节"],
         "content": f"在温带城市，主要流蜜期集中在1月到2月[@{ids['season']}]。"
                    f"刺槐和椴树开花时，工蜂每天可往返蜂箱数十次[@{ids['season']}]。\n"},
    ]
    forget_scripted_models()
    script = tmp_path / "script.json"
    script.write_text(json.dumps({"rules": rules}, ensure_ascii=False), encoding="utf-8")
    settings = {"embedder": "none", "cache_dir": str(cache_dir)}
    app = build_graph().compile(checkpointer=InMemorySaver())
    config: Any = {"configurable": {"thread_id": "agree"}}
    app.invoke({"task_dir": str(folder)}, config,
               context={**settings, "chat_model": f"scripted:{script}", "max_revision_rounds": 0,
                        "output_dir": str(tmp_path / "out")})
    assert app.get_state(config).values["drafting_mode"] == "llm"
    # check and the MCP tool judge without a model: the scripted one answers no support question here.
    status, run_failed = surfaces_agree(folder, tmp_path / "out", Context(**settings, llm="off"), "llm",
                                        monkeypatch)
    assert status == "needs_review" and "citation_support" in run_failed
