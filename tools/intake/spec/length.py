"""Length: the range the task's length phrases (mentions) add up to, and the phrases left unused.

Bounds in separate clauses ("不少于2000字，不超过3000字") make one range; a length per item
("五篇，每篇400字", "每部分500字") is multiplied by the count of items the task states (or by its
outline's sections); a length for the whole text beats a per-item total, a range or a bound beats a bare
figure. Every phrase found but neither used nor agreeing with the range is returned, so the reader can
report it as unparsed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

from reportgraph.tools.intake.spec.length_mentions import (
    EACH_OF_HEAD,
    ITEM_NOUNS_EN,
    Bound,
    LengthMention,
    UnitKind,
    clause_left,
    find_length_mentions,
)
from reportgraph.tools.intake.spec.model import LengthRequirement, per_page_default
from reportgraph.tools.intake.spec.numbers import EN_NUMBER_WORDS, parse_number
from reportgraph.tools.intake.spec.table_length import table_lengths
from reportgraph.tools.text import language_unit

ITEM_COUNT = re.compile(
    rf"(?P<n>\d+|[一二两三四五六七八九十]+|\b(?:{'|'.join(EN_NUMBER_WORDS)}))\s*(?:个)?(?:[A-Za-z-]+\s+){{0,2}}?"
    rf"(?P<item>篇|章|节课|节|段|部分|首|封|天|课|幕|集|(?:{ITEM_NOUNS_EN})\b|(?<=-)(?:section|part|chapter)\b)",
    re.IGNORECASE,
)
# "The executive summary should be a page max", "摘要不超过300字": a length whose subject is one named part
# of the report bounds that part, not the whole. The subject opens the length's clause (after a comma),
# and an English one is followed by a verb; "each section" is a length per item (resolve_per_item).
PART_NOUN_EN = (
    r"(?:executive\s+)?summary|abstract|introduction|intro|conclusions?|preface|foreword|appendix|appendices"
    r"|overview|opening|epilogue|(?!each\b|every\b|per\b)\w+(?:\s+\w+)?\s+(?:section|part|chapter)"
)
PART_SUBJECT_EN = re.compile(
    rf"^\s*(?:(?:and|but|also|while|however),?\s+)?(?:the|your|its|an?)\s+(?:{PART_NOUN_EN})"
    r"\s+(?:should|must|shall|needs?|has|is|can|may|will|ought)\b",
    re.IGNORECASE,
)
PART_SUBJECT_ZH = re.compile(
    r"^\s*(?:其中|另外|此外|并且|而且|且|而|但)?\s*(?:摘要|引言|前言|导言|绪论|结论|结语|小结|附录|概述|导语|开头|结尾|开篇"
    r"|第[一二三四五六七八九十\d]+(?:部分|章|节))(?:部分)?的?(?:篇幅|字数|长度)?"
)
# "Keep the introduction to 200 words", "with an abstract of no more than 150 words": a part named right
# before the length, with only verbs and prepositions between, once the task has named the whole report
# ("Write an abstract of 150 words" asks for an abstract: no report named before it).
PART_OBJECT_EN = re.compile(
    rf"\b(?:the|your|its|an?)\s+(?:{PART_NOUN_EN})\s+(?:(?:should|must|shall|needs?|has|have|is|are|be|can|may"
    r"|will|ought|not|no|to|of|at|in|within|under|kept|limited|capped|run|come|take|stay|more|less|fewer|than"
    r"|longer|shorter|exceed|go|over|below|beyond)\s+)*$",
    re.IGNORECASE,
)
# "A page max for the executive summary", "no more than 200 words for the abstract", "300字以内的摘要": a part
# named right after the length, once the task has named the whole report (写一篇300字以内的摘要 asks for one).
PART_AFTER_EN = re.compile(
    r"^[\s,]*(?:(?:is|are|will\s+do|should\s+do)(?:\s+(?:plenty|enough|sufficient|fine|ample))?\s+)?"
    rf"for\s+(?:the|your|its|an?)\s+(?P<part>(?:{PART_NOUN_EN})\b)?",
    re.IGNORECASE,
)
# "with a 150-word abstract", "a one-page executive summary": the unit as an adjective of a part noun (not
# of "summary" or "overview" alone, which may name the whole: "a report: a 2,000-word overview of …").
PART_ADJECTIVE_EN = re.compile(
    r"^\s+(?P<part>(?:executive\s+summary|abstract|introduction|intro|conclusions?|preface|foreword"
    r"|appendix)\b)",
    re.IGNORECASE,
)
ADJECTIVE_UNIT = re.compile(r"\b(?:word|page|character)$", re.IGNORECASE)
PART_AFTER_ZH = re.compile(
    r"^\s*(?:的|用于|给)\s*(?P<part>(?:执行|内容)?摘要|提要|引言|前言|导言|绪论|结论(?!性)|结语|小结|附录"
    r"|开篇|第[一二三四五六七八九十\d]+(?:部分|章|节))?"
)
WHOLE_NOUN = re.compile(
    r"\b(?:report|essay|paper|article|piece|text|document|brief(?:ing)?|review|post|memo)\b|全文|报告|文章|整篇|全篇",
    re.IGNORECASE,
)
PER_SECTION = ("部分", "个部分", "节", "章", "")  # item words of a length per section ("" = each/各)


def times(mention: LengthMention, count: int) -> LengthMention:
    return replace(
        mention,
        min=mention.min * count if mention.min is not None else None,
        max=mention.max * count if mention.max is not None else None,
    )


def resolve_per_item(text: str, mention: LengthMention, sections: int | None = None) -> LengthMention | None:
    """Turn "五篇日记，每篇400字左右" into a total; None when the number of items is not stated.

    A length per section ("每部分约500字", "each section about 300 words") counts the ``sections`` the
    task's outline has, when the text states no count of its own.
    """
    stated = EACH_OF_HEAD.match(text, mention.start)
    count = parse_number(stated["count"]) if stated else None
    if count and 1 < count <= 50:
        return times(mention, count)  # "each of the four sections …": the count stated with the marker
    for count_match in ITEM_COUNT.finditer(text):
        if mention.item_word and count_match["item"] not in (
            mention.item_word,
            mention.item_word.lstrip("个"),
        ):
            continue
        count = parse_number(count_match["n"])
        if count and 1 < count <= 50:
            return times(mention, count)
    if sections and sections > 1 and mention.item_word in PER_SECTION:
        return times(mention, sections)
    return None


def same_family(a: UnitKind, b: UnitKind) -> bool:
    """Units that can bound one range: equal, or one of them the language's default (字/words)."""
    return a == b or "default" in (a, b)


