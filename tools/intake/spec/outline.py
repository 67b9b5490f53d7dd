"""Outlines given as marked lists: （1） 1. 1、 1) 一、 第一部分 ① I. Part A, markdown ## lines and bullets.

A list is a run of markers of one style, numbered 1, 2, 3 … (unnumbered styles: ## and bullets just
follow each other), each item running to the next marker, with nothing but whitespace between one
item's end and the next marker. It is the report's outline when the sentence before it announces one
(titles.SECTION_CUE), or when its markers say so themselves (第一部分, Part A).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reportgraph.tools.intake.spec.length_mentions import find_length_mentions
from reportgraph.tools.intake.spec.numbers import parse_number
from reportgraph.tools.intake.spec.titles import (
    ITEM_END,
    SECTION_CUE,
    OutlineList,
    clean_title,
    plausible_titles,
    sentence_left,
)
from reportgraph.tools.text import CJK_CHAR

CN_ORDINAL = r"[一二三四五六七八九十]{1,3}"
EN_ORDINAL_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight")
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"
# "Section A:", "Part 2.", "Chapter IV." are one part_en marker, not a letter, number or roman one.
AFTER_PART_WORD = r"(?<!(?i:part) )(?<!(?i:section) )(?<!(?i:chapter) )"
# What is left of the next item's marker word when a list's markers are of another style: "Origins; Part".
MARKER_WORD_TAIL = re.compile(r"[\s;；,，]*\b(?:part|section|chapter)\s*$", re.IGNORECASE)
LOWER_ROMAN = "|".join(numeral.lower() for numeral in reversed(ROMAN))


@dataclass(frozen=True)
class MarkerStyle:
    pattern: re.Pattern[str]
    numbered: bool = True  # False: ## lines and bullets, which carry no number
    self_cued: bool = False  # the marker itself says "part of the report" (第一部分, Part A)
    line_start: bool = False  # the marker only counts at the start of a line
    # A run whose every marker opens a line is an outline by itself: "一、行业概况\n二、出口现状" (一、 marks
    # the top headings of Chinese documents, GB/T 9704's 一、（一）1.（1） order of levels).
    lines_cue: bool = False
    # Three or more of (a) (b) (c) / (i) (ii) / ①②③ / 一、二、三、 in a row name the parts of what is asked
    # for, unless the sentence before announces rules ("要求：①…", "Requirements: (a) …").
    inline_cue: bool = False
    # Two or more heading lines ("### Access\n### Outcomes") with nothing written under them are the
    # report's headings set out in advance; headings with text under them structure the prompt itself.
    bare_lines_cue: bool = False


STYLES: dict[str, MarkerStyle] = {
    "paren": MarkerStyle(
        re.compile(rf"[（(]\s*(?P<n>\d{{1,2}}|{CN_ORDINAL}|[a-h]|{LOWER_ROMAN})\s*[）)]"), inline_cue=True
    ),
    "letter": MarkerStyle(re.compile(rf"(?<![A-Za-z.]){AFTER_PART_WORD}(?P<n>[A-H])\s*[.．)）、:：](?=\s)")),
    # "报告内容一是…，二是…，三是…": 一是 may follow its subject directly; 统一是 / 唯一是 / 第一是 are words.
    "cn_shi": MarkerStyle(
        re.compile(rf"(?<![一二三四五六七八九十统唯同第单专万])(?P<n>{CN_ORDINAL})(?:是|为)"), inline_cue=True
    ),
    "circled": MarkerStyle(re.compile(rf"(?P<n>[{CIRCLED}])"), inline_cue=True),
    "dotted": MarkerStyle(
        re.compile(rf"(?<![\d.,A-Za-z(（-]){AFTER_PART_WORD}(?P<n>\d{{1,2}})\s*(?:[.．、]|[)）])(?![\d.])")
    ),
    "cn_ordinal": MarkerStyle(
        re.compile(rf"(?<!{CJK_CHAR.pattern})(?P<n>{CN_ORDINAL})\s*(?:[、．]|\.(?!\d))"),
        lines_cue=True,
        inline_cue=True,
    ),
    "part_cn": MarkerStyle(
        re.compile(rf"第\s*(?P<n>\d{{1,2}}|{CN_ORDINAL})\s*(?:部分|章|节)\s*[:：、.，,]?\s*"), self_cued=True
    ),
    "roman": MarkerStyle(
        re.compile(rf"(?<![A-Za-z.]){AFTER_PART_WORD}(?P<n>(?:X|IX|IV|V?I{{0,3}}))(?<=[IVX])\s*[.．)、:：](?=\s)")
    ),
    "part_en": MarkerStyle(
        re.compile(
            rf"\b(?i:part|chapter|section)\s+(?P<n>[A-H]|{'|'.join(reversed(ROMAN))}|\d{{1,2}}"
            rf"|(?i:{'|'.join(EN_ORDINAL_WORDS)}))\b\s*[:：.–—-]?\s*"
        ),
        self_cued=True,
    ),
    "markdown": MarkerStyle(
        # "## 1. 成因": the number after the hashes is part of the marker, not of the heading.
        re.compile(
            r"(?:^|(?<=[\s,，;；:：]))#{1,6}[ \t]+(?:(?:\d{1,2}|[一二三四五六七八九十]{1,3})[.、．)]\s*)?",
            re.MULTILINE,
        ),
        numbered=False,
        bare_lines_cue=True,
    ),
    # "上篇：…；中篇：…；下篇：…" (also 编, 卷): the parts of a long work name themselves.
    "part_cn_half": MarkerStyle(
        re.compile(r"(?:上|中|下)(?:篇|编|卷)\s*[:：]\s*"), numbered=False, self_cued=True
    ),
    # "【沙化现状】【治理技术】": headings in black lenticular brackets.
    "bracket": MarkerStyle(re.compile(r"【(?=[^【】\n]{1,30}】)"), numbered=False),
    "bullet": MarkerStyle(
        re.compile(r"^[ \t]*[-*•·][ \t]+", re.MULTILINE), numbered=False, line_start=True, bare_lines_cue=True
    ),
    # "**Costs**" alone on its line: a bold heading.
    "bold": MarkerStyle(
        re.compile(r"^[ \t]*(?=\*\*[^*\n]{1,80}\*\*[ \t]*$)", re.MULTILINE), numbered=False, line_start=True
    ),
    "roman_lower": MarkerStyle(
        re.compile(rf"(?<![A-Za-z.(（]){AFTER_PART_WORD}(?P<n>{LOWER_ROMAN})(?<=[ivx])\s*[.)．）](?=\s)")
    ),
}


def marker_number(style: str, token: str) -> int | None:
    """The position a marker's token stands for: 3 for 3 / 三 / ③ / III / C / c / three."""
    if style == "circled":
        return CIRCLED.index(token) + 1
    if style in ("roman", "roman_lower") or (
        style in ("part_en", "paren") and token.upper() in ROMAN and token not in "abcdefgh"
    ):
        # "Part I" and "(iii)" are roman numerals; "Part C" and "(c)" letters
        return ROMAN.index(token.upper()) + 1 if token.upper() in ROMAN else None
    if len(token) == 1 and token.isalpha() and token.isascii():
        return ord(token.lower()) - ord("a") + 1
    if token.lower() in EN_ORDINAL_WORDS:
        return EN_ORDINAL_WORDS.index(token.lower()) + 1
    return parse_number(token)


