"""The requirement reader on kinds of phrasing a fresh set of prompts showed it misread (own prompts, own
topics): bounds in separate sentences and judged bounds ("anything below X is too thin"), outlines in a
markdown table, on 一、 lines, behind inline markers, headings holding commas or "and", a count phrase after
the last item, a length for one named part, and a length unit naming the other language; then (a second fresh
set) bare markdown heading lines, quoted headings holding commas, a count set off after a marked list, and a
length in one row of an outline table.

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
    ("Write up the dam survey. Stay below 2,600 words. But don't make it shorter than 1,900.",
     (1900, 2600, "words")),
    ("Write up the dam survey. No more than 2,600 words. Nothing under 1,900 words, though.",
     (1900, 2600, "words")),
    ("Write up the dam survey in at least 1,900 words. Don't exceed 2,600.", (1900, 2600, "words")),
    ("写一份水坝调查报告，字数上不要超过五千；另外，低于三千五百字也不行。", (3500, 5000, "cjk_chars")),
]


@pytest.mark.parametrize("prompt, expected", SEPARATE_BOUNDS)
def test_bounds_in_separate_sentences_make_one_range(prompt: str, expected: tuple[Any, ...]) -> None:
    spec = parse_requirements(prompt)
    assert length_of(spec) == expected
    assert spec.unparsed == []


def test_a_bound_kept_with_a_consequence_is_not_turned_round() -> None:
    spec = parse_requirements("写一篇关于船闸的文章，不少于3000字，否则不合格。")
    assert length_of(spec) == (3000, None, "cjk_chars")


@pytest.mark.parametrize(
    "prompt",
    [
        "Write a report on canal locks under 2,000 words. Cite at least 12 sources.",
        "Write a report on canal locks, 2,000 words at most, and use no fewer than 12 sources.",
    ],
)
def test_a_bare_figure_beside_a_length_is_no_bound_when_a_noun_follows(prompt: str) -> None:
    assert length_of(parse_requirements(prompt)) == (None, 2000, "words")


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


@pytest.mark.parametrize(
    "prompt",
    [
        "Write a 1,800-word report on bell foundries. Keep the introduction to 150 words or fewer.",
        "Write a 1,800-word report on bell foundries with an abstract of no more than 150 words.",
    ],
)
def test_a_part_named_right_before_a_length_is_not_the_total(prompt: str) -> None:
    spec = parse_requirements(prompt)
    assert length_of(spec) == (*about(1800), "words")
    assert any("150 words" in span for span in spec.unparsed)


@pytest.mark.parametrize(
    "prompt, expected",
    [
        ("Write an abstract of no more than 150 words on bell foundries.", (None, 150, "words")),
        ("Write a report on the introduction of bell taxes in about 1800 words.", (*about(1800), "words")),
    ],
)
def test_a_part_word_is_no_part_when_it_is_the_task_or_its_topic(
    prompt: str, expected: tuple[Any, ...]
) -> None:
    assert length_of(parse_requirements(prompt)) == expected


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


# (prompt, headings, length) — kinds 2–8: outlines in tables, on 一、 lines, behind inline markers, headings
# holding commas or "and", part markers, a count phrase after the last item, a stated count of items.
OUTLINES: list[tuple[str, list[str], tuple[int | None, int | None, str] | None]] = [
    # kind 2: a markdown table (numbering column, alignment colons, headings in the first or second column)
    ("A briefing on hedgerows, about 1,600 words, laid out as below.\n\n| No. | Section | Covers |\n"
     "|:-:|:--|:--|\n| 1 | Why Hedges Matter | wildlife |\n| 2 | Loss Since 1950 | data |\n"
     "| 3 | Replanting Schemes | grants |", ["Why Hedges Matter", "Loss Since 1950", "Replanting Schemes"],
     (*about(1600), "words")),
    ("请写一份关于老旧小区加装电梯的报告，约三千字，章节见下表。\n\n| 章节标题 | 写作要点 |\n| --- | --- |\n"
     "| 改造需求 | 老人出行 |\n| 资金分摊 | 楼层差异 |\n| 推进建议 | 政府角色 |",
     ["改造需求", "资金分摊", "推进建议"], (*about(3000), "cjk_chars")),
    # kind 3: 一、 lines, with or without a sentence announcing them
    ("写一篇关于古籍修复的文章，约2500字。\n\n一、修复的历史\n二、常用技法\n三、人才培养",
     ["修复的历史", "常用技法", "人才培养"], (*about(2500), "cjk_chars")),
    ("写一篇关于古籍修复的文章：一、修复的历史；二、常用技法；三、人才培养。约2500字。",
     ["修复的历史", "常用技法", "人才培养"], (*about(2500), "cjk_chars")),
    # kind 4: inline markers (a) (i) ①, with or without ";" and a closing "and"
    ("Write about night trains in Europe: (a) their decline, (b) the revival and (c) open problems. "
     "Roughly 1,400 words.", ["their decline", "the revival", "open problems"], (*about(1400), "words")),
    ("I want 1,400 words on night trains. Go through (i) timetables; (ii) rolling stock; and (iii) ticket "
     "prices.", ["timetables", "rolling stock", "ticket prices"], (*about(1400), "words")),
    ("写一篇关于夜间列车的文章，①线路变迁②车辆更新③票价政策，约1500字。",
     ["线路变迁", "车辆更新", "票价政策"], (*about(1500), "cjk_chars")),
    # kind 5: a comma inside a marked heading is part of it
    ("Write a report on tree planting, around 2,000 words. Structure:\n1. Carbon Accounting\n"
     "2. Costs, Risks and Benefits of Monoculture Plantations\n3. Community Forestry",
     ["Carbon Accounting", "Costs, Risks and Benefits of Monoculture Plantations", "Community Forestry"],
     (*about(2000), "words")),
    ("Write 2,000 words on tree planting in three sections (1) Soils, Water and Roots (2) Species Choice "
     "(3) Monitoring.", ["Soils, Water and Roots", "Species Choice", "Monitoring"], (*about(2000), "words")),
    # kind 6: Part/Section markers with a dash or colon, no residue of the next marker
    ("Write about the Silk Road in three parts: Part I — Caravans and Oasis Towns; Part II — Religion on the "
     "Move; Part III — Why the Routes Faded. About 2,400 words.",
     ["Caravans and Oasis Towns", "Religion on the Move", "Why the Routes Faded"], (*about(2400), "words")),
    ("About 2,400 words on the Silk Road, structured as: Section A: Caravans, Camels and Oases; Section B: "
     "Religion; Section C: Decline.", ["Caravans, Camels and Oases", "Religion", "Decline"],
     (*about(2400), "words")),
    # kind 7: the count phrase after the last item is no part of it
    ("报告分为政策沿革、实施效果、典型案例、结论与建议四个部分，约四千字，主题是河长制。",
     ["政策沿革", "实施效果", "典型案例", "结论与建议"], (*about(4000), "cjk_chars")),
    ("这份报告由历史回顾、现状评估和结论与建议三个部分组成，篇幅约3000字，主题是社区医院。",
     ["历史回顾", "现状评估", "结论与建议"], (*about(3000), "cjk_chars")),
    ("报告须包含以下内容：市场规模、竞争格局、结论与建议三个部分，约3000字。",
     ["市场规模", "竞争格局", "结论与建议"], (*about(3000), "cjk_chars")),
    # kind 8: the stated count keeps "X and Y" as two items, and a per-part length counts that many
    ("Write a five-part report on seaweed farming: site selection, seed stock, harvesting methods, market "
     "channels and policy support. Each part should be about 250 words.",
     ["site selection", "seed stock", "harvesting methods", "market channels", "policy support"],
     (*about(1250), "words")),
    ("Write about seaweed farming. It should have four parts, namely history, biology, farming methods and "
     "markets, each roughly 300 words.", ["history", "biology", "farming methods", "markets"],
     (*about(1200), "words")),
    ("Write about seaweed farming in two parts: history, costs and benefits. About 900 words.",
     ["history", "costs and benefits"], (*about(900), "words")),
]


@pytest.mark.parametrize("prompt, headings, length", OUTLINES)
def test_outlines_are_read_whole(prompt: str, headings: list[str], length: tuple[Any, ...] | None) -> None:
    spec = parse_requirements(prompt)
    assert (titles(spec), length_of(spec)) == (headings, length)
    assert not any("|" in span or "部分" in span for span in spec.unparsed)


def test_a_requirements_list_with_markers_is_no_outline() -> None:
    spec = parse_requirements("写一篇关于古籍修复的文章。要求：①字数约2500字；②语言简洁；③引用资料。")
    assert titles(spec) is None
    assert length_of(spec) == (*about(2500), "cjk_chars")


def test_a_description_after_a_comma_in_a_marked_item_is_no_heading() -> None:
    spec = parse_requirements(
        "Write a report on tree planting. Structure:\n1. Background, explaining why this topic matters now\n"
        "2. Species Choice\n3. Monitoring"
    )
    assert titles(spec) == ["Background", "Species Choice", "Monitoring"]


# Kinds a second fresh set showed: headings given as bare markdown lines with no sentence announcing them,
# quoted headings holding commas, a count set off after a marked list's last item, and a length in one row
# of an outline table.
BARE_HEADING_LINES = [
    ("Write a brief on community solar gardens for a county board.\n\n## Siting\n## Who Subscribes\n"
     "## Grid Limits\n\nNo more than 1,400 words.", ["Siting", "Who Subscribes", "Grid Limits"]),
    ("请写一份关于老旧小区加装电梯的调研报告。\n\n### 居民意愿\n### 资金分摊\n### 施工影响\n\n三千字以内。",
     ["居民意愿", "资金分摊", "施工影响"]),
]


@pytest.mark.parametrize(("prompt", "expected"), BARE_HEADING_LINES)
def test_bare_heading_lines_are_the_outline(prompt: str, expected: list[str]) -> None:
    assert titles(parse_requirements(prompt)) == expected


@pytest.mark.parametrize("prompt", [
    "## Task\nWrite a report on river otters returning to city canals.\n\n## Requirements\n"
    "Around 1,200 words; cite the survey.",
    "# 背景\n我们在做一期关于夜市经济的专题。\n# 要求\n写一份两千字左右的报告。",
])
def test_headings_with_text_under_them_structure_the_prompt_not_the_report(prompt: str) -> None:
    assert titles(parse_requirements(prompt)) is None


@pytest.mark.parametrize(("prompt", "expected"), [
    ('Prepare a memo on wildfire insurance with sections titled "Exposure", "Premiums, Deductibles and '
     'Caps" and "What Insurers Want". At most 1,500 words.',
     ["Exposure", "Premiums, Deductibles and Caps", "What Insurers Want"]),
    ("请写一份报告，依次包括“起源”、“工艺、原料与产地”和“市场前景”，两千字左右。",
     ["起源", "工艺、原料与产地", "市场前景"]),
])
def test_quoted_headings_are_split_at_their_quotes_only(prompt: str, expected: list[str]) -> None:
    assert titles(parse_requirements(prompt)) == expected


def test_a_count_set_off_after_a_marked_lists_last_item_is_no_part_of_it() -> None:
    spec = parse_requirements("写一份关于高原铁路冻土路基的报告，包括(a) 冻土分布 (b) 路基病害 "
                              "(c) 防治措施 三个部分，全文约三千字。")
    assert titles(spec) == ["冻土分布", "路基病害", "防治措施"]


def test_a_length_in_one_row_of_an_outline_table_is_not_the_total() -> None:
    spec = parse_requirements(
        "Write a report on cold-chain logistics for vaccines.\n\n| Part | Heading | Notes |\n|---|---|---|\n"
        "| 1 | Overview | under 300 words |\n| 2 | Failure Points | |\n| 3 | Fixes | |\n\n"
        "Overall length: 2,000-2,600 words.")
    assert titles(spec) == ["Overview", "Failure Points", "Fixes"]
    assert length_of(spec) == (2000, 2600, "words")


# A third fresh set: outline forms the reader had no rule for (own prompts, other topics).
THIRD_SET_OUTLINES = [
    ("请参考一篇关于古代驿站制度的论文，写一份研究报告。报告内容一是驿站的设置，二是1420年的驿路改革，"
     "三是驿站的衰败原因。篇幅不少于3000字。", ["驿站的设置", "1420年的驿路改革", "驿站的衰败原因"]),
    ("请写一份分析报告。请使用以下二级标题：\n## 1. 内涝成因\n## 2. 排水系统评估\n## 3. 海绵城市措施\n"
     "字数上限2500字。", ["内涝成因", "排水系统评估", "海绵城市措施"]),
    ("请阅读一篇关于无人机物流的论文，写一份报告。标题分别为：空域管理；续航技术；成本结构；发展建议。"
     "篇幅约3000字。", ["空域管理", "续航技术", "成本结构", "发展建议"]),
    ("请写一份长篇研究报告，篇幅为六千至八千字。报告分上、中、下三篇：上篇：晋商的崛起；中篇：票号经营与信用网络；"
     "下篇：衰落及其原因。", ["晋商的崛起", "票号经营与信用网络", "衰落及其原因"]),
    ("请写一份关于沙漠化治理的报告。各部分标题用【】标出：【沙化现状】【治理技术】【生态补偿】。"
     "字数：2000到2500。", ["沙化现状", "治理技术", "生态补偿"]),
    ("请根据一篇关于跨境电商物流的论文写一份报告。\n- 海外仓布局\n- 清关效率与合规\n- 退货逆向物流\n"
     "三千字以内即可。", ["海外仓布局", "清关效率与合规", "退货逆向物流"]),
    ("Heat pump retrofit report, please. Sources: the attached field-trial paper.\n- Installation Costs\n"
     "- Performance in Cold Snaps\n- Grid Impacts\nLength: under 1,800 words.",
     ["Installation Costs", "Performance in Cold Snaps", "Grid Impacts"]),
    ("请依据一篇关于乡村学校撤并的论文写一份调研报告，约3000字。结构如下：\n一、撤并模式\n  （1）就近合并\n"
     "  （2）寄宿集中\n二、学生通勤\n三、教师安置", ["撤并模式", "学生通勤", "教师安置"]),
    ("Please write a report on medieval salt roads. Sections:\ni) Sources of Salt\nii) Tolls and Guilds\n"
     "iii) Decline of the Routes\nAbout 1,500 words.",
     ["Sources of Salt", "Tolls and Guilds", "Decline of the Routes"]),
    ("Write a short memo on e-bike battery fires. Use bold headings:\n**Fire Statistics**\n"
     "**Charging Rules**\n**Storage Options**\nAt most 900 words.",
     ["Fire Statistics", "Charging Rules", "Storage Options"]),
    ("I need a 1,500-word report on coral bleaching, drawing on the attached paper (which surveys 120 "
     "reefs).\nOutline:\nBleaching Thresholds — the temperature data\nRecovery Rates\nWhat Managers Can Do",
     ["Bleaching Thresholds", "Recovery Rates", "What Managers Can Do"]),
]


@pytest.mark.parametrize(("prompt", "expected"), THIRD_SET_OUTLINES)
def test_outline_forms_of_a_third_fresh_set(prompt: str, expected: list[str]) -> None:
    assert titles(parse_requirements(prompt)) == expected


@pytest.mark.parametrize("prompt", [
    "请写一份关于城市夜经济的报告。\n- 引用论文中的数据\n- 语言通俗易懂\n- 配上两张图表",
    "Write a report on tidal energy for investors.\n- Audience: pension funds\n- Tone: neutral\n"
    "- Deadline: Friday",
    "请写一份关于社区团购的报告。\n- 不少于3000字\n- 引用论文和视频\n- 用中文撰写",
    "统一是这次改革的目标，二是指第二阶段的任务。请写一份两千字的报告。",
])
def test_bare_bullets_of_requirements_are_no_outline(prompt: str) -> None:
    assert titles(parse_requirements(prompt)) is None


def test_a_scale_alone_is_one_of_it_and_a_counted_chapter_lead_opens_a_list() -> None:
    spec = parse_requirements("请写一份万字以上的调研报告，分为三章：缘起、演变、启示。")
    assert titles(spec) == ["缘起", "演变", "启示"]
    assert length_of(spec) == (10000, None, "cjk_chars")


def test_a_tables_total_row_is_no_section() -> None:
    spec = parse_requirements("Write a report on school meals.\n\n| Section | Words |\n|---|---|\n"
                              "| Menus | 300 |\n| Costs | 400 |\n| Waste | 300 |\n| Total | 1,000 |")
    assert titles(spec) == ["Menus", "Costs", "Waste"]


# A fourth fresh set's kinds (own prompts, other topics).
FOURTH_SET_OUTLINES = [
    ("论文+讲座视频+资料库 → 写份中文报告，主题是城市供暖。结构：沿革/现状/问题/建议。3000字左右。",
     ["沿革", "现状", "问题", "建议"]),
    ("请写一篇课程报告。报告格式按实验报告来：目的、原理、步骤、结论。正文2000字以上。",
     ["目的", "原理", "步骤", "结论"]),
    ("Write a reading report on the attached paper about soil carbon. Three sections — Background, Findings, "
     "Critique — each roughly 300–400 words.", ["Background", "Findings", "Critique"]),
    ("请写一份分析报告。报告应包括：客流变化；票价调整；服务质量。字数在3000字到4000字。",
     ["客流变化", "票价调整", "服务质量"]),
    ("请写一份调研报告，内容按①成因②影响③对策展开，每部分约600字。", ["成因", "影响", "对策"]),
    ("请写一份报告，按“起因—经过—结果”三部分来写，篇幅不限。", ["起因", "经过", "结果"]),
]


@pytest.mark.parametrize(("prompt", "expected"), FOURTH_SET_OUTLINES)
def test_outline_forms_of_a_fourth_fresh_set(prompt: str, expected: list[str]) -> None:
    assert titles(parse_requirements(prompt)) == expected


@pytest.mark.parametrize(("prompt", "expected"), [
    ("Honestly the paper is 36 pages long and the talk runs about 50 minutes, so please write a report on "
     "its results. Somewhere around 2,500 words would be ideal.", (2250, 2750, "words")),
    ("论文共48页，请写一份3000字左右的读书报告。", (2700, 3300, "cjk_chars")),
    ("Write a report on tidal mills. 1,800 words minimum, 2,400 maximum, excluding references.",
     (1800, 2400, "words")),
])
def test_a_materials_length_is_no_requirement_and_bounds_may_follow_their_figure(
        prompt: str, expected: tuple[int, int, str]) -> None:
    assert length_of(parse_requirements(prompt)) == expected


def test_the_language_asked_of_the_report_beats_the_language_of_the_sources() -> None:
    spec = parse_requirements("Most of the sources here are in Chinese — the attached paper and the "
                              "collection — but the report itself must be in English. Roughly 1.5k words.")
    assert spec.language == "en" and length_of(spec) == (1350, 1650, "words")