def complete_range(
    best: LengthMention, others: list[LengthMention]
) -> tuple[LengthMention, list[LengthMention]]:
    """A lone lower bound takes the first upper bound of the same unit that lies above it, and vice versa."""
    if best.bound not in ("lower", "upper"):
        return best, [best]
    wanted: Bound = "upper" if best.bound == "lower" else "lower"
    for other in others:
        if other.bound != wanted or not same_family(best.kind, other.kind):
            continue
        low = best.min if best.bound == "lower" else other.min
        high = other.max if best.bound == "lower" else best.max
        if low is not None and high is not None and low < high:
            kind = best.kind if best.kind != "default" else other.kind
            start, end = min(best.start, other.start), max(best.end, other.end)
            return LengthMention(low, high, "range", kind, start, end), [best, other]
    return best, [best]


@dataclass(frozen=True)
class LengthReading:
    """The length requirement, the spans read for it and the length phrases left unused."""

    requirement: LengthRequirement | None
    spans: list[tuple[int, int]]
    unused: list[tuple[int, int]]


def agrees(mention: LengthMention, best: LengthMention) -> bool:
    """The same range, or an approximate figure inside it ("约2500字" beside "2000-3000字")."""
    if (mention.min, mention.max) == (best.min, best.max):
        return True
    if mention.bound != "approx" or None in (mention.min, mention.max, best.min, best.max):
        return False
    middle = ((mention.min or 0) + (mention.max or 0)) // 2
    return (best.min or 0) <= middle <= (best.max or 0)