def item_end(text: str, start: int, stop: int) -> int:
    """Where the item starting at ``start`` ends: a sentence end or line end, else ``stop``."""
    end = ITEM_END.search(text, start, stop)
    return end.start() if end else stop


def contiguous(text: str, previous: re.Match[str], following: re.Match[str]) -> bool:
    """Nothing but whitespace between the end of ``previous``'s item and ``following`` (or, for line
    markers, only indented continuation lines without a blank line)."""
    end = item_end(text, previous.end(), following.start())
    gap = text[end : following.start()]
    if not gap.strip(" \t\n。.；;，,】"):
        return True
    at_line_start = text[: following.start()].rstrip(" \t").endswith("\n")
    return at_line_start and "\n\n" not in gap.replace(" ", "") and len(gap) < 300


def runs(text: str, name: str, style: MarkerStyle) -> list[list[re.Match[str]]]:
    """Runs of markers of one style: numbered 1, 2, 3 … (or, unnumbered, just one after another)."""
    markers = [m for m in style.pattern.finditer(text) if not style.numbered or marker_number(name, m["n"])]
    found: list[list[re.Match[str]]] = []
    for index, first in enumerate(markers):
        if style.numbered and marker_number(name, first["n"]) != 1:
            continue
        if not style.numbered and index and contiguous(text, markers[index - 1], first):
            continue  # not the start of a run
        run = [first]
        for following in markers[index + 1 :]:
            number = marker_number(name, following["n"]) if style.numbered else len(run) + 1
            if number == 1:
                break
            if number != len(run) + 1:
                continue
            if not contiguous(text, run[-1], following):
                break
            run.append(following)
        if len(run) >= 2:
            found.append(run)
    return found


