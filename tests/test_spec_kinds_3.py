"""The requirement reader on a third set of kinds a fresh set of prompts showed it misread (own prompts, own
topics, several wordings, zh and en): per-section lengths in an outline table column, an explicit tolerance
around a length, a per-item length whose count is stated with it ("each of the four sections"), a length for
one part named after the figure, colloquial Chinese ranges (一两页, 三四千字), and an English prompt asking
for a Chinese report. Each kind has negatives that must keep their reading.

Each case states what a careful reader takes from the prompt; a field is right or the test fails.
"""

from __future__ import annotations

import pytest
from reportgraph.tools.intake.spec import RequirementSpec, parse_requirements

Length = tuple[int | None, int | None, str] | None


def length_of(spec: RequirementSpec) -> Length:
    return (spec.length.min, spec.length.max, spec.length.unit) if spec.length else None


def check_length(prompt: str, expected: Length) -> RequirementSpec:
    spec = parse_requirements(prompt)
    assert length_of(spec) == expected, (prompt, spec.length, spec.unparsed)
    return spec


# Kind 2: an explicit tolerance replaces the ±10 % of an approximate figure.
TOLERANCE: list[tuple[str, Length]] = [
    ("Write a briefing on offshore wind permitting, 1,200 words, give or take 100.", (1100, 1300, "words")),
    ("Prepare an essay on salt marsh carbon of 1500 ± 200 words.", (1300, 1700, "words")),
    ("Draft a memo on school bus electrification: about 2,000 words (plus or minus 10%).",
     (1800, 2200, "words")),
    ("Write 900 words +/- 50 about heritage apple varieties.", (850, 950, "words")),
    ("请写一篇关于城市夜间经济的报告，3000字上下浮动200字。", (2800, 3200, "cjk_chars")),
    ("请写一篇关于城市夜间经济的报告，字数4000字，±300字。", (3700, 4300, "cjk_chars")),
    ("请写一篇关于城市夜间经济的报告，2500字左右，误差不超过10%。", (2250, 2750, "cjk_chars")),
    ("写一篇关于古籍修复的文章，两千字上下，浮动不超过一百五十字。", (1850, 2150, "cjk_chars")),
    ("写一篇关于古籍修复的报告，篇幅3000字，可上下浮动10%。", (2700, 3300, "cjk_chars")),
    ("写一篇关于古籍修复的报告，约3000字，允许有200字的浮动。", (2800, 3200, "cjk_chars")),
    ("Write a report on glass recycling, around 2,500 words, with a tolerance of 10%.",
     (2250, 2750, "words")),
    ("Write a report on glass recycling: 2,000 words (±150).", (1850, 2150, "words")),
]
TOLERANCE_NEGATIVE: list[tuple[str, Length]] = [
    # A ± of a finding is no tolerance of the length.
    ("Write about 1,500 words on thermometer calibration. The paper reports a drift of ± 2% per year.",
     (1350, 1650, "words")),
    ("写一篇约2000字的报告，介绍血糖仪的准确度；论文给出的误差为±5%。", (1800, 2200, "cjk_chars")),
    # A tolerance is only read around an approximate figure, and must be smaller than it.
    ("Write at least 1,500 words on canal locks, plus or minus nothing.", (1500, None, "words")),
]


@pytest.mark.parametrize(("prompt", "expected"), TOLERANCE + TOLERANCE_NEGATIVE)
def test_an_explicit_tolerance_bounds_the_length(prompt: str, expected: Length) -> None:
    spec = check_length(prompt, expected)
    assert spec.unparsed == []