def names_a_part(text: str, mention: LengthMention, part_names: tuple[str, ...] = ()) -> bool:
    """Whether the clause of ``mention`` opens with one named part of the report as its subject (the
    part nouns above, or a heading of the task's outline: "政策建议部分不少于800字"), or names one right
    before it (PART_OBJECT_EN) or right after it (part_after) once the task named the report."""
    if mention.item_word is not None:
        return False
    left = re.split(r"[，,：:]", clause_left(text, mention.start, 60))[-1]
    if PART_SUBJECT_EN.search(left) or PART_SUBJECT_ZH.match(left):
        return True
    named = PART_OBJECT_EN.search(left)
    if named and WHOLE_NOUN.search(text[: mention.start - len(left) + named.start()]):
        return True
    opening = re.sub(r"^\s*(?:the\s+)?", "", left, flags=re.IGNORECASE).lower()
    if any(name and opening.startswith(name.lower()) for name in part_names):
        return True
    if part_after(text, mention, part_names):
        return True
    # A table row of the outline ("| 1 | Executive Summary | half a page max |") bounds its own part.
    end = text.find("\n", mention.end)
    line = text[text.rfind("\n", 0, mention.start) + 1 : end if end >= 0 else len(text)]
    cells = [cell.strip().lower() for cell in line.strip().strip("|").split("|")]
    return line.lstrip().startswith("|") and any(name and name.lower() in cells for name in part_names)


def part_after(text: str, mention: LengthMention, part_names: tuple[str, ...]) -> bool:
    """Whether one part of the report is named right after ``mention`` (PART_AFTER_EN / _ZH: a part noun or
    a heading of the outline), in a task that named the whole report before it."""
    after = text[mention.end : mention.end + 80]
    named = PART_AFTER_EN.match(after) or PART_AFTER_ZH.match(after)
    if ADJECTIVE_UNIT.search(text[mention.start : mention.end]):
        named = named or PART_ADJECTIVE_EN.match(after)
    if named is None or not WHOLE_NOUN.search(text[: mention.start]):
        return False
    rest = after[named.end() :].lower()
    return bool(named["part"]) or any(name and rest.startswith(name.lower()) for name in part_names)


MATERIAL_SUBJECT = re.compile(
    r"\b(?:the|this|that|its|their)\s+(?:\w+\s+){0,2}(?:paper|article|book|thesis|talk|video|lecture|transcript"
    r"|document|collection|source)s?\s+(?:is|are|was|runs?|has|have|spans?|contains?)\s+(?:\w+\s+){0,2}$"
    r"|(?:论文|原文|文章|书|视频|讲座|录像|资料库?|文档)(?:本身)?(?:共|有|长|长达|约有|一共|总共)\s*$",
    re.IGNORECASE,
)


def describes_a_material(text: str, mention: LengthMention) -> bool:
    """Whether the clause of ``mention`` states the length of one of the task's materials ("the paper is
    36 pages long", "论文共36页"): a fact about the materials, read, and no requirement."""
    return bool(MATERIAL_SUBJECT.search(clause_left(text, mention.start, 60)))


