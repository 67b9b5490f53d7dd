"""Outlines given without markers: "包括研究背景、模型方法和实验结论三个部分",
"covering background, method and results", "Sections: A, B, C".

A list is read after a lead-in that announces contents (包括/涵盖/分为, cover/include/discuss/organise
into, or a "sections/structure …:" label) up to the end of its clause. Chinese items are separated by
、 (and 和/以及 before the last), English ones by commas (and "and" before the last). Without a stated
count or a structure word in the lead-in a list needs three items, and a list of materials ("论文、视频和
资料库", "the paper and the talk") is never an outline. After a colon, items may be separated by ；
("结构：背景；方法；结论"); after "in three sections (" they end at the bracket. A quoted chain called a
structure is a list too: “背景—方法—结果”的结构, “问题、原因、对策”三段式.
"""

from __future__ import annotations

import itertools
import re

from reportgraph.tools.intake.spec.length_mentions import find_length_mentions
from reportgraph.tools.intake.spec.numbers import NUMBER, parse_number
from reportgraph.tools.intake.spec.titles import (
    ABBREVIATION,
    TRAILING_COUNT,
    OutlineList,
    clean_title,
    plausible_titles,
    sentence_left,
)
from reportgraph.tools.text import CJK_CHAR

LEAD_SUBJECT_CHARS = 6  # the words right before a lead that may be its subject ("各章节标题分别为")
STRUCTURE_WORD = re.compile(
    r"部分|章节|板块|结构|大纲|提纲|标题|小节|sections?|parts?|headings?|structure|outline|into|as\b",
    re.IGNORECASE,
)
ZH_LEAD = re.compile(
    r"(?:(?<!材料)(?<!资料)(?<!来源)(?<!依据)(?:依次)?(?:包含|包括|涵盖|分为|分成|围绕)"
    r"(?:以下(?:几个|\d+个)?(?:部分|章节|板块|方面|内容|几点|要点)[:：]?)?"
    # "写成A、B和C三个部分": a verb of making into, before a counted list.
    r"|(?:写成|做成|组织成|整理成|安排成|划分为|划分成)(?=[^。；，,]{2,80}?[\d一二三四五六七八九两]+个?(?:部分|章节|板块))"
    r"|(?:分别|依次)(?:是|为)[:：]?|(?<=报告)(?:要|应|需|须)有|涉及|论述|阐述|从(?=[^。；]{2,60}(?:方面|角度|维度))"
    # "按A、B和C的顺序展开", "由A、B、C和D四部分组成": the list sits between the lead and its closer.
    r"|按照?(?=[^。；，,]{2,80}的?(?:顺序|次序))"
    # "要讲清楚A、B和C": a verb of explaining before a list of three or more parts, joined by 、.
    r"|(?:讲清楚|说清楚|写清楚|讲明白|交代清楚|讲讲|谈谈|依次介绍|依次分析)(?=[^。；，,]{2,40}、)"
    r"|由(?=[^。；，,]{2,80}?(?:[\d一二三四五六七八九两]+个?)?(?:部分|章节|板块|方面|块)(?:组成|构成))"
    r")[:：]?"
)
ZH_COUNTED = re.compile(
    r"^(?P<items>[^。；：:\n]{2,80}?)(?:(?P<count>[\d一二三四五六七八九两]+)个?|几个?|这几个|等)(?:部分|章节|板块|方面|角度|维度)"
)
ZH_CLAUSE = re.compile(r"^(?P<items>[^。；;，,：:\n]{2,80})")
COUNT_BEFORE = re.compile(r"[\d一二两三四五六七八九十]+个?(?:部分|方面|章节|板块)")
ZH_SENTENCE = re.compile(r"^(?P<items>[^。：:\n]{2,120})")  # "结构：背景；方法；结论": items between ；
EN_LEAD = re.compile(
    r"\b(?:(?:cover(?:s|ing)?|discuss(?:es|ing)?|address(?:es|ing)?|includ(?:es|ing|e)|examin(?:es|ing|e)"
    r"|explor(?:es|ing|e)|(?:walk(?:s|ing)?|go(?:es|ing)?)\s+through|touch(?:es|ing)?\s+on|deal(?:s|ing)?\s+with"
    r"|organi[sz]ed?\s+(?:it\s+)?(?:around|into|as)|structured?\s+(?:it\s+)?(?:as|around|into)|split\s+(?:it\s+)?into"
    r"|look(?:s|ing)?\s+at|(?:use|using|with)\s+(?:the\s+)?(?:following\s+)?headings?"
    r"|sections\s+(?:are|should\s+be|will\s+be|must\s+be)"
    r"|divided?\s+(?:it\s+)?into|(?:sections|parts|headings|chapters)\s+(?:titled|entitled|named|called)"
    r"|sections?\s+on)\b"
    r"|(?:have|has|with)\s+(?:\w+\s+)?(?:sections|parts)\s*[:：]"
    r"|\b(?:with|for|using|under|into|has|have)\s+(?:the|these|its|your)\s+(?:following\s+)?(?:\w+\s+)?"
    r"(?:sections|headings|parts|chapters)\b(?!\s+(?:on|about|of|in|that|which|should|must|are|is)\b)"
    r"|\b(?:in|into|with|have|has)\s+(?:\w+\s+)?(?:parts|sections|chapters)\s*(?:[—–(]|--)"
    # "Four sections — Background, Method, Results — each …": a count of parts, then the list set off.
    r"|(?:^|(?<=[.!?]\s))(?:two|three|four|five|six|seven|\d)\s+(?:parts|sections|chapters)\s*(?:[—–:：]|--)"
    # "It should have five parts, namely a, b …", "a five-part report on X: a, b …".
    r"|\b(?:parts|sections|chapters)\s*,?\s*(?:namely|viz\.|i\.e\.|that\s+is)\s*,?"
    r"|\b\w+-(?:part|section|chapter)\s+(?:report|essay|paper|piece|brief(?:ing)?|article|review)\b[^.:：\n]{0,40}[:：]"
    r"|\bthe\s+following(?:\s+\w+)?\s*[:：]"
    r"|(?:sections|structure|outline|headings|parts|themes|topics|aspects)\b[^.:：\n]{0,40}[:：])\s*[:：]?\s*",
    re.IGNORECASE,
)
ZH_COLON_LEAD = re.compile(
    r"(?:部分|章节|结构|大纲|提纲|框架|格式|方面|板块|维度|角度|主题|议题|[\d一二三四五六七八九十两]+\s*(?:章|篇|节))"
    r"(?:按[^。；：:\n]{0,10}?来?)?"
    r"(?:撰写|来写|组织|展开)?(?:为|是|如下)?\s*[:：]\s*"
)
QUOTED_OUTLINE = re.compile(
    # "“背景—方法—结果”的结构", "“起因—经过—结果”三部分来写": a count of parts names a structure too.
    r"[“\"「『](?P<items>[^”\"」』\n]{3,80})[”\"」』]\s*(?:的|这样的|式的?)?\s*"
    r"(?:[\d一二三四五六七八九两]+(?:段|部分)式?的?(?:结构|框架|顺序|思路|逻辑)?"
    r"|(?:结构|框架|顺序|思路|逻辑|structure|outline|order))",
    re.IGNORECASE,
)
# "five parts", "a five-part report", "in 4 sections": how many items the list that follows has.
EN_COUNT = re.compile(
    rf"(?P<n>{NUMBER})[\s-]+(?:main\s+)?(?:parts?|sections?|chapters?|headings?)\b", re.IGNORECASE
)
EN_CLAUSE_END = re.compile(
    rf"[;:?!\n。；]|{ABBREVIATION}\.|,?\s+and\s+(?:be|should|must|keep|is|are|use|cite|run|aim)\b"
    r"|,\s*in (?:that|this) order",
    re.IGNORECASE,
)
EN_SENTENCE_END = re.compile(rf"[:?!\n。]|{ABBREVIATION}\.|,\s*in (?:that|this) order", re.IGNORECASE)
# An item that names a material of the task, not a part of the report: "一篇实证论文", "the talk".
MATERIAL = re.compile(
    r"^(?:一|两|几)(?:篇|个|段|组|份|些)|(?:论文|视频|录像|资料库?|文档集?|文件|讲座)$"
    r"|^(?:(?:the|a|an|its|their|your)\s+)?(?:attached\s+|provided\s+|recorded\s+)?"
    r"(?:paper|video|talk|lecture|recording|document|collection|source|citation|reference)s?$",
    re.IGNORECASE,
)


