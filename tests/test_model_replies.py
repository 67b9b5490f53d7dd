"""What small models really write, read as what it is: normalised when code can, failed with precise
feedback when it cannot; and the draft node's bounded output and context budget, with a scripted model."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from langgraph.runtime import Runtime
from reportgraph.nodes.context import Context
from reportgraph.nodes.draft import (
    EVIDENCE_CUT,
    SHORTER,
    TEMPLATE_TOKENS,
    draft,
    fit_evidence,
    format_evidence,
)
from reportgraph.nodes.state import DraftTask
from reportgraph.prompts.drafting import CUT_RETRY, REPLY_DEFECT_FEEDBACK
from reportgraph.tools.checking.validator import CheckResult, ValidationResult
from reportgraph.tools.intake.spec import RequirementSpec, SectionRequirement
from reportgraph.tools.llm import estimate_tokens, forget_scripted_models, scripted_model
from reportgraph.tools.registry import SourceRecord
from reportgraph.tools.writing.replies import PASTE_RUN_CHARS, clean_reply, with_reply_check

PAPER = SourceRecord(id="pdf-abc-p3", kind="pdf", segment="page", source_file="paper.pdf", page=3,
                     text="Hybrid retrieval fuses BM25 rankings with dense vector rankings by reciprocal "
                          "rank fusion, and the fused list is reranked before generation. " * 3)
TEA = SourceRecord(id="lc-tea-2", kind="corpus", segment="chunk", source_file="long_context.json",
                   title="茶的起源", url="https://example.org/tea", chunk_index=2,
                   text="茶起源于中国西南地区，已有数千年的饮用历史。")
PACK = [PAPER, TEA]


def kinds(reply: str, **options: Any) -> tuple[str, list[tuple[str, bool]]]:
    cleaned = clean_reply(reply, PACK, **options)
    return cleaned.text, [(d.kind, d.fixed) for d in cleaned.defects]


# ---------------------------------------------------------------- normalised in code


def test_an_echoed_prompt_line_is_dropped() -> None:
    text, found = kinds("第 4 节“视频补充要点”正文：\n茶起源于中国[@lc-tea-2]。", title="视频补充要点")
    assert text == "茶起源于中国[@lc-tea-2]。\n" and found == [("echoed_prompt", True)]
    prompt = "Write the body of section 2, \"Method\". Length: about 120 words."
    text, found = kinds(f"{prompt.split('. ')[0]}\nFusion is used[@pdf-abc-p3].", prompt=prompt)
    assert text == "Fusion is used[@pdf-abc-p3].\n" and found == [("echoed_prompt", True)]


@pytest.mark.parametrize("label", ["[paper.pdf p.3]", "[paper.pdf, p. 3]", "（paper.pdf p.3）",
                                   "[@paper.pdf p.3]"])
def test_a_rendered_label_is_mapped_back_to_its_id(label: str) -> None:
    text, found = kinds(f"Fusion is used{label}.")
    assert text == "Fusion is used[@pdf-abc-p3].\n" and found == [("label_as_citation", True)]


def test_a_label_written_beside_its_id_leaves_the_id_once() -> None:
    text, _ = kinds("Fusion is used[paper.pdf p.3][@pdf-abc-p3].")
    assert text == "Fusion is used[@pdf-abc-p3].\n"


def test_a_markdown_link_to_a_source_of_the_pack_becomes_its_id() -> None:
    text, found = kinds("茶的历史很长[茶的起源](https://example.org/tea)。")
    assert text == "茶的历史很长[@lc-tea-2]。\n" and found == [("link_as_citation", True)]
    text, _ = kinds("见[数千年](https://example.org/tea/)。")
    assert text == "见数千年[@lc-tea-2]。\n"


def test_a_citation_before_its_sentence_is_moved_to_its_end() -> None:
    reply = "[@lc-tea-2] 茶起源于中国。第二句[@pdf-abc-p3]。\n- [@pdf-abc-p3] Fusion is used. More."
    text, found = kinds(reply)
    assert text == "茶起源于中国[@lc-tea-2]。第二句[@pdf-abc-p3]。\n- Fusion is used[@pdf-abc-p3]. More.\n"
    assert found == [("citation_first", True), ("citation_first", True)]


def test_a_citation_cut_off_at_the_end_is_dropped() -> None:
    text, found = kinds("茶起源于中国[@lc-tea-2]。茶很古老[@pdf-abc-p")
    assert text == "茶起源于中国[@lc-tea-2]。茶很古老\n" and found == [("unterminated_citation", True)]


# ---------------------------------------------------------------- failed, with feedback


def test_pasted_evidence_is_removed_and_fails() -> None:
    pasted = PAPER.text[: PASTE_RUN_CHARS + 10]
    text, found = kinds(f"混合检索融合两种排序[@pdf-abc-p3]。\n{pasted}\n\n茶起源于中国[@lc-tea-2]。")
    assert text == "混合检索融合两种排序[@pdf-abc-p3]。\n\n茶起源于中国[@lc-tea-2]。\n"
    assert found == [("pasted_evidence", False)]
    # a quotation shorter than a paste is the writer's business
    assert kinds(f"As the paper says, \"{PAPER.text[:100]}\"[@pdf-abc-p3].")[1] == []


def test_repeated_blocks_and_sentences_are_removed_and_fail() -> None:
    block = "混合检索把词法检索和向量检索的排序融合在一起[@pdf-abc-p3]。"
    text, found = kinds(f"{block}\n\n{block}\n\n另一段话。{block}")
    assert text == f"{block}\n\n另一段话。\n"
    assert found == [("repeated_block", False), ("repeated_block", False)]


@pytest.mark.parametrize("citation", ["[other.pdf p.9]", "[long_context: \"别的\", chunk 4]",
                                      "[talk.mp4 01:02–01:30]"])
def test_a_label_naming_no_source_of_the_pack_fails(citation: str) -> None:
    text, found = kinds(f"茶起源于中国{citation}。")
    assert citation in text and found == [("unknown_label", False)]


def test_a_link_to_an_unknown_page_fails_and_keeps_its_words() -> None:
    text, found = kinds("见[别处](https://elsewhere.example/x)。")
    assert text == "见别处。\n" and found == [("unknown_link", False)]


def test_a_reply_cut_at_max_tokens_keeps_its_finished_sentences_and_fails() -> None:
    cleaned = clean_reply("第一句完整[@lc-tea-2]。第二句也完整[@lc-tea-2]。第三句被截", PACK, cut=True)
    assert cleaned.text == "第一句完整[@lc-tea-2]。第二句也完整[@lc-tea-2]。\n"
    assert [(d.kind, d.detail) for d in cleaned.failures] == [("cut_at_max_tokens", "第三句被截")]


def test_every_failing_kind_has_feedback_in_both_languages() -> None:
    failing = {"cut_at_max_tokens", "pasted_evidence", "repeated_block", "unknown_label", "unknown_link"}
    assert set(REPLY_DEFECT_FEEDBACK["zh"]) == set(REPLY_DEFECT_FEEDBACK["en"]) == failing


def test_unfixed_defects_fail_validation_with_their_feedback() -> None:
    passing = ValidationResult(passed=True, checks=[CheckResult(name="length", passed=True)], feedback={})
    clean = with_reply_check(passing, {"1": [], "2": []}, drafted_by_model=True)
    assert clean.passed and clean.checks[-1].name == "model_reply" and clean.checks[-1].passed
    failed = with_reply_check(passing, {"1": [], "2": ["pasted"]}, drafted_by_model=True)
    assert not failed.passed and failed.checks[-1].sections == [2] and failed.feedback == {"2": ["pasted"]}


def test_the_reply_check_says_what_it_checked_and_is_not_listed_without_model_replies() -> None:
    passing = ValidationResult(passed=True, checks=[CheckResult(name="length", passed=True)], feedback={})
    clean = with_reply_check(passing, {"1": [], "2": [], "3": []}, drafted_by_model=True).checks[-1]
    assert clean.passed and clean.detail.startswith("3/3 sections")
    assert clean.figure["sections_drafted_by_model"] == 3
    failed = with_reply_check(passing, {"1": ["cut"], "2": []}, drafted_by_model=True).checks[-1]
    assert failed.detail.startswith("1/2 sections") and "section 1: cut" in failed.detail
    # An offline run: the extractive writer's sections leave empty entries, and no model wrote a word.
    offline = with_reply_check(passing, {"1": [], "2": []}, drafted_by_model=False)
    assert [check.name for check in offline.checks] == ["length"] and offline.passed


# ---------------------------------------------------------------- the draft node: bounded output, budget


SPEC = RequirementSpec(language="zh", topic="茶的历史",
                       sections=[SectionRequirement(index=1, title="茶的起源", heading="（1）茶的起源")])


def run_draft(tmp_path: Path, rules: list[dict[str, Any]], budget: int = 40, **settings: Any) -> tuple[
        dict[str, Any], Any]:
    script = tmp_path / "script.json"
    script.write_text(json.dumps(rules, ensure_ascii=False), encoding="utf-8")
    forget_scripted_models()
    context = Context(chat_model=f"scripted:{script}", llm="on", **settings)
    task: DraftTask = {"section": SPEC.sections[0].model_dump(), "spec": SPEC, "task_text": "",
                       "evidence": [r.model_dump() for r in PACK], "budget": budget, "round": 1,
                       "requests_in_round": 1, "feedback": [], "previous_text": "", "video_disclosure": "",
                       "drafting_mode": "llm"}
    return draft(task, Runtime(context=context)), scripted_model(script)


def notes(update: dict[str, Any], message: str) -> list[dict[str, Any]]:
    return [e for e in update["events"] if e.get("message") == message]


def test_every_draft_request_sets_max_tokens_from_the_budget(tmp_path: Path) -> None:
    good = "茶起源于中国西南地区[@lc-tea-2]。"
    update, model = run_draft(tmp_path, [{"match": ["第 1 节"], "content": good}], budget=40,
                              tokens_per_unit=2.0, max_tokens_headroom=1.5)
    assert [r["max_tokens"] for r in model.requests] == [math.ceil(40 * 2.0 * 1.5)]
    assert update["drafts"]["1"] == good + "\n" and update["draft_defects"] == {"1": []}


def test_a_reply_cut_at_max_tokens_is_asked_again_shorter(tmp_path: Path) -> None:
    rules = [{"match": ["第 1 节", "被截断"], "content": "茶起源于中国[@lc-tea-2]。"},
             {"match": ["第 1 节"], "content": "茶起源于中国西南地区，历史悠久[@lc-tea-2]。" * 40}]
    update, model = run_draft(tmp_path, rules, budget=20)
    assert len(model.prompts) == 2
    assert CUT_RETRY["zh"].format(budget=int(20 * SHORTER)) in model.prompts[1]
    assert update["drafts"]["1"] == "茶起源于中国[@lc-tea-2]。\n" and update["draft_defects"] == {"1": []}
    assert len(notes(update, "reply cut at max_tokens")) == 1


def test_a_reply_cut_twice_marks_the_section(tmp_path: Path) -> None:
    looping = "茶起源于中国西南地区，历史悠久[@lc-tea-2]。" * 40
    update, model = run_draft(tmp_path, [{"match": ["第 1 节"], "content": looping}], budget=20)
    assert len(model.prompts) == 2
    assert update["drafts"]["1"].endswith("[@lc-tea-2]。\n"), "only finished sentences kept"
    [feedback] = update["draft_defects"]["1"]
    assert feedback.startswith(REPLY_DEFECT_FEEDBACK["zh"]["cut_at_max_tokens"].split("（")[0])


def test_evidence_is_taken_in_rank_order_while_it_fits_the_window() -> None:
    fixed, max_tokens = "x" * 1000, 96  # 250 tokens of prompt around the evidence
    tea, paper = (estimate_tokens(format_evidence([r])) + 2 for r in (TEA, PAPER))
    room = TEMPLATE_TOKENS + max_tokens + estimate_tokens(fixed)
    fit = fit_evidence(PACK, fixed, max_tokens, Context(context_window=room + tea + paper))
    assert fit.kept == PACK and fit.cut == []
    fit = fit_evidence(PACK, fixed, max_tokens, Context(context_window=room + tea + paper - 1))
    assert fit.kept == [PAPER] and fit.cut == [TEA.id], "the lower-ranked record is cut first"
    fit = fit_evidence(PACK, fixed, max_tokens, Context(context_window=room + tea))
    assert fit.kept == [TEA] and fit.cut == [PAPER.id], "a record too big is left out, a smaller one fits"


def test_the_draft_node_records_what_the_window_cut(tmp_path: Path) -> None:
    rules = [{"match": ["第 1 节"], "content": "茶起源于中国[@lc-tea-2]。"}]
    update, model = run_draft(tmp_path, rules, context_window=8192)
    assert format_evidence(PACK) in model.prompts[0]
    assert not notes(update, EVIDENCE_CUT)
    update, model = run_draft(tmp_path, rules, context_window=512)
    [cut] = notes(update, EVIDENCE_CUT)
    assert cut["cut"] == [PAPER.id, TEA.id] and cut["window"] == 512
    assert PAPER.id not in model.prompts[0] and update["drafts"]["1"]
