"""Length phrases: every phrase of a task that states how long the report is, as a LengthMention.

A phrase is a figure (numbers.NUMBER) with a unit (字, 汉字, 单词, words, Chinese characters, 页, pages) or
after a length label (字数, 篇幅, Length:, Limit:), and a modifier on either side that makes it a lower
bound (不少于, at least, 以上), an upper bound (不超过, no more than, under, 以内, Limit:) or an approximate
figure (约, about, 左右, or a bare figure), whose stated tolerance ("give or take 100", "±200字", "上下浮动
200字") replaces the ±10 %. A figure that names a place in a source (第3页, "the first 10 pages of the paper",
前5) is no length.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from typing import Literal

from reportgraph.tools.intake.spec.model import APPROX_TOLERANCE
from reportgraph.tools.intake.spec.numbers import (
    CN_PAIR,
    EN_WORD,
    NUMBER,
    cn_pair,
    parse_number,
    range_scale,
)

MIN_LENGTH_FIGURE = 10  # "一字一句", "十字路口": smaller figures are never a report length in 字 or words
MAX_PAGES = 200

UnitKind = Literal["cjk_chars", "chars", "words", "pages", "default"]
Bound = Literal["lower", "upper", "approx", "range"]

UNIT_KINDS: dict[UnitKind, str] = {
    "cjk_chars": r"(?:个)?(?:汉字|中文字符?)|\bChinese\s+characters?\b",
    "chars": r"(?:个)?字符|\bcharacters?\b|\bchars\b",
    "words": r"(?:个)?(?:英文)?单词|\bEnglish\s+words?\b",
    "pages": r"(?:个)?(?:A4\s*)?页(?![码面眉脚])|\b(?:A4\s+)?pages?\b",
    # 字 and 词 never followed by what makes them another word (字幕 subtitles, 十字路口, 词语, 千字文 …).
    "default": r"(?:个)?(?:字(?![幕体号母节典段路架军形街文经])|词(?![语汇组条性法典云频]))|\bwords?\b",
}
UNIT = "|".join(f"(?P<{kind}>{pattern})" for kind, pattern in UNIT_KINDS.items())
UNIT_PLAIN = "|".join(f"(?:{pattern})" for pattern in UNIT_KINDS.values())
# "两千来字", "3000余字", "三千多字": about that figure; "2,200+ words": at least that figure.
GAP = r"[\s-]*(?:来|余|多|\+)?\s*"
RANGE_SEP = r"(?:至|到|-|–|—|~|～|〜|\bto\b)"
LABEL_KINDS: dict[UnitKind, str] = {
    "words": r"英文单词数|单词数|词数|\bword\s+(?:count|limit)\b",
    "pages": r"页数|\bpage\s+(?:count|limit)\b",
    "default": r"字数要求|总字数|字数|篇幅|长度|\b(?:target\s+)?length\b|\blimit\b",
}
LABEL = "|".join(f"(?P<{kind}>{pattern})" for kind, pattern in LABEL_KINDS.items())

RANGE_WITH_UNIT = re.compile(
    rf"(?:between\s+)?(?P<a>{NUMBER}){GAP}(?:{UNIT_PLAIN})?\s*(?:{RANGE_SEP}|(?<=\s)and)\s*"
    rf"(?P<b>{NUMBER}){GAP}(?:{UNIT})(?:\s*之间)?",
    re.IGNORECASE,
)
# 两三千字, 一两页; not the tail of a longer numeral (一千二三百字 is no 200–300).
PAIR_WITH_UNIT = re.compile(
    rf"(?<![零〇一二两三四五六七八九十百千万\d]){CN_PAIR}{GAP}(?:{UNIT})", re.IGNORECASE
)
SINGLE_WITH_UNIT = re.compile(rf"(?P<a>{NUMBER}){GAP}(?:{UNIT})", re.IGNORECASE)
LABELLED = re.compile(
    rf"(?:{LABEL})[^0-9零〇一二两三四五六七八九十百千万。\n]{{0,12}}?"
    rf"(?P<a>{NUMBER})(?:\s*(?:{RANGE_SEP}|(?<=\s)and)\s*(?P<b>{NUMBER}))?",
    re.IGNORECASE,
)
# Comparatives, read as a small grammar rather than a list of phrasings: a word that says "more" (超过,
# more than, over, exceed, longer than) makes a lower bound, one that says "less" (少于, fewer than, under,
# shorter than) an upper bound, and a negation before either (不/不要/不得/不宜, no, not, don't, must not be,
# never) turns it round: 不少于 and "no shorter than" are lower bounds, 不超过 and "don't go over" upper ones.
ZH_MORE = r"(?:超过|超出|多于|大于|高于|长于|逾)"
ZH_LESS = r"(?:少于|低于|小于|短于|不足|不到)"
ZH_NEGATION = (
    r"(?:不(?:要|能|得|应|宜|可|准|会|该|应该|应当)?(?:以?能?)?|(?<![特区分告级类派识])别|切勿|勿|莫)"
)
EN_MORE = (
    r"(?:more|longer|greater|larger|bigger)\s+than|over|above|beyond|exceed(?:ing|s)?|in\s+excess\s+of"
    r"|go(?:ing)?\s+(?:over|beyond|past|above)|run(?:ning)?\s+(?:over|past|beyond|longer\s+than)"
    r"|top(?:ping)?|pass(?:ing)?"
)
EN_LESS = (
    r"(?:fewer|less|shorter|smaller|lower)\s+than|under|below|beneath"
    r"|(?:go(?:ing)?|come|coming|fall(?:ing)?|drop(?:ping)?|run(?:ning)?)\s+(?:under|below|short\s+of)"
    r"|short\s+of"
)
EN_NEGATION = (
    r"(?:\bno|\bnot|n't|\bnever|\bnor|\bnothing)(?:\s+(?:make|keep|let)\s+it)?"
    r"(?:\s+(?:be|go|run|come\s+in|fall|drop|get|to))?"
    r"(?:\s+(?:any|much|significantly|substantially))?\s+"
)
LOWER_WORDS = (
    rf"{ZH_NEGATION}{ZH_LESS}|至少|最少|起码|最低|下限为?|{ZH_MORE}|"
    rf"{EN_NEGATION}(?:{EN_LESS})|(?<!\bno )(?<!\bnot )(?<!n't )\b(?:{EN_MORE})\b|at\s+least|at\s+lease|"
    r"a\s+minimum\s+of|minimum\s+of|minimum|min\.|≥|>="
)
UPPER_WORDS = (
    rf"{ZH_NEGATION}{ZH_MORE}|上限为?|最多|至多|最长|封顶|{ZH_LESS}|"
    rf"{EN_NEGATION}(?:{EN_MORE})|(?<!\bno )(?<!\bnot )(?<!n't )\b(?:{EN_LESS})\b|"
    r"at\s+most|up\s+to|within|limited\s+to|capped\s+at|≤|<=|"
    r"a\s+maximum\s+of|maximum\s+of|maximum|max\.|"
    r"(?:word |page |length )?limit(?:\s+(?:is|of))?\s*[:：]?"
)
BEFORE_FIGURE: dict[Bound, re.Pattern[str]] = {
    "lower": re.compile(rf"(?:{LOWER_WORDS})\s*(?:要|需|为|是|在)?\s*$", re.IGNORECASE),
    "upper": re.compile(rf"(?:{UPPER_WORDS})\s*(?:要|需|为|是|在)?\s*$", re.IGNORECASE),
    "approx": re.compile(
        r"(?:约|大约|大概|大致|差不多|approximately|approx\.|about|around|roughly|circa|some|~|≈)\s*$",
        re.IGNORECASE,
    ),
}
AFTER_FIGURE: dict[Bound, re.Pattern[str]] = {
    "lower": re.compile(
        r"^\s*(?:以上|及以上|或以上|往上|起|打底|\+(?!/?-)|or (?:more|longer|above|over)|minimum"
        r"|at (?:the )?least|(?:and|or) up(?:wards)?\b|plus\b)",
        re.IGNORECASE,
    ),
    "upper": re.compile(
        r"^\s*(?:以内|之内|以下|内|封顶|为限|为上限|or (?:less|fewer|under|below|shorter)|max(?:imum)?\b"
        r"|at (?:the )?most|tops\b|limit|cap|(?:and|or) (?:no|not) (?:more|longer))",
        re.IGNORECASE,
    ),
    "approx": re.compile(r"^\s*(?:左右|上下|出头|or so)", re.IGNORECASE),
}
# A bound with no unit of its own, in a sentence that states a length: "单词数不少于1500，不超过2000".
UNITLESS_BOUND = re.compile(
    rf"(?P<mod>(?P<lower>{LOWER_WORDS})|(?P<upper>{UPPER_WORDS}))\s*(?:要|需|为|是|在)?\s*(?P<a>{NUMBER})"
    rf"(?!\s*(?:\d|[.,]\d|{UNIT_PLAIN}|年|岁|%|％|个|名|张|篇|项|次|条|位|种))"
    # "no more than 15 sources": a figure before a noun counts that noun ("either", "or so" are no nouns).
    r"(?!\s+(?!(?:either|too|though|as|or|and|but|for|at|in|is|are|would|will)\b)[A-Za-z])",
    re.IGNORECASE,
)
# "1,800 words minimum, 2,400 maximum": a bound word after a unitless figure.
UNITLESS_BOUND_AFTER = re.compile(
    rf"(?P<a>{NUMBER})\s*(?:(?P<lower>minimum|min\.?|at (?:the )?least)"
    r"|(?P<upper>maximum|max\.?|at (?:the )?most))(?![A-Za-z])",
    re.IGNORECASE,
)
# "第3页", "the first 10 pages", "前5": a place in a source, not a length of the report.
REFERENCE_LEFT = re.compile(r"(?:第|前|后|\bfirst|\blast|\btop|\bpages?|\bp\.)\s*$", re.IGNORECASE)
REFERENCE_RIGHT = re.compile(r"^\s*of\s+(?:the|this|that|its|each)\b", re.IGNORECASE)
# The pieces a task may ask several of, each with its own length ("five posts", "each of the four sections").
ITEM_NOUNS_EN = (
    r"sections|parts|chapters|paragraphs|posts|stories|essays|articles|poems|letters|entries|scenes|days"
)
# "Each of the four sections should run to about 500 words": a length per item whose count is stated in the
# same phrase (only of the pieces above: "each of the 3 papers" counts sources, not parts of the report).
EACH_OF = (
    rf"\beach\s+of\s+(?:the\s+|your\s+|its\s+|these\s+|those\s+)?(?P<count>\d+|{EN_WORD})\s+"
    rf"(?:\w+\s+)?(?:{ITEM_NOUNS_EN})\b(?:\s+of\s+(?:the|your|this|that)\s+\w+)?"
)
EACH_OF_HEAD = re.compile(EACH_OF, re.IGNORECASE)
EACH_OF_COUNT = re.compile(
    # up to the figure, in the same clause and naming no whole ("… and the whole report about 2,000 words").
    EACH_OF + r"(?:(?!\b(?:report|essay|paper|text|document|whole|total|overall|altogether)\b)"
    r"[^，。；,;.!?\n]){0,40}$",
    re.IGNORECASE,
)
# "每篇400字左右", "各写1000字", "each about 200 words": a length per item, not for the whole text.
PER_ITEM_LEFT = re.compile(
    r"(?:每(?:一)?(?P<item>篇|章|节课|节|段|部分|个部分|首|封|天|课|幕|集|个)|各写?|(?:\bfor\s+)?\beach(?:\s+\w+)?"
    r"|\bper\s+\w+)(?:\s+(?:should|must|needs?\s+to|has\s+to|is\s+to|will|can)(?:\s+(?:be|run|have|come\s+to))?)?"
    r"[^，。；,;.]{0,8}$",
    re.IGNORECASE,
)
ONE_WHOLE = re.compile(r"一[篇份本部]")
PER_ITEM_RIGHT = re.compile(
    r"\s*(?:each|apiece|a\s+piece|per\s+(?:section|part|chapter|heading)|for\s+each\b"
    r"|(?:一|每)(?:个)?(?P<item>部分|节|章|篇))",
    re.IGNORECASE,
)
CLAUSE_END = re.compile(r"[。！？!?\n;；]|\.\s")
# "anything below 2,000 is too thin", "少于3000字就不合适了": a comparative the task then rejects states the
# opposite bound (below 2,000 is rejected, so 2,000 is the minimum). Only in the comparative's own clause,
# and not after "or"/否则, which reject the failure to meet a bound ("不少于3000字，否则不合格").
REJECTED = re.compile(
    r"^(?:(?!\b(?:or|otherwise|else)\b|否则|不然)[^，,。.;；!?！？\n]){0,14}?"
    r"(?:不合适|不行|不可以|不够|不达标|不合格|不予|不接受|不符合|太短|太长|太少|太多|过短|过长|偏短|偏长|单薄"
    r"|\b(?:is|are|feels?|seems?|looks?|(?:would|will)\s+be)\s+(?:(?:far|much|way)\s+)?(?:too|un(?:acceptable|suitable))\b"
    r"|\bis\s+not\s+(?:enough|acceptable|ok(?:ay)?)\b|\bwon't\s+do\b|\bwill\s+not\s+do\b|\b(?:will|would)\s+be\s+rejected\b)",
    re.IGNORECASE,
)
# "Keep it under 1,200 words. It shouldn't be shorter than 800 either.": a bound without a unit in the
# sentence next to a length, read only when nothing but a clause end (or "either", 了) follows its figure.
BARE_TAIL = re.compile(r"^\s*(?:either|too|as\s+well|though|for\s+that\s+matter)?\s*(?:[.,;!?。，；！？…]|$)",
                       re.IGNORECASE)
SENTENCE_END = re.compile(r"[。！？!?\n]|\.(?:\s|$)")
# An explicit tolerance replaces the ±10 % of an approximate figure: "1,200 words, give or take 100",
# "3000字上下浮动200字", "2,000 words (±10%)" after the length; "1500 ± 200 words" inside it. Only right
# after the figure (or its 左右/about), so a "± 2%" of a finding elsewhere is no tolerance.
PLUS_MINUS = r"(?:±|\+/-|\+-|plus\s+or\s+minus)"
TOLERANCE_FIGURE = rf"(?P<tol>{NUMBER})\s*(?P<pct>%|％|percent\b)?"
TOLERANCE_AFTER = re.compile(
    r"^\s*(?:左右|上下|or\s+so)?[\s,，、;；(（]*"
    rf"(?:(?:with\s+)?(?:a\s+)?(?:give\s+or\s+take|{PLUS_MINUS}|(?:margin|tolerance)\s+of)"
    r"|(?:可以?|允许)?(?:上下|左右)?(?:浮动|误差|偏差)(?:范围)?(?:不超过|不超出|不大于|在|为|控制在)?"
    r"|上下(?=\s*\d))"
    rf"\s*(?:about\s+|约)?{TOLERANCE_FIGURE}\s*(?:{GAP}(?:{UNIT_PLAIN}))?(?:以内|之内)?[)）]?",
    re.IGNORECASE,
)
# "允许有200字的浮动", "可有10%的误差": the figure before the word.
TOLERANCE_FIGURE_FIRST = re.compile(
    rf"^\s*(?:左右|上下)?[\s,，、;；(（]*(?:可以?|允许)(?:有)?\s*{TOLERANCE_FIGURE}\s*(?:{GAP}(?:{UNIT_PLAIN}))?"
    r"(?:左右)?的?(?:上下)?(?:浮动|误差|偏差)",
    re.IGNORECASE,
)
TOLERANCE_INNER = re.compile(
    rf"(?P<a>{NUMBER})\s*{PLUS_MINUS}\s*{TOLERANCE_FIGURE}{GAP}(?:{UNIT})", re.IGNORECASE
)
MAX_TOLERANCE_PERCENT = 50


@dataclass(frozen=True)
class LengthMention:
    """One length phrase: its range, unit kind and span; ``item_word`` is set when it is per item."""

    min: int | None
    max: int | None
    bound: Bound
    kind: UnitKind
    start: int
    end: int
    item_word: str | None = None

    @property
    def strength(self) -> int:
        """2: a range or a bound, 1: an approximate or bare figure."""
        return 1 if self.bound == "approx" else 2


def unit_kind(match: re.Match[str]) -> UnitKind:
    """Which named unit (or label) group of ``match`` took part."""
    for kind in UNIT_KINDS:
        if match.groupdict().get(kind):
            return kind
    return "default"


def clause_left(text: str, start: int, width: int = 24) -> str:
    """The text of the clause before ``start`` (at most ``width`` characters)."""
    window = text[max(0, start - width) : start]
    ends = list(CLAUSE_END.finditer(window))
    return window[ends[-1].end() :] if ends else window


def figure_allowed(value: int | None, kind: UnitKind) -> bool:
    if value is None:
        return False
    return 1 <= value <= MAX_PAGES if kind == "pages" else value >= MIN_LENGTH_FIGURE


def range_allowed(low: int | None, high: int | None, kind: UnitKind) -> bool:
    """Both figures plausible and in order."""
    return (
        low is not None
        and high is not None
        and figure_allowed(low, kind)
        and figure_allowed(high, kind)
        and low < high
    )


def is_reference(text: str, start: int, end: int) -> bool:
    return bool(REFERENCE_LEFT.search(text[max(0, start - 8) : start]) or REFERENCE_RIGHT.match(text[end:]))


def widen(figure: int, kind: UnitKind) -> tuple[int, int]:
    """The whole units within figure ± APPROX_TOLERANCE (3 pages → 2.7–3.3 → 3–3; 5 pages → 4.5–5.5 →
    5–5, where rounding half to even gave 4–6; 1500 words → 1350–1650)."""
    # The epsilon keeps float error (1500 × 0.9 = 1349.999…) from losing a unit.
    return (math.ceil(figure * (1 - APPROX_TOLERANCE) - 1e-9),
            math.floor(figure * (1 + APPROX_TOLERANCE) + 1e-9))


def per_item_start(text: str, start: int, end: int | None = None) -> tuple[int, str | None]:
    """Where a length phrase starts once a per-item marker before it (每篇, 各写, each) is included; a
    marker after it ("400 words each", "800字一个部分") makes it per item too (the span is kept)."""
    window_start = max(0, start - 40)
    counted = EACH_OF_COUNT.search(text[max(0, start - 80) : start])
    if counted:
        return max(0, start - 80) + counted.start(), ""
    marker = PER_ITEM_LEFT.search(text[window_start:start])
    if marker and ONE_WHOLE.search(marker.group(0)):
        marker = None  # "面向各行业读者写一篇3000字的报告": 各 qualifies the readers, the text is one
    if marker is None:
        after = PER_ITEM_RIGHT.match(text[end:]) if end is not None else None
        return start, (after["item"] or "") if after else None
    return window_start + marker.start(), marker["item"] or ""


def range_mentions(text: str) -> list[LengthMention]:
    found = []
    for match in PAIR_WITH_UNIT.finditer(text):
        low, high = cn_pair(match) or (None, None)
        kind = unit_kind(match)
        if range_allowed(low, high, kind) and not is_reference(text, match.start(), match.end()):
            start, item_word = per_item_start(text, match.start(), match.end())
            found.append(LengthMention(low, high, "range", kind, start, match.end(), item_word))
    for match in RANGE_WITH_UNIT.finditer(text):
        kind = unit_kind(match)
        low, high = parse_number(match["a"]), parse_number(match["b"])
        if low is not None and high is not None:
            low = range_scale(low, match["b"], high)
        if not range_allowed(low, high, kind):
            continue
        if is_reference(text, match.start(), match.end()):
            continue
        start, item_word = per_item_start(text, match.start(), match.end())
        found.append(LengthMention(low, high, "range", kind, start, match.end(), item_word))
    return found


def modifier(text: str, start: int, end: int) -> tuple[Bound, int, int]:
    """The bound the words around a figure make of it, and the span once they are included."""
    left, right = clause_left(text, start), text[end : end + 12]
    # Of the modifiers that end right before the figure take the longest, so that 不超过 is not read as 超过
    # nor 不少于 as 少于, "no more than" as "more than".
    before = [(m.start(), kind) for kind, p in BEFORE_FIGURE.items() if (m := p.search(left))]
    after = [(m.end(), kind) for kind, p in AFTER_FIGURE.items() if (m := p.match(right))]
    bound: Bound = min(before)[1] if before else max(after)[1] if after else "approx"
    span_start = start - len(left) + min(before)[0] if before else start
    span_end = end + (max(after)[0] if after else 0)
    return bound, span_start, span_end


def judged(text: str, bound: Bound, end: int) -> Bound:
    """The bound once what the task says of it is read: a comparative it rejects states the other bound."""
    if bound in ("lower", "upper") and REJECTED.match(text[end:]):
        return "upper" if bound == "lower" else "lower"
    return bound


def tolerance_of(figure: int, match: re.Match[str]) -> int | None:
    """The tolerance a TOLERANCE_* match states around ``figure`` (a percentage of it, or a figure in its
    unit); None when it is no plausible tolerance (not below the figure, over MAX_TOLERANCE_PERCENT)."""
    value = parse_number(match["tol"])
    if value is None:
        return None
    if match["pct"]:
        return round(figure * value / 100) if 0 < value <= MAX_TOLERANCE_PERCENT else None
    return value if 0 < value < figure else None


def single_mention(text: str, start: int, end: int, figure_text: str, kind: UnitKind) -> LengthMention | None:
    figure = parse_number(figure_text)
    if figure is None or not figure_allowed(figure, kind) or is_reference(text, start, end):
        return None
    bound, span_start, span_end = modifier(text, start, end)
    bound = judged(text, bound, span_end)
    if re.match(rf"(?:{NUMBER})\s*\+", text[start:end], re.IGNORECASE):
        bound = "lower"  # "2,200+ words"
    span_start, item_word = per_item_start(text, span_start, span_end)
    stated = (TOLERANCE_AFTER.match(text[end:]) or TOLERANCE_FIGURE_FIRST.match(text[end:])
              if bound == "approx" else None)
    tolerance = tolerance_of(figure, stated) if stated else None
    if stated and tolerance:
        low, high, span_end = figure - tolerance, figure + tolerance, max(span_end, end + stated.end())
        return LengthMention(low, high, "range", kind, span_start, span_end, item_word)
    low, high = {"lower": (figure, None), "upper": (None, figure)}.get(bound) or widen(figure, kind)
    return LengthMention(low, high, bound, kind, span_start, span_end, item_word)


def tolerance_mentions(text: str) -> list[LengthMention]:
    """Lengths written as a figure ± its tolerance before the unit: "1500 ± 200 words", "3000±10%字"."""
    found = []
    for match in TOLERANCE_INNER.finditer(text):
        figure, kind = parse_number(match["a"]), unit_kind(match)
        tolerance = tolerance_of(figure, match) if figure is not None else None
        if figure is None or tolerance is None or not figure_allowed(figure, kind):
            continue
        start, item_word = per_item_start(text, match.start(), match.end())
        found.append(LengthMention(figure - tolerance, figure + tolerance, "range", kind, start, match.end(),
                                   item_word))
    return found


def labelled_mention(text: str, match: re.Match[str]) -> LengthMention | None:
    """A figure after a label needs no unit: "字数要求：2000左右", "Length: 1200-1800", "Limit: 1,000"."""
    kind = unit_kind_of_label(match)
    if not match["b"]:
        mention = single_mention(text, match.start("a"), match.end("a"), match["a"], kind)
        if mention and mention.bound == "approx" and re.search(r"limit|上限", match.group(0), re.IGNORECASE):
            return replace(mention, min=None, max=parse_number(match["a"]), bound="upper")
        return mention
    low, high = parse_number(match["a"]), parse_number(match["b"])
    if range_allowed(low, high, kind):
        return LengthMention(low, high, "range", kind, match.start("a"), match.end())
    return None


def unit_kind_of_label(match: re.Match[str]) -> UnitKind:
    for kind in LABEL_KINDS:
        if match.groupdict().get(kind):
            return kind
    return "default"


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence around ``start``–``end``: from the end of the previous sentence to the next end."""
    sentence_start = max((m.end() for m in SENTENCE_END.finditer(text, 0, start)), default=0)
    next_end = SENTENCE_END.search(text, end)
    return sentence_start, next_end.start() if next_end else len(text)