# A quoted name, and what may stand between quoted names of one list: "“A”, “B, C” and “D”".
QUOTED_NAME = re.compile(r"[“\"「『‘](?P<name>[^”\"」』’\n]{1,80})[”\"」』’]")
BETWEEN_QUOTED = re.compile(r"^(?:[\s,，、;；.。]|\band\b|\bor\b|和|以及|及|与)*$", re.IGNORECASE)


def quoted_items(items_text: str) -> list[str] | None:
    """The names of a list whose items are each quoted, split at the quotes only (a quoted "Costs, Risks and
    Benefits" is one heading); None when the list is not made of quoted names alone."""
    names = list(QUOTED_NAME.finditer(items_text))
    if len(names) < 2:
        return None
    gaps = [items_text[a.end():b.start()] for a, b in itertools.pairwise(names)]
    if not all(BETWEEN_QUOTED.match(gap) for gap in gaps):
        return None
    return [clean_title(name.group("name"), marked=True) for name in names]


def zh_items(items_text: str, count: int | None = None) -> list[str]:
    """Items split at 、/和/以及/及 (or at ；and ，when they separate); when the task states more items than
    that, at 与 and 跟 too. Quoted names are split at their quotes only (quoted_items)."""
    if quoted := quoted_items(items_text):
        return quoted
    items_text = re.sub(r"（[^（）]*）|\([^()]*\)", "", items_text)  # "产品概述（品牌来源国、品牌理念）"
    items_text = re.sub(r"^\s*但不限于[:：]?|等$", "", TRAILING_COUNT.sub("", items_text.strip()))
    separator = r"、|和|以及|及" if not re.search(r"[；;，,]", items_text) else r"[；;，,]"
    if "/" in items_text and not re.search(r"[、；;，,]", items_text):
        separator = r"/"  # "结构：背景/方法/结果/讨论"
    parts = [p for p in re.split(separator, items_text) if p.strip()]
    if count and len(parts) < count:
        finer = [p for part in parts for p in re.split(r"与|跟", part) if p.strip()]
        parts = finer if len(finer) == count else parts
    return [clean_title(p) for p in parts]