# The rest of a heading that is a short chain of capitalised names: ", Ni and Co", ", Wales and Scotland"
# (", and keep it formal" is a clause after the list, not part of its last heading).
_NAME = r"[A-Z][\w-]*(?:\s+[A-Za-z][\w-]*){0,2}"
NAME_CHAIN = re.compile(rf"(?:\s*,\s*{_NAME})*\s*,?\s*and\s+{_NAME}")


def run_items(text: str, run: list[re.Match[str]]) -> tuple[list[tuple[str, str]], int]:
    """(marker, title) for each item of a run, and where the last item ends."""
    inline = "\n" not in text[run[0].start() : run[-1].start()]
    items, end = [], run[-1].end()
    for index, marker in enumerate(run):
        stop = run[index + 1].start() if index + 1 < len(run) else len(text)
        end = item_end(text, marker.end(), stop)
        body = text[marker.end() : end]
        if inline and index + 1 == len(run):
            # The last item of a list inside a sentence ends at its clause: "④ open questions, and be …".
            cut = re.search(r"[，,；;]|\s+and\s+(?:be|should|must|keep|is)\b", body)
            # ... but not inside a heading that names its own list: "(iii) Recovery of Li, Ni and Co."
            if cut and not NAME_CHAIN.fullmatch(body[cut.start() :].rstrip(" .。")):
                body = body[: cut.start()]
            end = marker.end() + len(body)
        if index + 1 == len(run) and ARRANGED_BY.search(sentence_left(text, run[0].start())):
            body = ARRANGING_VERB.sub("", body.rstrip(" 。.，,"))  # "按①成因②影响③对策展开"
        items.append((marker.group(0).strip(), clean_title(MARKER_WORD_TAIL.sub("", body), marked=True)))
    return items, end


# "内容按①…②…③…展开": the verb the list is arranged by closes its last item.
ARRANGED_BY = re.compile(r"按照?|依照|依次|围绕|从")
ARRANGING_VERB = re.compile(r"(?:来|进行)?(?:展开|撰写|组织|论述|阐述|来写|写作)$")
REQUIREMENTS_LEAD = re.compile(
    r"要求|注意|规则|规范|标准|须知|说明|\b(?:requirements?|rules|guidelines|constraints|criteria|notes?|instructions"
    r"|conditions|checklist)\b",
    re.IGNORECASE,
)
# "一、… 二、… 以上为报告结构": the outline announced after the list.
CUE_AFTER = re.compile(
    r"^[\s。.]*(?:以上|上述|the above)[^。.\n]{0,12}(?:结构|提纲|大纲|部分|章节|structure|outline|sections)",
    re.IGNORECASE,
)