# Kind 3: "each of the N sections": the count is stated with the per-item length.
EACH_OF: list[tuple[str, Length]] = [
    ("Write a report on volcanic soils. Each of the four sections should be about 500 words.",
     (1800, 2200, "words")),
    ("Write a report on river ferries. Each of the 3 sections of the report should run to roughly 600 "
     "words.", (1620, 1980, "words")),
    ("Write a report on hedgehog decline. Each of the five parts: 300-400 words.", (1500, 2000, "words")),
    ("Write a report on bees; each of the five sections should be no longer than 300 words.",
     (None, 1500, "words")),
    ("写一篇关于城际铁路票价的报告，四个部分各约500字。", (1800, 2200, "cjk_chars")),
    ("写一篇关于城际铁路票价的报告，每部分500字左右，共四部分。", (1800, 2200, "cjk_chars")),
    ("报告共分三章，每一章约一千字，介绍敦煌壁画的保护。", (2700, 3300, "cjk_chars")),
]
EACH_OF_NEGATIVE: list[tuple[str, Length]] = [
    # "each of the 3 papers" counts sources, not parts of the report.
    ("Write a 1,500-word report that discusses each of the three papers in turn.", (1350, 1650, "words")),
    # 各 qualifying the readers is no per-item marker: the text is one report.
    ("面向各行业读者写一篇3000字的报告，介绍数字人民币的试点。", (2700, 3300, "cjk_chars")),
    # The whole report's length, stated after a clause about each section, is the whole.
    ("Each of the four sections needs one figure, and the whole report should be about 2,000 words.",
     (1800, 2200, "words")),
]


@pytest.mark.parametrize(("prompt", "expected"), EACH_OF + EACH_OF_NEGATIVE)
def test_a_per_item_length_with_its_count_is_multiplied(prompt: str, expected: Length) -> None:
    check_length(prompt, expected)


# Kind 5: colloquial Chinese ranges are plain ranges.
COLLOQUIAL: list[tuple[str, Length]] = [
    ("写一份关于社区团购的简报，一两页即可。", (1, 2, "pages")),
    ("写一份关于社区团购的简报，三四页。", (3, 4, "pages")),
    ("写一篇关于社区团购的分析，两三千字。", (2000, 3000, "cjk_chars")),
    ("写一篇关于社区团购的分析，三四千字就够了。", (3000, 4000, "cjk_chars")),
    ("写一段关于社区团购的介绍，五六百字。", (500, 600, "cjk_chars")),
    ("写一篇关于社区团购的长文，一两万字。", (10_000, 20_000, "cjk_chars")),
]
COLLOQUIAL_NEGATIVE: list[tuple[str, Length]] = [
    # The tail of a longer numeral is no pair; a single numeral keeps the approximate reading.
    ("写一篇关于社区团购的分析，一千二百字左右。", (1080, 1320, "cjk_chars")),
    ("写一份关于社区团购的简报，两页。", (2, 2, "pages")),
]


@pytest.mark.parametrize(
    ("prompt", "expected", "approximate"),
    [(*case, False) for case in COLLOQUIAL] + [(*case, True) for case in COLLOQUIAL_NEGATIVE],
)
def test_colloquial_chinese_ranges(prompt: str, expected: Length, approximate: bool) -> None:
    spec = check_length(prompt, expected)
    assert spec.length is not None
    assert spec.length.approximate == approximate


# Kind 6: an English prompt asking for a Chinese report (and the reverse).
LANGUAGE: list[tuple[str, str, Length]] = [
    ("Please write the final report in 中文, about 3,000 characters, on delta subsidence.", "zh",
     (2700, 3300, "cjk_chars")),
    ("Produce a report in Chinese on coastal erosion, 2500–3500 characters.", "zh",
     (2500, 3500, "cjk_chars")),
    ("Write in Simplified Chinese a report on rooftop solar of about 2000 characters.", "zh",
     (1800, 2200, "cjk_chars")),
    ("The report should be in 简体中文 and about 1,500 characters long; it covers tea auctions.", "zh",
     (1350, 1650, "cjk_chars")),
    ("请用英文撰写一篇关于冷链物流的报告，约1500词。", "en", (1350, 1650, "words")),
    ("写一份英文报告，介绍冷链物流，两千词左右。", "en", (1800, 2200, "words")),
    ("请写一篇关于冷链物流的报告，语言为英文，约2000词。", "en", (1800, 2200, "words")),
    ("Please write up the results in Chinese (Simplified), around 2500 characters, on wetland loss.", "zh",
     (2250, 2750, "cjk_chars")),
]
LANGUAGE_NEGATIVE: list[tuple[str, str, Length]] = [
    ("Write a report on trends in Chinese cinema, about 2000 words.", "en", (1800, 2200, "words")),
    ("Write a report about investment in Chinese and Indian railways, 1500 words.", "en",
     (1350, 1650, "words")),
    ("Write a report in English on Chinese wetlands, 2,000 words.", "en", (1800, 2200, "words")),
]


