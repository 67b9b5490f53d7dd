"""Issue 25: the requirement reader follows the language, and a misread is never silent.

- own labelled prompts (tests/data/spec_own*.jsonl, written for these tests, other topics than the shared
  sets) read right field by field;
- property tests generate length phrases (number notations x comparatives x languages) and outlines (marker
  styles, inline or on lines) and require each to be read right or quoted in ``unparsed`` (a misread that
  is flagged is allowed, a silent one fails); run with ``-s`` for the figures;
- citation rules read as requirements, must_cite only what the task names;
- a check the task does not require is listed as such in the validation, not dropped;
- a disagreement between the rules and a model is settled by a second, targeted question (scripted model).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reportgraph.tools.checking import validate_report
from reportgraph.tools.checking.report import ValidationInputs
from reportgraph.tools.intake.spec import (
    APPROX_TOLERANCE,
    RequirementSpec,
    merge_llm_spec,
    parse_requirements,
    settle_disagreements,
)
from reportgraph.tools.llm.scripted import ScriptedChatModel, ScriptRule

DATA = Path(__file__).parent / "data"
FIGURES: Counter[str] = Counter()


def about(figure: int) -> tuple[int, int]:
    return round(figure * (1 - APPROX_TOLERANCE)), round(figure * (1 + APPROX_TOLERANCE))


# ---------------------------------------------------------------- own labelled prompts


def gold(name: str) -> list[dict[str, Any]]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def reading(spec: RequirementSpec) -> dict[str, Any]:
    length = spec.length
    return {
        "language": spec.language,
        "sections": [s.title for s in spec.sections] if spec.sections_from_task else None,
        "length": {"min": length.min, "max": length.max, "unit": length.unit} if length else None,
    }


@pytest.mark.parametrize(
    "item", [*gold("spec_own.jsonl"), *gold("spec_own_holdout.jsonl")], ids=lambda i: i["id"]
)
def test_own_prompts_are_read_right(item: dict[str, Any]) -> None:
    got = reading(parse_requirements(item["prompt"]))
    assert got == {key: item[key] for key in ("language", "sections", "length")}


# ---------------------------------------------------------------- property tests: lengths

ZH_DIGITS = "零一二三四五六七八九"


def chinese(value: int) -> str:
    """2000 → 两千, 2500 → 两千五百, 12000 → 一万二千, 800 → 八百 (the values the generator uses)."""
    parts, rest = [], value
    for unit, name in ((10_000, "万"), (1000, "千"), (100, "百")):
        digit, rest = divmod(rest, unit)
        if digit:
            parts.append(("两" if digit == 2 and unit >= 1000 else ZH_DIGITS[digit]) + name)
    return "".join(parts)


ENGLISH = {
    800: "eight hundred",
    1200: "twelve hundred",
    1500: "fifteen hundred",
    2000: "two thousand",
    2500: "two thousand five hundred",
    3000: "three thousand",
    4500: "four thousand five hundred",
    12000: "twelve thousand",
}


def notations(value: int, language: str) -> list[str]:
    """Ways of writing ``value``: digits, separators, full width, k / 千 / 万, number words."""
    forms = [str(value), f"{value:,}", str(value).translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})]
    if language == "zh":
        forms.append(chinese(value))
        if value % 1000 == 0:
            forms.append(f"{value // 1000}千")
        if value >= 10_000:
            forms.append(f"{value / 10_000:g}万")
    else:
        forms.append(ENGLISH[value])
        if value % 100 == 0 and value >= 1000:
            forms.append(f"{value / 1000:g}k")
    return forms


BOUNDS = {  # (phrase with {n}, bound)
    "zh": [
        ("不少于{n}字", "lower"),
        ("至少{n}字", "lower"),
        ("{n}字以上", "lower"),
        ("不得低于{n}字", "lower"),
        ("下限为{n}字", "lower"),
        ("不超过{n}字", "upper"),
        ("{n}字以内", "upper"),
        ("最多{n}字", "upper"),
        ("不宜超过{n}字", "upper"),
        ("上限{n}字", "upper"),
        ("不要多于{n}字", "upper"),
        ("约{n}字", "approx"),
        ("{n}字左右", "approx"),
        ("大概{n}字", "approx"),
    ],
    "en": [
        ("at least {n} words", "lower"),
        ("no fewer than {n} words", "lower"),
        ("no shorter than {n} words", "lower"),
        ("not under {n} words", "lower"),
        ("{n} words minimum", "lower"),
        ("more than {n} words", "lower"),
        ("at most {n} words", "upper"),
        ("no more than {n} words", "upper"),
        ("{n} words tops", "upper"),
        ("under {n} words", "upper"),
        ("no longer than {n} words", "upper"),
        ("not exceeding {n} words", "upper"),
        ("about {n} words", "approx"),
        ("roughly {n} words", "approx"),
        ("{n} words or so", "approx"),
    ],
}
RANGES = {
    "zh": ["{a}至{b}字", "{a}到{b}字", "{a}-{b}字", "{a}~{b}字", "{a}—{b}字", "字数{a}到{b}字之间"],
    "en": ["between {a} and {b} words", "{a} to {b} words", "{a}–{b} words", "{a}-{b} words"],
}
FRAMES = {
    "zh": ["请写一份关于{topic}的报告，{length}。", "写一篇报告谈谈{topic}。篇幅方面，{length}。"],
    "en": ["Write a report on {topic}, {length}.", "Write a report on {topic}. Keep it {length}, please."],
}
TOPICS = {
    "zh": ["城市地下管网", "候鸟迁徙监测", "社区养老服务"],
    "en": ["urban drainage", "bird migration", "elder care"],
}
VALUES = sorted(ENGLISH)


@st.composite
def length_prompts(draw: st.DrawFn) -> tuple[str, str, tuple[int | None, int | None]]:
    language = draw(st.sampled_from(["zh", "en"]))
    topic = draw(st.sampled_from(TOPICS[language]))
    if draw(st.booleans()):
        low, high = sorted(draw(st.lists(st.sampled_from(VALUES), min_size=2, max_size=2, unique=True)))
        a, b = (
            draw(st.sampled_from(notations(low, language))),
            draw(st.sampled_from(notations(high, language))),
        )
        phrase, expected = draw(st.sampled_from(RANGES[language])).format(a=a, b=b), (low, high)
    else:
        value = draw(st.sampled_from(VALUES))
        template, bound = draw(st.sampled_from(BOUNDS[language]))
        phrase = template.format(n=draw(st.sampled_from(notations(value, language))))
        expected = {"lower": (value, None), "upper": (None, value)}.get(bound) or about(value)
    prompt = draw(st.sampled_from(FRAMES[language])).format(topic=topic, length=phrase)
    return prompt, language, expected


def tally(kind: str, right: bool, flagged: bool) -> None:
    FIGURES[f"{kind} generated"] += 1
    FIGURES[f"{kind} {'right' if right else 'misread, flagged' if flagged else 'misread, SILENT'}"] += 1


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(length_prompts())
def test_generated_lengths_are_read_right_or_flagged(
    case: tuple[str, str, tuple[int | None, int | None]],
) -> None:
    prompt, language, expected = case
    spec = parse_requirements(prompt)
    got = (spec.length.min, spec.length.max) if spec.length else None
    unit = spec.length.unit if spec.length else None
    right = got == expected and unit == ("cjk_chars" if language == "zh" else "words")
    tally("length", right, bool(spec.unparsed))
    assert right or spec.unparsed, f"silent misread of {prompt!r}: {got} {unit}, expected {expected}"


# ---------------------------------------------------------------- property tests: outlines

HEADINGS = {
    "zh": [
        "发展历程",
        "技术路线",
        "成本结构",
        "政策环境",
        "风险与对策",
        "典型案例",
        "未来展望",
        "回收Li、Ni和Co",
    ],
    "en": [
        "Historical Background",
        "Design Choices",
        "Cost Structure",
        "Policy Context",
        "Risks and Remedies",
        "Case Studies",
        "Outlook",
        "Recovery of Li, Ni and Co",
        "Wind vs. Solar",
    ],
}
ZH_ORDINALS = "一二三四五六"
EN_ORDINALS = ["One", "Two", "Three", "Four", "Five", "Six"]
ROMAN = ["i", "ii", "iii", "iv", "v", "vi"]
MARKERS = {
    "zh": [
        lambda i: f"（{i}）",
        lambda i: f"{i}. ",
        lambda i: f"{i}、",
        lambda i: "①②③④⑤⑥"[i - 1],
        lambda i: f"{ZH_ORDINALS[i - 1]}、",
        lambda i: f"第{ZH_ORDINALS[i - 1]}部分 ",
        lambda i: f"({ROMAN[i - 1]}) ",
    ],
    "en": [
        lambda i: f"({i}) ",
        lambda i: f"{i}. ",
        lambda i: "①②③④⑤⑥"[i - 1] + " ",
        lambda i: f"({ROMAN[i - 1]}) ",
        lambda i: f"Part {EN_ORDINALS[i - 1]} — ",
        lambda i: f"{chr(64 + i)}) ",
    ],
}
LEADS = {
    "zh": ["报告包含以下部分：", "正文结构如下：", "请按以下顺序组织："],
    "en": [
        "The report should have these sections:",
        "Organise it as follows:",
        "Use the following headings:",
    ],
}


def inline_zh(items: list[str]) -> str:
    return "、".join(items[:-1]) + "和" + items[-1]


def inline_en(items: list[str]) -> str:
    return ", ".join(items[:-1]) + " and " + items[-1]


INLINE = {
    "zh": [
        lambda items: f"报告包括{inline_zh(items)}{chinese_count(len(items))}个部分。",
        lambda items: f"正文按{inline_zh(items)}的顺序展开。",
        lambda items: f"报告由{inline_zh(items)}{chinese_count(len(items))}部分组成。",
    ],
    "en": [
        lambda items: f"Organise it into {inline_en(items)}.",
        lambda items: f"Use the sections {inline_en(items)}, in that order.",
        lambda items: f"Cover {english_count(len(items))} things—{inline_en(items)}—and keep it formal.",
    ],
}


def chinese_count(n: int) -> str:
    return "两" if n == 2 else ZH_DIGITS[n]


def english_count(n: int) -> str:
    return ["", "one", "two", "three", "four", "five", "six"][n]


@st.composite
def outline_prompts(draw: st.DrawFn) -> tuple[str, list[str]]:
    language = draw(st.sampled_from(["zh", "en"]))
    pool = HEADINGS[language]
    inline = draw(st.booleans())
    if inline:  # a heading with its own commas or 和 cannot be told apart inside an unmarked list
        pool = [h for h in pool if not any(mark in h for mark in ("、", ",", "和", " and "))]
    items = draw(st.lists(st.sampled_from(pool), min_size=3, max_size=5, unique=True))
    topic = draw(st.sampled_from(TOPICS[language]))
    head = f"请写一份关于{topic}的报告。" if language == "zh" else f"Write a report on {topic}. "
    if inline:
        return head + draw(st.sampled_from(INLINE[language]))(items), items
    marker = draw(st.sampled_from(MARKERS[language]))
    on_lines = draw(st.booleans())
    glue = "\n" if on_lines else ("；" if language == "zh" else "; ")
    body = glue.join(marker(i) + item for i, item in enumerate(items, 1))
    lead = draw(st.sampled_from(LEADS[language]))
    return f"{head}{lead}{chr(10) if on_lines else ''}{body}{'。' if language == 'zh' else '.'}", items


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(outline_prompts())
def test_generated_outlines_are_read_right_or_flagged(case: tuple[str, list[str]]) -> None:
    prompt, items = case
    spec = parse_requirements(prompt)
    got = [s.title for s in spec.sections] if spec.sections_from_task else None
    right = got == items
    tally("outline", right, bool(spec.unparsed))
    assert right or spec.unparsed, f"silent misread of {prompt!r}: {got}, expected {items}"


def test_zz_print_property_figures() -> None:
    """The figures of the property tests above (run with -s); they ran first in this module."""
    print("\nproperty figures:", dict(sorted(FIGURES.items())))
    assert not any("SILENT" in key for key in FIGURES)


# ---------------------------------------------------------------- invariants on their own


@pytest.mark.parametrize(
    "prompt",
    [
        # markers that are instructions, not headings
        "请写一份报告。另外请注意：(a) 数据要新 (b) 图表要清楚 (c) 不要抄袭。",
        "Write a report. Mind these: 1) use recent data 2) no copying 3) plain words.",
        "写一份报告，大约要写好几千字，不要太短，每页要有图，全文不少于五页纸。",
    ],
)
def test_markers_and_figures_with_units_are_consumed_or_quoted(prompt: str) -> None:
    spec = parse_requirements(prompt)
    read = spec.sections_from_task or spec.length is not None
    assert read or spec.unparsed


def test_a_count_phrase_and_an_instruction_verb_are_never_headings() -> None:
    spec = parse_requirements("Write a briefing on ferries. Cover three things—routes, fares and safety.")
    assert [s.title for s in spec.sections] == ["routes", "fares", "safety"]
    spec = parse_requirements("请写报告，包括：写站点选址的依据、分析客流的变化、提出票价的调整方案。")
    assert [s.title for s in spec.sections] == ["站点选址的依据", "客流的变化", "票价的调整方案"]


def test_a_per_section_length_is_kept_beside_its_total() -> None:
    spec = parse_requirements("写一份报告，分三部分，每部分写700字左右：一、起因 二、经过 三、影响。")
    assert spec.length is not None and spec.length.per_section == about(700)
    assert (spec.length.min, spec.length.max) == tuple(3 * f for f in about(700))


def test_an_approximate_page_count_is_checked_as_a_range() -> None:
    spec = parse_requirements("写一份4页左右的报告。", chars_per_page=800)
    assert spec.length is not None and (spec.length.min, spec.length.max, spec.length.unit) == (4, 4, "pages")
    counted = spec.length.in_text_unit()
    assert (counted.min, counted.max) == (round(4 * 800 * 0.9), round(4 * 800 * 1.1))


# ---------------------------------------------------------------- citations


@pytest.mark.parametrize(
    ("prompt", "required", "must_cite"),
    [
        ("请根据所附论文和演讲视频写一份报告，所有内容须有出处。", True, ["pdf", "video"]),
        ("请基于论文写一份报告，每个观点都要注明出处。", True, ["pdf"]),
        (
            "Write a report based on the paper and the talk. Every claim must be referenced.",
            True,
            ["pdf", "video"],
        ),
        ("Using the attached paper, write a report and cite your sources.", True, ["pdf"]),
        ("请根据论文写一份报告，不需要标注来源。", False, ["pdf"]),
        ("Write a report from the recorded lecture; no citations needed.", False, ["video"]),
        ("请根据论文和讲座视频写报告，并标注来源，无需使用资料库。", True, ["pdf", "video"]),
        ("请根据论文写报告并标注来源，必须引用资料库中的文献。", True, ["pdf", "corpus"]),
    ],
)
def test_citation_rules_are_requirements_and_must_cite_holds_only_named_materials(
    prompt: str, required: bool, must_cite: list[str]
) -> None:
    rules = parse_requirements(prompt).citations
    assert (rules.required, rules.must_cite) == (required, must_cite)


# ---------------------------------------------------------------- no silent check


def test_a_check_the_task_does_not_require_is_listed_with_the_reason() -> None:
    spec = parse_requirements("请写一份关于茶的报告，不需要标注来源。")
    assert not spec.citations.required and spec.length is None and spec.title is None
    markdown = (
        "# 茶\n\n## 引言\n\n陆羽在780年写成《茶经》。\n\n"
        "## 主要内容\n\n饮茶成为习俗。\n\n## 结论\n\n茶很重要。\n"
    )
    result = validate_report(ValidationInputs(markdown=markdown, spec=spec, registry={}, drafting_mode="llm"))
    checks = {c.name: c for c in result.checks}
    for name in ("claims_cited", "sections_cited", "required_materials_cited", "length", "title"):
        assert name in checks, f"{name} vanished from the validation"
        assert checks[name].detail.startswith("not required by the task") and not checks[name].hard
    required = parse_requirements("请写一份关于茶的报告，所有内容须有出处。")
    result = validate_report(
        ValidationInputs(markdown=markdown, spec=required, registry={}, drafting_mode="llm")
    )
    claims = next(c for c in result.checks if c.name == "claims_cited")
    assert claims.hard and not claims.passed  # 780年 is an uncited fact once sources are required


# ---------------------------------------------------------------- a model's reading, settled by a question


def scripted(choice: str) -> ScriptedChatModel:
    answer = {"name": "SettledReading", "args": {"choice": choice, "reason": "the words say so"}}
    return ScriptedChatModel(
        rules=[ScriptRule(match=["Which reading of the words is right"], tool_call=answer)]
    )


def disputed(
    task: str, model_length: dict[str, Any]
) -> tuple[RequirementSpec, RequirementSpec, RequirementSpec]:
    rules = parse_requirements(task)
    model_spec = rules.model_copy(update={"length": rules.length.model_copy(update=model_length)})  # type: ignore[union-attr]
    return merge_llm_spec(rules, model_spec), rules, model_spec


@pytest.mark.parametrize(
    ("choice", "kept", "bounds"), [("B", "model", (None, 2000)), ("A", "rules", (2000, None))]
)
def test_a_disagreement_is_settled_by_a_targeted_question(
    choice: str, kept: str, bounds: tuple[int | None, int | None]
) -> None:
    task = "Write a report on ferry safety. It should be at least 2,000 words."
    merged, rules, model_spec = disputed(task, {"min": None, "max": 2000})
    model = scripted(choice)
    settled = settle_disagreements(merged, rules, model_spec, task, model)
    assert settled.length is not None and (settled.length.min, settled.length.max) == bounds
    (record,) = [d for d in settled.disagreements if d.field == "length"]
    assert (record.kept, record.settled_by) == (kept, "question")
    assert record.span == "It should be at least 2,000 words."
    assert "It should be at least 2,000 words." in model.prompts[-1]  # the question quotes the exact span


def test_a_question_without_a_usable_answer_is_recorded_as_unanswered() -> None:
    task = "Write a report on ferry safety. It should be at least 2,000 words."
    merged, rules, model_spec = disputed(task, {"min": None, "max": 2000})
    model = ScriptedChatModel(rules=[ScriptRule(match=["Which reading"], content="no idea")])
    settled = settle_disagreements(merged, rules, model_spec, task, model)
    (record,) = [d for d in settled.disagreements if d.field == "length"]
    assert (record.kept, record.settled_by) == ("rules", "unanswered")