def opens_lines(text: str, run: list[re.Match[str]]) -> bool:
    """Every marker of ``run`` is the first thing on its line."""
    lines = (text[: marker.start()].rstrip(" \t\u3000") for marker in run)
    return all(not before or before.endswith("\n") for before in lines)


def bare_lines(text: str, run: list[re.Match[str]], end: int) -> bool:
    """Each item of ``run`` (its text up to the next marker, the last one up to ``end``) is a single line
    naming no length and no field: a list of requirements ("- 不少于3000字", "- Tone: neutral") is no
    outline when nothing announces one."""
    stops = [marker.start() for marker in run[1:]] + [end]
    bodies = [text[marker.end():stop].strip() for marker, stop in zip(run, stops, strict=True)]
    return all("\n" not in body and not re.search(r"[:：]", body) and not find_length_mentions(body)
               for body in bodies)


def cued(text: str, style: MarkerStyle, run: list[re.Match[str]], end: int) -> bool:
    """An outline announced by the sentence before the list, the markers themselves, or the words after it."""
    start = run[0].start()
    if style.self_cued or CUE_AFTER.match(text[end:]) or (style.lines_cue and opens_lines(text, run)):
        return True
    # Bare heading lines need two; bare bullets three (two bullets are as often a pair of remarks).
    enough = len(run) >= (3 if style.line_start else 2)
    if style.bare_lines_cue and enough and opens_lines(text, run) and bare_lines(text, run, end):
        return True
    lead = sentence_left(text, start)
    if not lead.strip():  # the list opens a sentence: "报告从三个方面展开。①起源②发展③影响"
        lead = sentence_left(text, start - len(lead) - 1)
    if style.inline_cue and len(run) >= 3 and not REQUIREMENTS_LEAD.search(lead):
        return True
    return bool(SECTION_CUE.search(lead)) or (not style.numbered and lead.rstrip().endswith((":", "：")))


def lead_start(text: str, start: int) -> int:
    """Where the sentence that announces a list starting at ``start`` begins (the one before, if the list
    opens its own sentence)."""
    lead = sentence_left(text, start)
    if not lead.strip():
        lead = sentence_left(text, start - len(lead) - 1) + text[start - len(lead) - 1 : start]
    return start - len(lead)


def marked_lists(text: str) -> list[OutlineList]:
    """Every cued marked list of plausible section titles, in order of position."""
    found = []
    for name, style in STYLES.items():
        for run in runs(text, name, style):
            items, end = run_items(text, run)
            if not cued(text, style, run, end):
                continue
            if plausible_titles([title for _, title in items]):
                start = lead_start(text, run[0].start())
                found.append(OutlineList(items, start, end, numbered=style.numbered))
    return sorted(found, key=lambda outline: outline.start)


# "Outline:" on a line of its own, its headings on the lines below without markers.
PLAIN_LEAD = re.compile(
    r"^[^\n]{0,60}?(?:outline|structure|sections|headings|parts|chapters|结构|提纲|大纲|章节|标题|部分)"
    r"[^\n]{0,30}?[:：][ \t]*\n",
    re.IGNORECASE | re.MULTILINE,
)
SENTENCE_LINE = re.compile(r"[。.!?！？]\s*$")


def plain_lines(text: str) -> list[OutlineList]:
    """Headings set one per line under a line announcing them ("Outline:"), without markers; the list
    ends at a blank line, a line naming a length, or a sentence."""
    found = []
    for lead in PLAIN_LEAD.finditer(text):
        items: list[str] = []
        end = lead.end()
        for line in text[lead.end():].split("\n"):
            if not line.strip() or find_length_mentions(line) or SENTENCE_LINE.search(line.strip()):
                break
            if any(style.pattern.match(line.lstrip()) for style in STYLES.values()):
                items = []  # a marked list: its own style reads it
                break
            items.append(clean_title(line, marked=True))
            end += len(line) + 1
        if plausible_titles(items):
            found.append(OutlineList([(t, t) for t in items], lead.start(), end, numbered=False))
    return found

