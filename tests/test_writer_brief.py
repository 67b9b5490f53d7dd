"""The writer sees what the task needs (issue 23): every drafting request carries the task's own text, the
audience and register as the task states them, the whole outline, and this section's facets; and no record
of an unrelated collection document reaches it.

Runs the graph with a scripted model (its prompts are recorded) on a small task written for this test.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from langgraph.checkpoint.memory import InMemorySaver
from reportgraph.graph.graph import build_graph
from reportgraph.tools.intake.spec import parse_requirements
from reportgraph.tools.llm import forget_scripted_models, scripted_model
from reportgraph.tools.registry import corpus_doc_id
from reportgraph.tools.writing.brief import audience_clauses, writer_brief

TASK = ("请为社区图书馆的志愿者写一份《城市屋顶农场调研简报》，语言通俗、面向没有农业背景的读者，"
        "结构包括：（1）屋顶农场的类型，如土培种植、水培系统；（2）经济效益；（3）面临的挑战。"
        "全文600至900字，所有内容须注明出处。\n")
DOCUMENTS = [
    ("屋顶农场的种植方式", "https://example.org/farm/types",
     "屋顶农场常见两类：土培种植把轻质土壤铺在防水层上，水培系统则用营养液循环供给作物。"
     "水培系统的承重要求较低，适合老旧建筑。"),
    ("屋顶农场的收益", "https://example.org/farm/economics",
     "一座一千平方米的屋顶农场每年可产蔬菜约二十吨。屋顶绿化还能让顶层室温在夏季降低两到三摄氏度。"),
    ("屋顶农场的难点", "https://example.org/farm/challenges",
     "屋顶农场面临承重、防水和灌溉成本等挑战。大风天气会损坏温室和遮阳网。"),
    ("潮汐与月相", "https://example.org/noise/tides",
     "潮汐主要由月球引力引起。大潮出现在新月和满月前后，小潮出现在上弦月和下弦月前后。"),
]


def test_the_task_text_audience_outline_and_facets_reach_every_drafting_request(
    tmp_path: Path, cache_dir: Path
) -> None:
    folder = tmp_path / "rooftop"
    folder.mkdir()
    (folder / "task.md").write_text(TASK, encoding="utf-8")
    (folder / "long_context.json").write_text(
        json.dumps([{"title": t, "url": u, "content": c} for t, u, c in DOCUMENTS], ensure_ascii=False),
        encoding="utf-8")
    forget_scripted_models()
    script = tmp_path / "script.json"
    script.write_text(json.dumps({"rules": [{"match": ["节"], "content": "屋顶农场有多种形式。\n"}]},
                                 ensure_ascii=False), encoding="utf-8")
    app = build_graph().compile(checkpointer=InMemorySaver())
    config: Any = {"configurable": {"thread_id": "brief"}}
    app.invoke({"task_dir": str(folder)}, config,
               context={"chat_model": f"scripted:{script}", "embedder": "none", "cache_dir": str(cache_dir),
                        "max_revision_rounds": 0, "write_outputs": False})
    drafts = [p for p in scripted_model(script).prompts if "请撰写第" in p]
    assert len(drafts) == 3, "one request per section"
    for prompt in drafts:
        assert TASK.strip() in prompt, "the task's own text, not a keyword list"
        assert "面向没有农业背景的读者" in prompt and "语言通俗" in prompt
        assert "1. （1）屋顶农场的类型" in prompt and "3. （3）面临的挑战" in prompt, "the whole outline"
        assert "潮汐" not in prompt, "no record of an unrelated document reaches the writer"
    [first] = [p for p in drafts if "请撰写第 1 节" in p]
    covers = first.split("本节要覆盖：", 1)[1].split("。", 1)[0]
    assert "土培种植" in covers and "水培系统" in covers, "the section's facets from the task's words"


def test_the_brief_reads_audience_and_coverage_from_other_words() -> None:
    task = ("Write a briefing on community solar for city councillors with no engineering training; keep the "
            "tone neutral.\nSections:\n1. Background\n2. Costs (e.g. panels, inverters, permits)\n3. Risks\n"
            "Around 800 words, citing every source.")
    spec = parse_requirements(task)
    brief = writer_brief(spec, task, 2)
    assert "city councillors" in brief.audience and "tone neutral" in brief.audience
    assert "Around 800 words" not in brief.audience
    assert {"panels", "inverters", "permits"} <= {c.strip() for c in brief.covers.split(",")}
    assert [line.split(":")[0] for line in brief.outline.splitlines()] == [
        f"{s.index}. {s.heading}" for s in spec.sections] and len(spec.sections) == 3
    assert audience_clauses("全文约三千字。请引用来源。") == "", "no audience stated: nothing invented"


def test_what_the_judge_saw_goes_back_to_the_writer_and_never_decides_the_status(
    tmp_path: Path, cache_dir: Path
) -> None:
    folder = tmp_path / "rooftop"
    folder.mkdir()
    task = TASK.replace("语言通俗", "语言通俗，要说明每种类型的优缺点")
    (folder / "task.md").write_text(task, encoding="utf-8")
    documents = [{"title": t, "url": u, "content": c} for t, u, c in DOCUMENTS]
    (folder / "long_context.json").write_text(json.dumps(documents, ensure_ascii=False), encoding="utf-8")
    ids = {t: f"{corpus_doc_id(t, u, c)}-1" for t, u, c in DOCUMENTS}
    verdict = {"items": [{"requirement": "要说明每种类型的优缺点", "met": False, "section": 1,
                          "reason": "只列出了类型，没有比较"}]}
    forget_scripted_models()
    script = tmp_path / "script.json"
    script.write_text(json.dumps({"rules": [
        {"match": ["Requirements:"], "tool_call": {"name": "SoftVerdict", "args": verdict}},
        {"match": ["请撰写第 1 节"],
         "content": f"水培系统的承重要求较低，适合老旧建筑[@{ids['屋顶农场的种植方式']}]。\n"},
        {"match": ["请撰写第 2 节"],
         "content": f"一座一千平方米的屋顶农场每年可产蔬菜约二十吨[@{ids['屋顶农场的收益']}]。\n"},
        {"match": ["请撰写第 3 节"],
         "content": f"屋顶农场面临承重、防水和灌溉成本等挑战[@{ids['屋顶农场的难点']}]。\n"},
    ]}, ensure_ascii=False), encoding="utf-8")
    app = build_graph().compile(checkpointer=InMemorySaver())
    config: Any = {"configurable": {"thread_id": "judge"}}
    context = {"chat_model": f"scripted:{script}", "embedder": "none", "cache_dir": str(cache_dir),
               "max_revision_rounds": 2, "write_outputs": False}
    state = app.invoke({"task_dir": str(folder)}, config, context=context)
    drafts = [p for p in scripted_model(script).prompts if "请撰写第" in p]
    redrafts = [p for p in drafts if "上一稿未通过检查" in p]
    reason = "只列出了类型，没有比较"
    assert any("请撰写第 1 节" in p and reason in p for p in redrafts), "section 1 hears the judge"
    assert not any(reason in p for p in redrafts if "请撰写第 1 节" not in p), "only for the section it named"
    soft = state["validation"]["soft"]
    assert soft["feedback"] or soft["items"], "recorded apart, under soft"
    assert state["status"] == state["validation"]["status"]
    assert state["validation"]["hard_checks_passed"] is (state["status"] == "pass"), "hard checks decide"