def unit_source(
    text: str, start: int, end: int, bound: Bound, stated: list[LengthMention]
) -> LengthMention | None:
    """The length a unitless bound takes its unit from: one in its own sentence, else the other bound of
    a range in the sentence before or after, when the figure ends its clause ("… shorter than 800
    either.")."""
    sentence_start, sentence_end = sentence_bounds(text, start, end)
    whole = [m for m in stated if m.item_word is None]
    same = [m for m in whole if sentence_start <= m.start < sentence_end]
    if same:
        return same[0]
    if not BARE_TAIL.match(text[end:]):
        return None
    before = sentence_bounds(text, max(0, sentence_start - 2), max(0, sentence_start - 1))[0]
    after = len(text)
    if sentence_end < len(text):
        after = sentence_bounds(text, sentence_end + 1, sentence_end + 1)[1]
    opposite = "upper" if bound == "lower" else "lower"
    near = [m for m in whole if before <= m.start < after and m.bound == opposite]
    return near[0] if near else None


def unitless_bounds(text: str, stated: list[LengthMention]) -> list[LengthMention]:
    """Bounds without a unit, taken only beside a length the task states (their unit comes from it)."""
    found = []
    for match in [*UNITLESS_BOUND.finditer(text), *UNITLESS_BOUND_AFTER.finditer(text)]:
        start, end = match.start(), match.end()
        bound = judged(text, "lower" if match["lower"] else "upper", end)
        source = unit_source(text, start, end, bound, stated)
        figure = parse_number(match["a"])
        if source is None or figure is None or not figure_allowed(figure, source.kind):
            continue
        low, high = (figure, None) if bound == "lower" else (None, figure)
        found.append(LengthMention(low, high, bound, source.kind, start, end))
    return found


def overlaps(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(span[0] < e and s < span[1] for s, e in taken)


def find_length_mentions(text: str) -> list[LengthMention]:
    """Every length phrase of ``text``, in order; each figure is read once (ranges, units, labels, bounds)."""
    mentions = range_mentions(text)
    mentions += [m for m in tolerance_mentions(text) if not overlaps((m.start, m.end), [
        (r.start, r.end) for r in mentions])]
    taken = [(m.start, m.end) for m in mentions]
    for match in SINGLE_WITH_UNIT.finditer(text):
        if not overlaps(match.span(), taken):
            mention = single_mention(text, match.start(), match.end(), match["a"], unit_kind(match))
            if mention:
                mentions.append(mention)
                taken.append((mention.start, mention.end))
    for match in LABELLED.finditer(text):
        if not overlaps((match.start("a"), match.end()), taken):
            labelled = labelled_mention(text, match)
            if labelled:
                mentions.append(labelled)
                taken.append((labelled.start, labelled.end))
    for bound in unitless_bounds(text, mentions):
        if not overlaps((bound.start, bound.end), taken):
            mentions.append(bound)
    return sorted(mentions, key=lambda m: m.start)
