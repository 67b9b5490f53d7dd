"""The requirement spec: what a task asks of its report, as data the validator can check in code."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field
from reportgraph.tools.text import CJK_CHAR, LengthUnit, count_cjk, detect_language

SectionFocus = Literal["paper", "video", "corpus", "general"]


class SectionRequirement(BaseModel):
    index: int = Field(description="1-based position in the required order")
    title: str = Field(description="The section's name as the task gives it, e.g. 论文基本信息")
    heading: str = Field(description="The exact heading text the report uses, e.g. （1）论文基本信息")
    focus: SectionFocus = Field(default="general", description="Which material the section is mainly about")


class LengthRequirement(BaseModel):
    min: int | None = None
    max: int | None = None
    unit: LengthUnit
    approximate: bool = Field(default=False, description="约/about: the range was widened around one figure")
    source_text: str = Field(default="", description="The phrase of the task the range was read from")

    def contains(self, value: int) -> bool:
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)

    @property
    def target(self) -> int:
        """The length a drafter aims at: the middle of a closed range, else a margin past the bound."""
        if self.min is not None and self.max is not None:
            return (self.min + self.max) // 2
        if self.min is not None:
            return int(self.min * 1.15)
        assert self.max is not None
        return int(self.max * 0.85)


class CitationRules(BaseModel):
    required: bool = Field(default=True, description="The task asks for sources to be cited")
    per_section: bool = Field(default=True, description="Every section must carry at least one citation")
    must_cite: list[Literal["pdf", "video", "corpus"]] = Field(
        default_factory=list, description="Material kinds the task names as the basis of the report"
    )


class RequirementSpec(BaseModel):
    language: Literal["zh", "en"]
    title: str | None = Field(default=None, description="The report title the task asks for, if any")
    sections: list[SectionRequirement]
    sections_from_task: bool = Field(
        default=True, description="False when the task names no sections and `sections` is a default outline"
    )
    length: LengthRequirement | None = None
    citations: CitationRules = Field(default_factory=CitationRules)
    soft: list[str] = Field(default_factory=list, description="Tone, register and audience requirements")
    topic: str = Field(default="", description="What the report is about, as a retrieval query")
    parsed_by: Literal["rules", "llm", "rules+llm"] = "rules"


# ================================================================ the rule-based parser
#
# parse_requirements reads the common zh/en phrasings of length, sections, citations, tone and title
# deterministically. What it cannot read is left empty (or, for sections, a default outline flagged with
# sections_from_task=False) so that merge_llm_spec can fill the gaps from an LLM reading of the task.

# 约/about figures and bare figures ("写一篇2000字的文章") become figure ± APPROX_TOLERANCE. LongBench-Write
# scores length by ratio, S_l = 100·(1 − (l'/l − 1)/3) above and 100·(1 − (l/l' − 1)/2) below the target;
# at ±10 % that is ≥ 94, so "inside the range" means "scores well". ±20 % would accept answers scoring 87.
APPROX_TOLERANCE = 0.10
MIN_LENGTH_FIGURE = 10  # "一字一句", "十字路口": smaller figures are never a report length

CN_DIGITS = dict(zip("零〇一二两三四五六七八九", (0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))
CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10_000}
EN_NUMBER_WORDS = {
    word: value
    for value, word in enumerate(
        ("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"), start=2
    )
}

NUMBER = (
    r"(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+(?:\.\d+)?)(?:\s*(?:[kK](?![A-Za-z])|千|万))?"
    r"|(?<![数几多上近])[零〇一二两三四五六七八九十百千万]+"
)
# 字 and 词 never followed by what makes them another word (字幕 subtitles, 十字路口, 词语, 千字文 …).
ZH_UNIT = r"(?:个)?(?:汉字|中文字|字符|字(?![幕体号母节典段路架军形街文经])|单词|词(?![语汇组条性]))"
EN_UNIT = r"(?:[\s-]*(?:words?|characters?|chars)\b)"
UNIT = rf"(?:{ZH_UNIT}|{EN_UNIT})"
RANGE_SEP = r"(?:至|到|-|–|—|~|～|〜|to)"
LENGTH_LABEL = r"(?:字数|篇幅|长度|字数要求|总字数|word count|word limit|length)"

RANGE_WITH_UNIT = re.compile(
    rf"(?:between\s+)?(?P<a>{NUMBER})\s*(?:{UNIT})?\s*(?:{RANGE_SEP}|(?<=\s)and)\s*(?P<b>{NUMBER})\s*(?P<unit>{UNIT})",
    re.IGNORECASE,
)
SINGLE_WITH_UNIT = re.compile(rf"(?P<a>{NUMBER})\s*(?P<unit>{UNIT})", re.IGNORECASE)
# "字数要求：2000左右", "Length: 1200-1800": a figure after a length label needs no unit.
LABELLED = re.compile(
    rf"{LENGTH_LABEL}[^0-9零〇一二两三四五六七八九十百千万。\n]{{0,8}}?"
    rf"(?P<a>{NUMBER})(?:\s*{RANGE_SEP}\s*(?P<b>{NUMBER}))?",
    re.IGNORECASE,
)

LOWER_LEFT = re.compile(
    r"(?:不少于|不低于|不小于|不能少于|不得少于|至少|最少|起码|多于|超过|大于|高于|"
    r"no less than|not less than|at least|at lease|more than|over|a minimum of|minimum of|minimum)"
    r"\s*(?:要|需|为|是|在)?\s*$",
    re.IGNORECASE,
)
UPPER_LEFT = re.compile(
    r"(?:不超过|不多于|不大于|不得超过|不能超过|不要超过|少于|低于|最多|至多|no more than|not more than|"
    r"not exceeding|not to exceed|fewer than|less than|under|at most|up to|within|a maximum of|maximum of)"
    r"\s*(?:要|需|为|是|在)?\s*$",
    re.IGNORECASE,
)
APPROX_LEFT = re.compile(
    r"(?:约|大约|大概|大致|差不多|approximately|approx\.|about|around|roughly|circa|some|~|≈)\s*$",
    re.IGNORECASE,
)
LOWER_RIGHT = re.compile(
    r"^\s*(?:以上|及以上|或以上|往上|起|\+|or more|or longer|minimum|at least)", re.IGNORECASE
)
UPPER_RIGHT = re.compile(
    r"^\s*(?:以内|之内|以下|内|or less|or fewer|or under|max(?:imum)?|at most)", re.IGNORECASE
)
APPROX_RIGHT = re.compile(r"^\s*(?:左右|上下|出头|or so)", re.IGNORECASE)
# "每篇400字左右", "各写1000字", "each about 200 words": a length per item, not for the whole text.
PER_ITEM_LEFT = re.compile(
    r"(?:每(?:一)?(?P<item>篇|章|节课|节|段|部分|个部分|首|封|天|课|幕|集|个)|各写?|(?:for\s+)?each(?:\s+\w+)?|per\s+\w+)"
    r"[^，。；,;.]{0,4}$",
    re.IGNORECASE,
)
ITEM_COUNT = re.compile(
    rf"(?P<n>\d+|[一二两三四五六七八九十]+|\b(?:{'|'.join(EN_NUMBER_WORDS)}))\s*(?:个)?(?:[A-Za-z-]+\s+){{0,2}}?"
    r"(?P<item>篇|章|节课|节|段|部分|首|封|天|课|幕|集|(?:sections|parts|chapters|paragraphs|posts|stories|essays"
    r"|articles|poems|letters|entries|scenes|days)\b)",
    re.IGNORECASE,
)
BEFORE_FIGURE = {"lower": LOWER_LEFT, "upper": UPPER_LEFT, "approx": APPROX_LEFT}
AFTER_FIGURE = {"lower": LOWER_RIGHT, "upper": UPPER_RIGHT, "approx": APPROX_RIGHT}
CLAUSE_END = re.compile(r"[。！？!?\n]|\.\s")


def parse_chinese_number(text: str) -> int | None:
    """两千 → 2000, 一千五百 → 1500, 三千五 → 3500 (colloquial), 十二 → 12; None if not a numeral."""
    total = section = digit = 0
    last_unit = 1
    for char in text:
        if char in CN_DIGITS:
            digit = CN_DIGITS[char]
        elif char == "万":
            total += (section + digit) * 10_000
            section = digit = 0
            last_unit = 10_000
        elif char in CN_UNITS:
            unit = CN_UNITS[char]
            section += (digit or (1 if unit == 10 else 0)) * unit
            digit = 0
            last_unit = unit
        else:
            return None
    # A trailing digit after a unit scales one step down: 三千五 = 3500, 一万五 = 15000.
    tail = digit * (last_unit // 10) if last_unit > 10 and digit else digit
    return total + section + tail


def parse_number(token: str) -> int | None:
    token = token.strip()
    match = re.fullmatch(r"([\d,]+(?:\.\d+)?)\s*([kK千万]?)", token)
    if match:
        value = float(match.group(1).replace(",", ""))
        scale = {"": 1, "k": 1000, "K": 1000, "千": 1000, "万": 10_000}[match.group(2)]
        return round(value * scale)
    if token.lower() in EN_NUMBER_WORDS:
        return EN_NUMBER_WORDS[token.lower()]
    return parse_chinese_number(token)


class LengthMention(BaseModel):
    min: int | None
    max: int | None
    approximate: bool
    unit_hint: Literal["chars", "default"]
    start: int
    end: int
    strength: int = Field(description="2: range or bound, 1: approximate or bare figure")
    item_word: str | None = Field(
        default=None, description="Set when the figure is per item (每篇 → 篇, 各/each → empty), else None"
    )


def unit_hint(unit_text: str | None) -> Literal["chars", "default"]:
    """字符/characters count characters; every other unit (字, 词, words) follows the output language."""
    if unit_text and re.search(r"字符|character|chars", unit_text, re.IGNORECASE):
        return "chars"
    return "default"


def clause_left(text: str, start: int, width: int = 24) -> str:
    window = text[max(0, start - width) : start]
    ends = list(CLAUSE_END.finditer(window))
    return window[ends[-1].end() :] if ends else window


def widen(figure: int) -> tuple[int, int]:
    return round(figure * (1 - APPROX_TOLERANCE)), round(figure * (1 + APPROX_TOLERANCE))


def find_length_mentions(text: str) -> list[LengthMention]:
    mentions: list[LengthMention] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    for match in RANGE_WITH_UNIT.finditer(text):
        low, high = parse_number(match["a"]), parse_number(match["b"])
        if low is None or high is None or not MIN_LENGTH_FIGURE <= low < high:
            continue
        start, item_word = per_item_start(text, match.start())
        mentions.append(
            LengthMention(
                min=low,
                max=high,
                approximate=False,
                unit_hint=unit_hint(match["unit"]),
                start=start,
                end=match.end(),
                strength=2,
                item_word=item_word,
            )
        )
        taken.append(match.span())

    for match in SINGLE_WITH_UNIT.finditer(text):
        if free(*match.span()):
            mention = single_mention(text, match.start(), match.end(), match["a"], unit_hint(match["unit"]))
            if mention:
                mentions.append(mention)
                taken.append((mention.start, mention.end))

    for match in LABELLED.finditer(text):
        if not free(match.start("a"), match.end()):
            continue
        if match["b"]:
            low, high = parse_number(match["a"]), parse_number(match["b"])
            if low is not None and high is not None and MIN_LENGTH_FIGURE <= low < high:
                mentions.append(
                    LengthMention(
                        min=low,
                        max=high,
                        approximate=False,
                        unit_hint="default",
                        start=match.start("a"),
                        end=match.end(),
                        strength=2,
                    )
                )
        else:
            mention = single_mention(text, match.start("a"), match.end("a"), match["a"], "default")
            if mention:
                mentions.append(mention)
    return sorted(mentions, key=lambda m: m.start)


def single_mention(
    text: str, start: int, end: int, figure_text: str, hint: Literal["chars", "default"]
) -> LengthMention | None:
    figure = parse_number(figure_text)
    if figure is None or figure < MIN_LENGTH_FIGURE:
        return None
    left, right = clause_left(text, start), text[end : end + 12]
    # Of the modifiers that end right before the figure take the longest, so that 不超过 is not read as 超过
    # nor 不少于 as 少于, "no more than" as "more than".
    before = [(m.start(), kind) for kind, p in BEFORE_FIGURE.items() if (m := p.search(left))]
    after = [(m.end(), kind) for kind, p in AFTER_FIGURE.items() if (m := p.match(right))]
    kind_before = min(before)[1] if before else None
    kind_after = max(after)[1] if after else None
    span_start = start - len(left) + min(before)[0] if before else start
    span_end = end + (max(after)[0] if after else 0)
    kind = kind_before or kind_after or "approx"
    span_start, item_word = per_item_start(text, span_start)
    if kind == "lower":
        low, high, approximate = figure, None, False
    elif kind == "upper":
        low, high, approximate = None, figure, False
    else:
        low, high = widen(figure)
        approximate = True
    return LengthMention(
        min=low,
        max=high,
        approximate=approximate,
        unit_hint=hint,
        start=span_start,
        end=span_end,
        strength=1 if approximate else 2,
        item_word=item_word,
    )


def per_item_start(text: str, start: int) -> tuple[int, str | None]:
    """Where a length phrase starts once a per-item marker before it (每篇, 各写, each) is included."""
    window_start = max(0, start - 12)
    marker = PER_ITEM_LEFT.search(text[window_start:start])
    if marker is None:
        return start, None
    return window_start + marker.start(), marker["item"] or ""


def resolve_per_item(text: str, mention: LengthMention) -> LengthMention | None:
    """Turn "五篇日记，每篇400字左右" into a total; None when the number of items is not stated."""
    for count_match in ITEM_COUNT.finditer(text):
        if mention.item_word and count_match["item"] not in (
            mention.item_word,
            mention.item_word.lstrip("个"),
        ):
            continue
        count = parse_number(count_match["n"])
        if count and 1 < count <= 50:
            return mention.model_copy(
                update={
                    "min": mention.min * count if mention.min is not None else None,
                    "max": mention.max * count if mention.max is not None else None,
                }
            )
    return None


def parse_length(text: str, language: Literal["zh", "en"]) -> LengthRequirement | None:
    candidates = []
    for mention in find_length_mentions(text):
        per_item = mention.item_word is not None
        resolved = resolve_per_item(text, mention) if per_item else mention
        if resolved is not None:
            candidates.append((per_item, -resolved.strength, resolved))
    if not candidates:
        return None
    # A length for the whole text beats a per-item total; a range or bound beats a bare figure; then first.
    _, _, best = min(candidates, key=lambda c: (c[0], c[1], c[2].start))
    default_unit: LengthUnit = "cjk_chars" if language == "zh" else "words"
    return LengthRequirement(
        min=best.min,
        max=best.max,
        unit="chars" if best.unit_hint == "chars" else default_unit,
        approximate=best.approximate,
        source_text=text[best.start : best.end].strip(),
    )


# ---------------------------------------------------------------- language

WANTS_ENGLISH = re.compile(
    r"用英[文语]|英[文语](?:写|撰写|回答|回复|输出|作文|短文|文章)"
    r"|\bin English\b(?!\s+(?:literature|class|grammar))|\b(?:write|answer|respond|reply)\s+in\s+English\b",
    re.IGNORECASE,
)
WANTS_CHINESE = re.compile(
    r"用(?:中文|汉语)|中文(?:写|撰写|回答|回复|输出)|\bin\s+(?:(?:standard|decent|simplified|traditional|fluent|"
    r"formal|plain|good|and)\s+){0,4}Chinese\b(?!\s+(?!and\b)[a-z])",
    re.IGNORECASE,
)


def parse_language(text: str) -> Literal["zh", "en"]:
    if WANTS_ENGLISH.search(text):
        return "en"
    if WANTS_CHINESE.search(text):
        return "zh"
    return "zh" if detect_language(text) == "zh" else "en"


# ---------------------------------------------------------------- sections

MARKER_STYLES = {
    # list style: the marker, with the item number in group "n"
    "paren": re.compile(r"[（(]\s*(?P<n>\d{1,2}|[一二三四五六七八九十]{1,3})\s*[）)]"),
    "circled": re.compile(r"(?P<n>[①②③④⑤⑥⑦⑧⑨⑩])"),
    "dotted": re.compile(r"(?<![\d.,A-Za-z])(?P<n>\d{1,2})\s*(?:[.．、]|\)(?!\w))(?!\d)"),
    "cn_ordinal": re.compile(rf"(?<!{CJK_CHAR.pattern})(?P<n>[一二三四五六七八九十]{{1,3}})\s*[、．]"),
    "part": re.compile(r"第(?P<n>\d{1,2}|[一二三四五六七八九十]{1,3})(?:部分|章|节)[:：\s]?"),
}
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"
SECTION_CUE = re.compile(
    r"部分|章节|结构|大纲|板块|框架|目录|以下内容|以下要素|包含以下|包括以下|分为|分成"
    r"|\bsections?\b|\bparts?\b|\bstructure\b|\boutline\b|\bheadings?\b|\bchapters?\b|\bin this order\b"
    r"|\bfollowing (?:content|topics|sections|parts|structure|elements)\b",
    re.IGNORECASE,
)
ENUMERATION_CUE = re.compile(
    r"(?:(?:包含|包括|分为|分成|由)以下(?:几个|[\d一二三四五六七八九两]+个)?(?:部分|章节|板块)"
    r"|(?:文章|报告|全文)?(?:结构|大纲|框架)(?:为|是|如下)?"
    r"|(?:contain|include|have|cover)s?\s+(?:the\s+following|these)\s+(?:sections|parts|headings)"
    r"|\b(?:sections|structure|outline|headings)\b[^.:：\n]{0,40})\s*[:：]\s*",
    re.IGNORECASE,
)
ENUMERATION_INLINE = re.compile(
    r"(?:包含|包括|分为|分成)(?P<items>[^。；：:]{2,60}?)(?:[\d一二三四五六七八九两]+个?|几个|等)(?:部分|章节|板块)"
)
LETTER_OR_HANZI = re.compile(rf"[A-Za-z]|{CJK_CHAR.pattern}")
ITEM_END = re.compile(r"[。\n]|[.?!](?:\s|$)")
VIDEO_WORDS = re.compile(r"视频|video|talk|讲解|演讲|lecture|recording", re.IGNORECASE)
PAPER_WORDS = re.compile(r"论文|paper|文章基本信息", re.IGNORECASE)
DEFAULT_OUTLINE = {
    "zh": ["引言", "主要内容", "结论"],
    "en": ["Introduction", "Main Discussion", "Conclusion"],
}


def marker_number(style: str, token: str) -> int | None:
    if style == "circled":
        return CIRCLED.index(token) + 1
    return parse_number(token)


def section_focus(title: str) -> SectionFocus:
    if VIDEO_WORDS.search(title):
        return "video"
    if PAPER_WORDS.search(title):
        return "paper"
    return "general"


def clean_title(item: str) -> str:
    """The bare section name: drop a description after a colon or dash, a parenthetical, list glue."""
    title = re.sub(r"\*\*|__|`", "", item)  # markdown emphasis: "1. **Introduction**"
    title = re.split(r"[：:]|\s[-–—]\s|[（(]", title, maxsplit=1)[0]
    title = re.sub(r"^\s*(?:[-*•]\s+)?(?:and\s+|the\s+)?", "", title, flags=re.IGNORECASE)
    title = re.sub(r"(?:\s+and|和|以及|及)\s*$", "", title.strip(" \t；;，,。.、"))
    if len(title) > 30:
        title = re.split(r"[，,]", title, maxsplit=1)[0]
    return title.strip(" \t；;，,。.、\"“”'")


def sentence_left(text: str, start: int, width: int = 80) -> str:
    """The sentence before ``start``; unlike clause_left it spans newlines ("结构如下：\n1. 引言")."""
    window = text[max(0, start - width) : start]
    ends = list(re.finditer(r"[。！？!?]|\.\s", window))
    return window[ends[-1].end() :] if ends else window


def numbered_sections(text: str) -> list[tuple[str, str]] | None:
    """The first cued numbered list (1, 2, … in order) as (marker, title) pairs."""
    lists: list[tuple[int, list[tuple[str, str]]]] = []
    for style, pattern in MARKER_STYLES.items():
        markers = [m for m in pattern.finditer(text) if marker_number(style, m["n"]) is not None]
        for first_index, first in enumerate(markers):
            if marker_number(style, first["n"]) != 1:
                continue
            run = [first]
            for following in markers[first_index + 1 :]:
                if marker_number(style, following["n"]) == len(run) + 1:
                    run.append(following)
                elif marker_number(style, following["n"]) == 1:
                    break
            if len(run) < 2 or not SECTION_CUE.search(sentence_left(text, first.start())):
                continue
            items = []
            for index, marker in enumerate(run):
                stop = run[index + 1].start() if index + 1 < len(run) else len(text)
                body = text[marker.end() : stop]
                end = ITEM_END.search(body)
                body = body[: end.start()] if end else body
                items.append((marker.group(0).strip(), clean_title(body)))
            if all(title for _, title in items):
                lists.append((first.start(), items))
                break
    return min(lists)[1] if lists else None


PARENTHETICAL = re.compile(r"（[^（）]*）|\([^()]*\)")
BULLET_LINE = re.compile(r"^[ \t]*[-*•][ \t]+(.+)$", re.MULTILINE)


def split_enumeration(items_text: str) -> list[str]:
    # "产品概述（品牌来源国、品牌理念）": the 、 inside the parenthesis does not separate sections.
    items_text = PARENTHETICAL.sub("", items_text)
    if "、" in items_text:
        # Chinese lists use 、 between items; a comma or semicolon ends the list ("A、B、C，2500字以上").
        items_text = re.split(r"[，,；;]", items_text, maxsplit=1)[0]
        parts = re.split(r"、|和|以及", items_text)
    else:
        parts = re.split(r"[，,;；]", items_text)
        # "and" joins only the last two items; inside an item it is part of the name ("risk and challenge").
        parts[-1:] = re.split(r"\s+and\s+|^\s*and\s+", parts[-1], maxsplit=1)
    parts = [p for p in parts if p.strip()]
    if len(parts) == 1 and re.fullmatch(r"(?:[A-Z][a-z]+\s+){2,}[A-Z][a-z]+", parts[0].strip()):
        parts = parts[0].split()  # "Objective Methods Findings Conclusion": one capitalised word each
    return [clean_title(p) for p in parts]


def enumerated_sections(text: str) -> list[str] | None:
    """Unnumbered lists: "包含以下部分：A、B、C", "包括引言和结论两部分", "sections: X and Y", bullets."""
    for match in ENUMERATION_INLINE.finditer(text):
        titles = split_enumeration(match["items"])
        if len(titles) >= 2 and all(titles):
            return titles
    for match in ENUMERATION_CUE.finditer(text):
        rest = text[match.end() :]
        bullets: list[tuple[str, int]] = []
        for line in BULLET_LINE.finditer(rest):
            if rest[: line.start()].strip("\n \t") and not bullets:
                break  # the bullets must start right after the cue
            if bullets and rest[bullets[-1][1] : line.start()].strip():
                break  # and run without interruption
            bullets.append((line.group(1), line.end()))
        if len(bullets) >= 2:
            titles = [clean_title(item) for item, _ in bullets]
        else:
            end = ITEM_END.search(rest)
            titles = split_enumeration(rest[: end.start()] if end else rest)
        limit = 15 if detect_language("".join(titles)) == "zh" else 40
        if len(titles) >= 2 and all(0 < len(t) <= limit and LETTER_OR_HANZI.search(t) for t in titles):
            return titles
    return None


def parse_sections(text: str, language: Literal["zh", "en"]) -> tuple[list[SectionRequirement], bool]:
    """The required sections in order, and whether the task gave them (else a default outline)."""
    numbered = numbered_sections(text)
    if numbered:
        # Mirror the task's own marker so the grader finds the heading it asked for: （1）X, 1. X, 一、X.
        entries = [
            (title, f"{marker}{'' if marker[-1] in '）、．：' else ' '}{title}") for marker, title in numbered
        ]
    else:
        entries = [(title, title) for title in enumerated_sections(text) or []]
    from_task = bool(entries)
    if not from_task:
        entries = [(title, title) for title in DEFAULT_OUTLINE[language]]
    return [
        SectionRequirement(index=index, title=title, heading=heading, focus=section_focus(title))
        for index, (title, heading) in enumerate(entries, 1)
    ], from_task


# ---------------------------------------------------------------- citations

CITE_CUE = re.compile(
    r"标注来源|注明来源|标明来源|标注出处|注明出处|标明出处|引用来源|参考文献|注明引用|列出来源"
    r"|(?<!可)(?<!可以)引用[^。；，]{0,8}(?:资料|文献|来源|论文|出处)"
    r"|\bcite\b|\bciting\b|\bcitations?\b|\bbibliography\b|\breferences? (?:list|section)\b"
    r"|\b(?:list|include|provide|add|give|name|with)\s+(?:the\s+|your\s+|all\s+|its\s+)?(?:sources|references)\b"
    r"|\blist of (?:references|sources|citations)\b",
    re.IGNORECASE,
)
BASIS_VERB = (
    r"(?:根据|基于|结合|依据|参考|阅读|提供的|所给的?|附上的|附件中?的?)[^。；]{0,20}"
    r"|\b(?:using|based on|base\w*\b[^.;]{0,40}?\bon|drawing on|from|read(?:ing)?"
    r"|the (?:provided|attached|given))\b"
    r"[^.;]{0,40}?"
)
PDF_BASIS = re.compile(rf"(?:{BASIS_VERB})(?:论文|PDF|\bpaper\b|\bpdf\b)", re.IGNORECASE)
VIDEO_BASIS = re.compile(
    rf"(?:{BASIS_VERB})(?:视频|讲解|演讲|录像|\bvideo\b|\btalk\b|\blecture\b|\brecording\b)", re.IGNORECASE
)
CORPUS_WORDS = re.compile(
    r"资料库|语料库|文档库|知识库|资料集|document collection|\bcorpus\b|knowledge base", re.IGNORECASE
)
REQUIRED_WORDS = re.compile(r"必须|务必|需要|需|应当|应|要求|\bmust\b|\bshould\b|\brequired\b", re.IGNORECASE)
OPTIONAL_WORDS = re.compile(
    r"可以|可|必要时|如有需要|酌情|适当|where (?:helpful|relevant|useful)|if (?:helpful|needed|useful)"
    r"|\boptionally\b|\bmay\b|\bcan\b",
    re.IGNORECASE,
)


def parse_citations(text: str) -> CitationRules:
    """Citations are required when the task asks for sources; must_cite names the materials it is based on."""
    required = bool(CITE_CUE.search(text))
    must_cite: list[Literal["pdf", "video", "corpus"]] = []
    if PDF_BASIS.search(text):
        must_cite.append("pdf")
    if VIDEO_BASIS.search(text):
        must_cite.append("video")
    for mention in CORPUS_WORDS.finditer(text):
        # "必要时可引用资料库" / "where helpful, draw on the document collection" make the corpus optional.
        clause = clause_left(text, mention.start(), width=40)
        if REQUIRED_WORDS.search(clause) and not OPTIONAL_WORDS.search(clause):
            must_cite.append("corpus")
            break
    return CitationRules(required=required, per_section=required, must_cite=must_cite)


# ---------------------------------------------------------------- tone, register, audience

ZH_SOFT_WORDS = re.compile(
    r"书面语|口语|语气|口吻|文风|风格|笔法|通俗|易懂|深入浅出|初学者|新手|入门者|外行|读者|受众|面向|适合"
    r"|正式|严谨|幽默|生动|客观|中立|简洁|简明|学术|亲切|活泼|真挚|文笔"
)
ZH_SOFT_FILLER = re.compile(
    r"^(?:并且|并|同时|且|要求|报告|文章|全文|整篇|你)*(?:需要|需|应该|应当|应|要|须|必须|请|尽量|务必)?"
    r"(?:使用|采用|保持|做到)?"
)
EN_TONE = re.compile(
    r"\b(?:[A-Za-z-]+,?\s+(?:and\s+)?){1,3}(?:tone|style|register|voice)\b(?:\s+of\s+[^.,;\n]{3,50})?",
    re.IGNORECASE,
)
EN_AUDIENCE = re.compile(
    r"\bfor\s+(?:(?:an?|the)\s+)?(?:[A-Za-z-]+\s+){0,3}?(?:newcomers|beginners|novices|non-experts|"
    r"non-specialists|laypeople|lay readers|students|children|kids|general (?:audience|public|readers)|"
    r"readers|audience|team)\b(?:\s+(?:that|who)\s+(?:is|are)\s+new\s+to\s+[A-Za-z -]+)?",
    re.IGNORECASE,
)
EN_TONE_LEAD = re.compile(r"^(?:(?:use|using|in|with|write|adopt|keep|maintain|a|an|the)\s+)+", re.IGNORECASE)


def parse_soft(text: str) -> list[str]:
    """Short phrases quoted from the task about tone, register and audience."""
    found: list[str] = []
    if count_cjk(text) > 0:
        for clause in re.split(r"[，。；;！？!?\n]", text):
            clause = clause.strip()
            if not ZH_SOFT_WORDS.search(clause) or len(clause) > 40 or find_length_mentions(clause):
                continue
            found.append(ZH_SOFT_FILLER.sub("", clause).strip() or clause)
    for pattern in (EN_TONE, EN_AUDIENCE):
        for match in pattern.finditer(text):
            found.append(EN_TONE_LEAD.sub("", match.group(0)).strip())
    return list(dict.fromkeys(p for p in found if p))


# ---------------------------------------------------------------- title and topic

ZH_TITLE = re.compile(
    r"(?:题为|题目为|标题为|名为|命名为|题目是|标题是)\s*[《“\"「](?P<a>[^》”\"」\n]{1,60})[》”\"」]"
    r"|以\s*[《“\"「](?P<b>[^》”\"」\n]{1,60})[》”\"」]\s*为(?:题目?|标题)"
    # 《X》 right after the verb is the report's title; 写一篇《X》的读书报告 is about the book X.
    r"|(?:撰写|写|写作|完成|创作|编写|起草)(?:一篇|一份|一本|一部|篇|份)?[^《，。；\n]{0,12}"
    r"《(?P<c>[^》\n]{1,60})》(?!的|中|里|一书|这)"
)
EN_TITLE = re.compile(
    r"\b(?:titled|entitled|called|named|with (?:the )?title|under the title)\s*[:：]?\s*"
    r"(?:[\"“](?P<a>[^\"”\n]{2,120})[\"”]|‘(?P<b>[^’\n]{2,120})’|'(?P<c>[^'\n]{2,120})'(?!\w))"
    r"|\bwith (?:the )?title[:：]\s*(?P<d>[^\"“\n][^\n]{1,119}?)(?:\.\s|\.?$)",
    re.IGNORECASE | re.MULTILINE,
)


def parse_title(text: str) -> str | None:
    for pattern in (ZH_TITLE, EN_TITLE):
        match = pattern.search(text)
        if match:
            return next(group for group in match.groups() if group).strip()
    return None


EXAMPLES = re.compile(
    r"[（(](?:如|例如|比如|包括|e\.g\.,?|such as|including|i\.e\.,?)\s*"
    r"(?P<items>[^（）()]{4,120}?)(?:等)?[）)]"
    r"|[（(](?P<bare>[^（）()]{4,120}?[、,][^（）()]{2,120}?)(?:等)?[）)]",
    re.IGNORECASE,
)
# Words of the instructions rather than the subject; they only add noise to a retrieval query.
ZH_INSTRUCTION_WORDS = """
论文 视频 报告 撰写 字数 部分 内容 要求 需要 进行 包含 包括 以下 提供 相关 资料 资料库 来源 标注
引用 清晰 结构 正式 书面语 初学者 理解 适合 讲解 文章 一篇 写作 作业 课程 学生 学习 假设 根据 基于 描述
解释 概括 准确 必要 辅助 说明 权威 公开 使用 生成 创作 左右 不少 以上 以内 基本 信息 核心 关键 补充 要点
结合 完成 正在 刚刚 接触 所有 重要 涉及 其中 方法 结论 目标 研究 阅读 帮我 一份 请你 一名 语言 风格 题目
标题 简介 介绍 示例
"""
EN_INSTRUCTION_WORDS = """
a an the and or of to in on for with by from as at is are be been being this that these those it its
their them they you your we our us i me my he she his her will would should must can could may might shall
not no nor but if then than so such into about over under between each every all any some more most other
also very which who whom whose what when where why how there here do does did done have has had having
write writing written report paper talk video section sections words word length use using used based base
provided provide please make include including included contain contains following order style clear
clearly formal accurately explain summarize summary cite source sources document documents collection
helpful draw background statement technical reading study briefing preparing prepare titled title new
concepts concept key goals method methods conclusions highlights overview core contributions explained
approximately around least engaging introduction conclusion
"""
ZH_BOILERPLATE = frozenset(ZH_INSTRUCTION_WORDS.split())
EN_STOPWORDS = frozenset(EN_INSTRUCTION_WORDS.split())


def parse_topic(text: str, title: str | None, language: Literal["zh", "en"], boilerplate: list[str]) -> str:
    """A short retrieval query: the title, any listed examples, then the salient content words.

    ``boilerplate`` holds phrases already read as requirements (section names, tone, length); they say how
    to write, not what about, so they are left out of the keywords.
    """
    terms: list[str] = [title] if title else []
    for match in EXAMPLES.finditer(text):
        items = match["items"] or match["bare"]
        if re.search(r"[A-Za-z\u4e00-\u9fff]", items):
            terms += [t.strip() for t in re.split(r"[、,，;；]|\band\b|和|等$", items) if len(t.strip()) > 1]
    remainder = EXAMPLES.sub(" ", text)
    for phrase in sorted(boilerplate, key=len, reverse=True):
        remainder = remainder.replace(phrase, " ")
    keywords = (
        zh_keywords(remainder) if language == "zh" else en_keywords(remainder, frequent_only=len(terms) >= 3)
    )
    joined = " ".join(terms).lower()
    terms += [k for k in keywords if k.lower() not in joined][: max(0, 8 - len(terms))]
    return " ".join(dict.fromkeys(terms))


def zh_keywords(text: str) -> list[str]:
    import jieba.analyse  # jieba builds its dictionary on first import; only pay that for Chinese tasks

    tags = jieba.analyse.extract_tags(text, topK=30)
    return [t for t in tags if len(t) > 1 and not re.search(r"\d", t) and t not in ZH_BOILERPLATE]


def en_keywords(text: str, frequent_only: bool) -> list[str]:
    """Content words by frequency, then first appearance; only repeated ones if ``frequent_only``."""
    words = [w.lower() for w in re.findall(r"[A-Za-z][A-Za-z-]{2,}", text)]
    counts: dict[str, int] = {}
    for word in words:
        if word not in EN_STOPWORDS:
            counts[word] = counts.get(word, 0) + 1
    first_seen = {w: i for i, w in reversed(list(enumerate(words)))}
    ranked = sorted(counts, key=lambda w: (-counts[w], first_seen[w]))
    return [w for w in ranked if counts[w] > 1] if frequent_only else ranked


# ---------------------------------------------------------------- the whole spec


def parse_requirements(task_text: str) -> RequirementSpec:
    """Read the requirements of a task prompt (zh or en) with deterministic rules."""
    language = parse_language(task_text)
    sections, from_task = parse_sections(task_text, language)
    title = parse_title(task_text)
    length = parse_length(task_text, language)
    soft = parse_soft(task_text)
    boilerplate = [
        *soft,
        *(s.title for s in sections if from_task),
        *([length.source_text] if length else []),
    ]
    return RequirementSpec(
        language=language,
        title=title,
        sections=sections,
        sections_from_task=from_task,
        length=length,
        citations=parse_citations(task_text),
        soft=soft,
        topic=parse_topic(task_text, title, language, boilerplate),
        parsed_by="rules",
    )


def merge_llm_spec(rules: RequirementSpec, llm: RequirementSpec) -> RequirementSpec:
    """Fill the gaps of the rule-based spec from an LLM reading; never override what the rules parsed."""
    use_llm_sections = not rules.sections_from_task and bool(llm.sections)
    return rules.model_copy(
        update={
            "title": rules.title or llm.title,
            "sections": llm.sections if use_llm_sections else rules.sections,
            "sections_from_task": rules.sections_from_task or use_llm_sections,
            "length": rules.length or llm.length,
            "citations": CitationRules(
                required=rules.citations.required or llm.citations.required,
                per_section=rules.citations.per_section or llm.citations.per_section,
                must_cite=list(dict.fromkeys([*rules.citations.must_cite, *llm.citations.must_cite])),
            ),
            "soft": list(dict.fromkeys([*rules.soft, *llm.soft])),
            "topic": rules.topic or llm.topic,
            "parsed_by": "rules+llm",
        }
    )
