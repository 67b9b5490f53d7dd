"""The requirement reader on kinds of phrasing a fresh set of prompts showed it misread (own prompts, own
topics): bounds in separate sentences and judged bounds ("anything below X is too thin"), outlines in a
markdown table, on 一、 lines, behind inline markers, headings holding commas or "and", a count phrase after
the last item, a length for one named part, and a length unit naming the other language.

Each case states what a careful reader takes from the prompt; a field is right or the test fails.
"""

from __future__ import annotations

from typing import Any

import pytest
from reportgraph.tools.intake.spec import APPROX_TOLERANCE, RequirementSpec, parse_requirements


def about(figure: int) -> tuple[int, int]:
    return round(figure * (1 - APPROX_TOLERANCE)), round(figure * (1 + APPROX_TOLERANCE))


def length_of(spec: RequirementSpec) -> tuple[int | None, int | None, str] | None:
    return (spec.length.min, spec.length.max, spec.length.unit) if spec.length else None


def titles(spec: RequirementSpec) -> list[str] | None:
    return [s.title for s in spec.sections] if spec.sections_from_task else None


# (prompt, (min, max, unit)) — kind 1: a minimum and a maximum in separate sentences, negated or judged.
SEPARATE_BOUNDS: list[tuple[str, tuple[int | None, int | None, str]]] = [
    ("Write a briefing on kelp farming. Keep it under 1,800 words. It shouldn't be shorter than 1,100 "
     "either.",
     (1100, 1800, "words")),
    ("Draft an essay on lighthouse keepers. Don't go past 2,400 words; anything under 1,600 is too slight.",
     (1600, 2400, "words")),
    ("Write about peat bogs. Anything over 3,200 words is too long. It must not be shorter than 2,000 words.",
     (2000, 3200, "words")),
    ("写一篇关于候鸟迁徙的科普文章。不要超过四千五百字。当然也不能太短，少于三千字就不合适了。",
     (3000, 4500, "cjk_chars")),
    ("写一份关于地铁票价的分析，最多6000字……另外也别少于四千字。", (4000, 6000, "cjk_chars")),
    ("请介绍一下古代漕运。篇幅别低于两千字，也别超过两千八百字。", (2000, 2800, "cjk_chars")),
    ("写一篇关于社区食堂的调研。超过5000字就太长了，不少于3500字。", (3500, 5000, "cjk_chars")),
]


@pytest.mark.parametrize("prompt, expected", SEPARATE_BOUNDS)
def test_bounds_in_separate_sentences_make_one_range(prompt: str, expected: tuple[Any, ...]) -> None:
    spec = parse_requirements(prompt)
    assert length_of(spec) == expected
    assert spec.unparsed == []


def test_a_bound_kept_with_a_consequence_is_not_turned_round() -> None:
    spec = parse_requirements("写一篇关于船闸的文章，不少于3000字，否则不合格。")
    assert length_of(spec) == (3000, None, "cjk_chars")


def test_a_bare_figure_after_a_length_is_no_bound_when_a_noun_follows() -> None:
    spec = parse_requirements("Write a report on canal locks under 2,000 words. Cite at least 12 sources.")
    assert length_of(spec) == (None, 2000, "words")


# kind 9: a length whose subject is one named part bounds that part, not the report.
def test_a_length_for_one_part_is_not_the_total() -> None:
    spec = parse_requirements(
        "Write a 2,500-word policy paper on congestion charging. "
        "The executive summary should be half a page max."
    )
    assert length_of(spec) == (*about(2500), "words")
    spec = parse_requirements(
        "写一份关于快递包装回收的报告，全文约5000字，包括摘要、现状、问题和对策。摘要不超过400字。"
    )
    assert length_of(spec) == (*about(5000), "cjk_chars")
    assert any("摘要不超过400字" in span for span in spec.unparsed)


def test_a_length_for_one_heading_of_the_outline_is_not_the_total() -> None:
    spec = parse_requirements(
        "写一份关于校园午餐的报告，约3000字，包括现状调查、营养分析和改进建议。改进建议部分不少于800字。"
    )
    assert length_of(spec) == (*about(3000), "cjk_chars")
    assert any("800字" in span for span in spec.unparsed)


def test_a_part_length_alone_is_quoted_not_read_as_the_total() -> None:
    spec = parse_requirements(
        "Write a report on ferry timetables. The introduction must be no more than 150 words."
    )
    assert spec.length is None
    assert any("150 words" in span for span in spec.unparsed)


# kind 10: the unit names the report's language.
@pytest.mark.parametrize(
    "prompt, language, expected",
    [
        ("请写一篇关于海水淡化的文章，一千二到一千五百个单词。", "en", (1200, 1500, "words")),
        ("请写一篇关于海水淡化的文章，两千个单词左右。", "en", (*about(2000), "words")),
        ("Write an article on Song paper money, 写3000个汉字.", "zh", (*about(3000), "cjk_chars")),
        ("Write an article on Song paper money in about 2500 中文字.", "zh", (*about(2500), "cjk_chars")),
    ],
)
def test_a_unit_of_the_other_language_names_the_report_language(
    prompt: str, language: str, expected: tuple[Any, ...]
) -> None:
    spec = parse_requirements(prompt)
    assert (spec.language, length_of(spec)) == (language, expected)
