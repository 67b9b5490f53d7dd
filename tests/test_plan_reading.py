"""The plan node with a model: the model reads the task too, and the spec says where it disagrees."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from langgraph.runtime import Runtime
from reportgraph.nodes.context import Context
from reportgraph.nodes.plan import LengthReading, plan, stated_length
from reportgraph.tools.intake.spec import RequirementSpec, parse_requirements
from reportgraph.tools.llm import forget_scripted_models

OUTLINE = {"sections": [{"index": 1, "queries": ["茶 起源"]}, {"index": 2, "queries": ["茶 习俗"]}]}


def run_plan(tmp_path: Path, task: str, reading: dict[str, Any]) -> dict[str, Any]:
    folder = tmp_path / "task"
    folder.mkdir()
    (folder / "task.md").write_text(task, encoding="utf-8")
    document = {"title": "茶史", "url": "https://example.org/tea", "content": "茶起源于中国西南。" * 20}
    (folder / "long_context.json").write_text(json.dumps([document], ensure_ascii=False), encoding="utf-8")
    script = tmp_path / "script.json"
    rules = [
        {"match": ["report-writing task"], "tool_call": {"name": "TaskReading", "args": reading}},
        {"match": ["Required sections"], "tool_call": {"name": "OutlinePlan", "args": OUTLINE}},
    ]
    script.write_text(json.dumps(rules, ensure_ascii=False), encoding="utf-8")
    forget_scripted_models()
    context = Context(chat_model=f"scripted:{script}", llm="on", embedder="none", cache_dir=str(tmp_path))
    return plan({"task_dir": str(folder)}, Runtime(context=context))


def test_where_model_and_rules_disagree_the_spec_says_so_and_keeps_the_rules(tmp_path: Path) -> None:
    task = "请写一份关于茶文化的报告，包含以下部分：（1）茶的起源；（2）饮茶习俗。字数2000至3000字。"
    reading = {"language": "en", "sections": [{"title": "起源"}, {"title": "习俗"}, {"title": "展望"}],
               "length": {"min": 2000, "max": None, "unit": "cjk_chars"}}
    update = run_plan(tmp_path, task, reading)
    spec = RequirementSpec.model_validate(update["spec"])
    assert [s.title for s in spec.sections] == ["茶的起源", "饮茶习俗"] and spec.language == "zh"
    assert spec.length is not None and (spec.length.min, spec.length.max) == (2000, 3000)
    assert {(d.field, d.kept) for d in spec.disagreements} == {
        ("language", "rules"), ("sections", "rules"), ("length", "rules")
    }
    notes = [e for e in update["events"] if e.get("kind") == "note" and e.get("field")]
    assert {note["field"] for note in notes} == {"language", "sections", "length"}
    assert spec.parsed_by == "rules+llm"


def test_a_field_the_rules_did_not_read_is_filled_by_the_model_and_said_so(tmp_path: Path) -> None:
    task = "请写一份关于茶文化的报告，分为两个方面来写，具体自拟。"
    reading = {"sections": [{"title": "茶的起源"}, {"title": "饮茶习俗"}], "sections_from_task": True}
    update = run_plan(tmp_path, task, reading)
    spec = RequirementSpec.model_validate(update["spec"])
    assert spec.sections_from_task and [s.title for s in spec.sections] == ["茶的起源", "饮茶习俗"]
    assert [(d.field, d.rules, d.kept) for d in spec.disagreements] == [("sections", "null", "model")]
    assert spec.unparsed, "what the rules could not read stays listed: the model's reading is not a check"


def test_a_length_the_task_does_not_state_is_dropped_and_said_so(tmp_path: Path) -> None:
    reading = {"sections": [{"title": "起源"}], "length": {"min": 800, "max": 1200, "unit": "cjk_chars"}}
    update = run_plan(tmp_path, "请写一份关于茶文化的报告。", reading)
    spec = RequirementSpec.model_validate(update["spec"])
    assert spec.length is None
    invented = [d for d in spec.disagreements if d.field == "length"]
    assert len(invented) == 1 and invented[0].kept == "rules" and invented[0].rules == "null"
    assert "figures not in the task" in invented[0].model


def test_a_model_length_in_pages_is_counted_at_the_runs_per_page_figure() -> None:
    spec = parse_requirements("Write a report of two to three pages.")
    context = Context(words_per_page=300)
    length = stated_length(LengthReading(min=2, max=3, unit="pages"), "two to three pages", spec, context)
    assert length is not None and length.unit == "pages"
    assert length.in_text_unit().max == 900
    invented = LengthReading(min=4, max=5, unit="pages")
    assert stated_length(invented, "two to three pages", spec, context) is None