def pick(
    text: str, sections: int | None = None, part_names: tuple[str, ...] = ()
) -> tuple[LengthMention | None, list[LengthMention], list[LengthMention]]:
    """The best whole-text reading, the mentions it used (or that agree with it), and all mentions.

    A length for one named part (names_a_part) is in the mentions but never a candidate; an outline
    table's length column (table_length) is one candidate spanning the table: its rows' sum, a per-item
    total, or its total row, a whole length."""
    # "the paper is 36 pages long", "讲座视频长50分钟": a material's length is no requirement of the report.
    mentions = [m for m in find_length_mentions(text) if not describes_a_material(text, m)]
    tables = table_lengths(text)
    whole_text = [m for m in mentions if not names_a_part(text, m, part_names)
                  and not any(t.start <= m.start < t.end for t, _ in tables)]
    candidates = [(is_sum, -table.strength, table.start, table, table) for table, is_sum in tables]
    for mention in whole_text:
        resolved = resolve_per_item(text, mention, sections) if mention.item_word is not None else mention
        if resolved is not None:
            candidates.append(
                (mention.item_word is not None, -resolved.strength, resolved.start, resolved, mention)
            )
    if not candidates:
        return None, [], mentions
    # A length for the whole text beats a per-item total; a range or bound beats a bare figure; then first.
    per_item, _, _, best, original = min(candidates, key=lambda c: c[:3])
    if per_item:
        return best, with_cells([original], mentions), mentions
    whole = [m for m in whole_text if m.item_word is None and m is not original]
    whole += [table for table, is_sum in tables if not is_sum and table is not original]
    best, used = complete_range(best, whole)
    agreeing = [m for m in whole if agrees(m, best)]
    # "全文约3000字，每部分750字左右": a per-section length that adds up to the whole agrees with it.
    per_section = [(c[4], c[3]) for c in candidates if c[0]]
    agreeing += [
        m
        for m, total in per_section
        if agrees(replace(total, bound="approx"), best) or total_within(total, best)
    ]
    return best, with_cells([*used, *agreeing], mentions), mentions


def with_cells(used: list[LengthMention], mentions: list[LengthMention]) -> list[LengthMention]:
    """``used`` and every mention inside one of them (the cells of a table read as one length)."""
    inside = [m for m in mentions if any(u.start <= m.start and m.end <= u.end and u is not m for u in used)]
    return list({id(m): m for m in [*used, *inside]}.values())


def total_within(total: LengthMention, best: LengthMention) -> bool:
    """A per-item bound whose total lies inside the whole range ("每部分不少于500字" in 2000–3000)."""
    figure = total.min if total.min is not None else total.max
    return figure is not None and (best.min or 0) <= figure <= (best.max or figure)


def parse_length(
    text: str,
    language: Literal["zh", "en"],
    per_page: int | None = None,
    sections: int | None = None,
    part_names: tuple[str, ...] = (),
) -> LengthReading:
    """The length the task asks for (None if none); ``per_page`` words or 字 per page for page lengths;
    ``sections``: how many sections the task's outline has (for a length given per section);
    ``part_names``: its headings (a length whose subject is one of them bounds that part only)."""
    best, used, mentions = pick(text, sections, part_names)
    used_ids = {id(m) for m in used}
    unused = [(m.start, m.end) for m in mentions if id(m) not in used_ids]
    if best is None:
        return LengthReading(None, [], unused)
    default_unit = language_unit(language)
    unit = default_unit if best.kind == "default" else best.kind
    if unit == "chars" and language == "zh" and "字符" not in text[best.start : best.end]:
        unit = "cjk_chars"  # "a report in Chinese of 5,000 characters": 字, not every character
    page_unit = default_unit if unit == "pages" else None
    per_item = next((m for m in used if m.item_word is not None), None) if len(used) == 1 else None
    requirement = LengthRequirement(
        per_section=(per_item.min, per_item.max) if per_item else None,
        min=best.min,
        max=best.max,
        unit=unit,
        approximate=best.bound == "approx",
        source_text=text[best.start : best.end].strip(),
        counted_in=page_unit,
        per_page=(per_page or per_page_default(page_unit)) if page_unit else None,
    )
    return LengthReading(requirement, [(m.start, m.end) for m in used], unused)