def en_items(items_text: str, count: int | None = None) -> list[str]:
    """Items split at commas (or ;), "and" splitting the last one too, unless the task's ``count`` of
    items is already met without it ("two parts: history, costs and benefits"). Quoted names are split at
    their quotes only (quoted_items)."""
    if quoted := quoted_items(items_text):
        return quoted
    items_text = re.sub(r"\([^()]*\)", "", items_text)  # "… and outlook (five sections, 300 words each)"
    # "include sections on history, policy and outlook": the list starts after "sections on".
    items_text = re.sub(r",?\s*(?:but|and)\s+(?:are\s+|is\s+)?not\s+limited\s+to\s*[:：]?", "", items_text)
    items_text = re.sub(
        r"^\s*(?:the\s+following\s+|these\s+)?(?:sections?|parts?|topics?)\s+(?:on|about)\s+",
        "",
        items_text,
        flags=re.IGNORECASE,
    )
    # "Cover three things—a, b and c": the count phrase announces the items and is none of them.
    items_text = re.sub(
        r"^\s*(?:the\s+)?(?:following\s+)?(?:\d+|two|three|four|five|six|seven|eight|several)\s+(?:main\s+|key\s+)?"
        r"(?:things|points|topics|areas|aspects|issues|questions|themes|elements|matters)\s*(?:[:：—–]|--|-\s)\s*",
        "",
        items_text,
        flags=re.IGNORECASE,
    )
    parts = [p for p in re.split(r"[,;，；、]", items_text) if p.strip() and not find_length_mentions(p)]
    # "and" joins only the last two items; inside an item it is part of the name ("risk and challenge").
    if parts and count != len(parts):
        parts[-1:] = re.split(r"\s+and\s+|^\s*and\s+", parts[-1], maxsplit=1)
    parts = [p for p in parts if p.strip()]  # ", about 1500 words" and an empty head of ", and outlook"
    if len(parts) == 1 and re.fullmatch(r"(?:[A-Z][a-z]+\s+){2,}[A-Z][a-z]+", parts[0].strip()):
        parts = parts[0].split()  # "Objective Methods Findings Conclusion": one capitalised word each
    # "an introduction, the engineering challenges and a conclusion": the article is no part of the name.
    return [
        clean_title(
            re.sub(r"^\s*(?:and\s+)?(?:both\s+)?(?:the|an?|its|their)\s+", "", p, flags=re.IGNORECASE)
        )
        for p in parts
    ]