@pytest.mark.parametrize(("prompt", "language", "expected"), LANGUAGE + LANGUAGE_NEGATIVE)
def test_the_requested_language_sets_the_unit(prompt: str, language: str, expected: Length) -> None:
    spec = check_length(prompt, expected)
    assert spec.language == language


# Kind 4: a length for one part, named after the figure, bounds that part and not the report.
PART_AFTER: list[tuple[str, Length]] = [
    ("Write a report on urban beekeeping with these sections: Overview, Hive Sites, Yields, Outlook. A page "
     "max for the executive summary.", None),
    ("Write a report on urban beekeeping. No more than 200 words for the abstract.", None),
    ("Write a report on urban beekeeping with these sections: Overview, Hive Sites, Yields, Outlook. About "
     "150 words for the Overview, please.", None),
    ("写一篇关于老旧小区加装电梯的报告，需附300字以内的摘要。", None),
    ("写一篇关于老旧小区加装电梯的报告，包括：一、政策背景 二、居民协商 三、资金来源。"
     "请先写一段200字左右的政策背景。", None),
    # With the whole report's length also given, the whole is kept.
    ("Write a 3,000-word report on urban beekeeping; no more than 200 words for the abstract.",
     (2700, 3300, "words")),
    ("写一篇3000字左右的报告，介绍老旧小区加装电梯，另附300字以内的摘要。", (2700, 3300, "cjk_chars")),
    ("Write a report on urban beekeeping and include a one-page executive summary.", None),
    ("Write a report on urban beekeeping, 2,500-3,000 words, with a 150-word abstract.",
     (2500, 3000, "words")),
]
PART_AFTER_NEGATIVE: list[tuple[str, Length]] = [
    # "for" an audience, or a task that asks for the abstract itself, is the whole text's length.
    ("Write about 1,500 words for the general public on urban beekeeping.", (1350, 1650, "words")),
    ("Write a report on hydrogen ferries of about 2,000 words for the transport committee.",
     (1800, 2200, "words")),
    ("写一篇300字以内的摘要，介绍老旧小区加装电梯。", (None, 300, "cjk_chars")),
    ("Write an abstract of no more than 200 words for the conference.", (None, 200, "words")),
    ("Write a report on urban beekeeping: a 2,000 word overview of the field for newcomers.",
     (1800, 2200, "words")),
]


@pytest.mark.parametrize(("prompt", "expected"), PART_AFTER + PART_AFTER_NEGATIVE)
def test_a_length_for_a_part_named_after_it_bounds_that_part(prompt: str, expected: Length) -> None:
    spec = check_length(prompt, expected)
    if (prompt, expected) in PART_AFTER:
        assert spec.unparsed, "the part's length is shown as not read for the report"
        assert spec.length is None or spec.length.source_text not in ("150-word", "one-page")