def acceptable(titles: list[str], counted: bool) -> bool:
    """Enough items (two when the lead-in names a structure or a count, else three), not mostly materials."""
    if len(titles) < (2 if counted else 3) or not plausible_titles(titles):
        return False
    # A list of materials is mostly materials; one item named like one ("sources") is still a heading.
    materials = sum(bool(MATERIAL.search(title)) for title in titles)
    return materials * 2 < len(titles) and all(len(t.split()) <= 8 for t in titles)


def zh_list(text: str, lead: re.Match[str]) -> OutlineList | None:
    rest = text[lead.end() :]
    counted = ZH_COUNTED.match(rest)
    if counted and not re.search(r"[、和]", counted["items"]):
        counted = None
    # "分为两部分，分别是A和B": a count of parts before the lead announces the list as well.
    announced = COUNT_BEFORE.search(sentence_left(text, lead.start()))
    # "标题分别为：A；B；C": the lead's subject names the structure.
    subject = sentence_left(text, lead.start())[-LEAD_SUBJECT_CHARS:]
    structured = (bool(counted) or bool(STRUCTURE_WORD.search(lead.group(0) + subject)) or bool(announced)
                  or lead.group(0).rstrip().endswith((":", "：")))  # "报告应包括：A；B；C"
    candidates = (
        [counted] if counted else [ZH_CLAUSE.match(rest), ZH_SENTENCE.match(rest) if structured else None]
    )
    for match in candidates:
        if match is None or not (CJK_CHAR.search(match["items"]) or "、" in match["items"]):
            continue
        stated = parse_number(counted["count"]) if counted and counted["count"] else None
        titles = zh_items(match["items"], stated)
        if acceptable(titles, structured):
            return OutlineList(
                [(t, t) for t in titles], lead.start(), lead.end() + match.end(), numbered=False
            )
    return None


def en_list(text: str, lead: re.Match[str]) -> OutlineList | None:
    """The list after ``lead`` up to the end of its clause, or, items separated by ";", of its sentence."""
    return en_list_until(text, lead, EN_CLAUSE_END) or en_list_until(text, lead, EN_SENTENCE_END)


def en_list_until(text: str, lead: re.Match[str], clause_end: re.Pattern[str]) -> OutlineList | None:
    rest = text[lead.end() :]
    # "in three sections (background, method, results)": the list ends with its bracket.
    opener = lead.group(0).rstrip()[-1:]
    # "in three sections (a, b, c)", "five sections — a, b and c — of …": the list ends where it was opened.
    closer_mark = {"(": r"\)", "—": r"\s[—–]|—", "–": r"\s[—–]"}.get(opener)
    end = re.search(closer_mark, rest) if closer_mark else clause_end.search(rest)
    end = end or clause_end.search(rest)
    items_text = rest[: end.start()] if end else rest
    closer = re.match(r",?\s*in (?:that|this) order", rest[end.start() :], re.IGNORECASE) if end else None
    stated = EN_COUNT.search(f"{sentence_left(text, lead.start())}{lead.group(0)}{items_text}")
    titles = en_items(items_text, parse_number(stated["n"]) if stated else None)
    structured = bool(STRUCTURE_WORD.search(lead.group(0))) or closer is not None
    if not acceptable(titles, structured):
        return None
    stop = lead.end() + len(items_text) + (closer.end() if closer else 0)
    return OutlineList([(t, t) for t in titles], lead.start(), stop, numbered=False)


def quoted_lists(text: str) -> list[OutlineList]:
    """“背景—方法—结果—讨论”的结构, “问题、原因、对策”三段式: a quoted chain of names called a structure."""
    found = []
    for match in QUOTED_OUTLINE.finditer(text):
        parts = re.split(r"\s*(?:—+|–|-{1,2}|→|>|、|/|，|,)\s*", match["items"])
        titles = [clean_title(p) for p in parts if p.strip()]
        if acceptable(titles, counted=True):
            found.append(OutlineList([(t, t) for t in titles], match.start(), match.end(), numbered=False))
    return found


def inline_lists(text: str) -> list[OutlineList]:
    """Every unmarked outline list of the task, in order of position."""
    found = quoted_lists(text)
    for pattern, reader in ((ZH_LEAD, zh_list), (ZH_COLON_LEAD, zh_list), (EN_LEAD, en_list)):
        for lead in pattern.finditer(text):
            outline = reader(text, lead)
            if outline is not None:
                found.append(outline)
    return sorted(found, key=lambda outline: outline.start)