# Kind 1: per-section lengths in a column of the outline table add up to the report's length.
TABLE_COLUMN: list[tuple[str, Length]] = [
    ("Write a report on community composting with this outline:\n\n| Section | Approx. words |\n|---|---|\n"
     "| Background | 300 |\n| Techniques | 500 |\n| Outcomes | 400 |\n", (1080, 1320, "words")),
    ("Please write a report on night trains.\n\n| # | Heading | Target length |\n|:-:|---|---:|\n"
     "| 1 | Revival | 250-300 words |\n| 2 | Operators | 400-500 words |\n"
     "| 3 | Prospects | 350-400 words |\n",
     (1000, 1200, "words")),
    ("Write a report on night trains.\n\n| Section | Words |\n|---|---|\n| Revival | 400 |\n"
     "| Operators | 600-700 |\n| References | — |\n", (960, 1140, "words")),
    ("Write a report on night trains.\n\n| Chapter | Max words |\n|---|---|\n| Revival | 300 |\n"
     "| Operators | 500 |\n", (None, 800, "words")),
    ("请写一份关于社区食堂的报告，结构如下：\n\n| 部分 | 内容要点 | 建议字数 |\n|---|---|---|\n"
     "| 背景 | 老龄化与就餐需求 | 800-1000 |\n| 现状 | 各地运营模式 | 1000-1200 |\n"
     "| 建议 | 可持续经营 | 600-800 |\n",
     (2400, 3000, "cjk_chars")),
    ("写一份社区食堂调研报告。\n\n| 章节 | 篇幅 |\n|---|---|\n| 调研方法 | 约500字 |\n"
     "| 主要发现 | 约1500字 |\n| 对策 | 约1000字 |\n", (2700, 3300, "cjk_chars")),
    ("Write a report on street trees.\n\n| Topic | Word count |\n|---|---|\n| Canopy cover | ~300 |\n"
     "| Heat islands | ~400 |\n", (630, 770, "words")),
    ("写一份关于行道树的报告。\n\n| 序号 | 章节名称 | 页数 |\n|---|---|---|\n| 1 | 树冠覆盖 | 2 |\n"
     "| 2 | 热岛效应 | 3 |\n", (5, 5, "pages")),
    # A total row states the whole.
    ("写一份社区食堂调研报告。\n\n| 章节 | 字数 |\n|---|---|\n| 调研方法 | 600 |\n| 主要发现 | 1400 |\n"
     "| 合计 | 2000-2400 |\n", (2000, 2400, "cjk_chars")),
]
TABLE_COLUMN_NEGATIVE: list[tuple[str, Length]] = [
    # A whole length given beside the table is kept.
    ("请写一份关于社区食堂的报告，全文约3000字，结构如下：\n\n| 部分 | 建议字数 |\n|---|---|\n"
     "| 背景 | 约800字 |\n| 现状 | 约1200字 |\n| 建议 | 约1000字 |\n", (2700, 3300, "cjk_chars")),
    # A table of data is no outline: its figures are no lengths.
    ("Write a report on tidal mills, about 1,500 words, from this data:\n\n| Year | Mills | Length (km) |\n"
     "|---|---|---|\n| 1800 | 40 | 120 |\n| 1900 | 12 | 60 |\n", (1350, 1650, "words")),
    ("Write a report on tidal mills from this data:\n\n| Year | Mills | Length (km) |\n"
     "|---|---|---|\n| 1800 | 40 | 120 |\n| 1900 | 12 | 60 |\n", None),
    ("Write a report on tram routes.\n\n| Route | Length (km) |\n|---|---|\n| Ring | 12 |\n"
     "| Harbour | 8 |\n", None),
    # A cell the reader cannot hold whole ("half a page") adds up to nothing, and is shown.
    ("Write a report on street trees.\n\n| Section | Suggested length |\n|---|---|\n"
     "| Canopy cover | half a page |\n| Heat islands | one page |\n", None),
    # A length in some rows only bounds those parts.
    ("Write a report on tidal mills.\n\n| Part | Heading | Length |\n|---|---|---|\n"
     "| 1 | Origins | half a page max |\n| 2 | Mechanics | |\n| 3 | Decline | |\n", None),
]


@pytest.mark.parametrize(("prompt", "expected"), TABLE_COLUMN + TABLE_COLUMN_NEGATIVE)
def test_a_length_column_of_an_outline_table_adds_up(prompt: str, expected: Length) -> None:
    spec = check_length(prompt, expected)
    if (prompt, expected) in TABLE_COLUMN:
        assert spec.unparsed == [], "every row's length is read"
