"""What section lists share: the words that announce an outline, and the bare title of one list item."""

from __future__ import annotations

import re
from dataclasses import dataclass

from reportgraph.tools.intake.spec.model import SectionFocus
from reportgraph.tools.text import CJK_CHAR

# Words before a list that make it the report's outline ("报告依次包含：", "提纲如下", "Organise it into").
SECTION_CUE = re.compile(
    r"部分|章节|结构|大纲|提纲|板块|框架|目录|标题|依次|顺序|按照|包含|包括|涵盖|分为|分成|组织|方面|安排"
    r"|\bsections?\b|\bparts?\b|\bstructure|\boutline\b|\bheadings?\b|\bchapters?\b|\borgani[sz]e"
    r"|内容(?:为|是|包括|包含|如下|分为)|格式|模板|角度|思路|要点|维度|几点|展开|围绕|论述|阐述|如下"
    r"|\bcover(?:s|ing)?\b|\binclud(?:e|es|ing)\b|\bin (?:this|that) order\b|\bsplit\b|\bdivide"
    r"|\blay\s+(?:it\s+)?out\b|\bformat\b|\btemplate\b|\bpoints\b|\baspects\b|\btopics\b|\bcontain"
    r"|\bdiscuss|\baddress|\bcompris|\bconsist|\bas follows\b|\bbelow\b|\bthe following\b"
    r"|\bfollowing (?:content|topics|sections|parts|structure|elements)\b|按照?\s*$"
    # "The report should have (a) … (b) …": the report's having items announces its parts.
    r"|\b(?:should|must|will|shall|to|needs?\s+to|ought\s+to)\s+(?:have|feature|comprise)\b",
    re.IGNORECASE,
)
# Items that are instructions or qualities, not headings: "1. 文章开头应该引人入胜", "2. 结构清晰",
# "3. Cite every source".
INSTRUCTION_ITEM = re.compile(
    r"应该|应当|需要|必须|要求|^请|不要|务必|字数|标注|注明|通俗|清晰|流畅|简洁|易懂"
    r"|\bshould\b|\bmust\b|^please\b|\bcite\b|\bcited\b|\bdo not\b|\bplain language\b",
    re.IGNORECASE,
)
# "的顺序来写", ", in that order": words that close a list after its last item.
LIST_CLOSER = re.compile(
    r"的顺序.*$|[,，]?\s*\bin (?:that|this) order\b.*$"
    r"|\s+as\s+(?:the|its|your)\s+(?:\w+\s+)?(?:parts|sections|headings|chapters)\b.*$",
    re.IGNORECASE,
)
# Verbs of instruction that lead an item without being part of its name: "写改造政策的演变", "分析居民协商
# 难点", "describe the history of X". Pure instruction verbs go whenever a name follows; verbs that also
# start noun phrases (分析框架, 总结与展望) only before a name of four characters or more.
ZH_INSTRUCTION_VERB = re.compile(
    r"^(?:(?:请|先|再|然后|最后|并)?(?:写|写出|讲讲|谈谈|讲清楚|说清楚|聊聊|列出|介绍一下)(?=\S{2})"
    r"|(?:请|先|再|然后|最后|并)?(?:介绍|分析|阐述|论述|讨论|说明|提出|梳理|描述|探讨|回顾|解释|概述|总结)"
    r"(?=[^与和及、]\S{3}))"
)
EN_INSTRUCTION_VERB = re.compile(
    r"^(?:describe|explain|discuss|analy[sz]e|summari[sz]e|examine|assess|evaluate|outline|review"
    r"|write\s+about|talk\s+about|look\s+at)\s+(?=\S+\s+\S+)",
    re.IGNORECASE,
)
# A count phrase names how many items follow, never an item: "three things", "三个方面", "the two parts".
COUNT_PHRASE = re.compile(
    r"^(?:the\s+|these\s+|following\s+)*(?:\d+|two|three|four|five|six|seven|eight|nine|ten|several|a\s+few)"
    r"\s+(?:main\s+|key\s+|core\s+|major\s+|big\s+)?(?:things|points|topics|areas|aspects|issues|questions"
    r"|themes|elements|matters|parts|sections|chapters|headings|angles|dimensions|items)$"
    r"|^[\d一二两三四五六七八九十几]+\s*个?(?:方面|部分|要点|问题|角度|维度|板块|章节|内容)$",
    re.IGNORECASE,
)
# "…、结论与建议四个部分(组成)": the count after the last item names how many there are, and is none of them.
TRAILING_COUNT = re.compile(
    r"(?:等|这)?\s*[\d一二三四五六七八九十两几]+\s*(?:个|大)?(?:部分|章节|板块|方面|角度|维度|块|章|节|段)(?:内容)?"
    r"(?:组成|构成)?\s*$"
)
VIDEO_WORDS = re.compile(r"视频|video|talk|讲解|演讲|lecture|recording", re.IGNORECASE)
PAPER_WORDS = re.compile(r"论文|paper|文章基本信息", re.IGNORECASE)
LETTER_OR_HANZI = re.compile(rf"[A-Za-z]|{CJK_CHAR.pattern}")
# A sentence end; the full stop of an abbreviation ("Pumped Hydro vs. Compressed Air", "e.g.") is none.
ABBREVIATIONS = (r"vs", r"v", r"e\.g", r"i\.e", r"etc", r"cf", "No", "St", "Dr", "Mr", "Ms")
ABBREVIATION = "".join(rf"(?<!\b{word})" for word in ABBREVIATIONS)
ITEM_END = re.compile(rf"[。\n】]|[?!](?:\s|$)|{ABBREVIATION}\.(?:\s|$)")  # 】 closes a 【heading】
MAX_TITLE = {"zh": 30, "en": 80}


@dataclass(frozen=True)
class OutlineList:
    """A list read as the report's outline: (marker, title) pairs and the span of the task it covers."""

    items: list[tuple[str, str]]
    start: int
    end: int
    numbered: bool = True


def section_focus(title: str) -> SectionFocus:
    """Which material a section is mainly about, from words of its title."""
    if VIDEO_WORDS.search(title):
        return "video"
    if PAPER_WORDS.search(title):
        return "paper"
    return "general"


# A heading that names its own short list: "Costs, Risks and Benefits (of Strict Liability)". In a marked
# item the comma belongs to the heading when the rest is such a chain ending in "and/or X"; a description
# after a comma ("Background, explaining why …", "Methods, which …") is no chain.
_NOT_A_NAME = r"(?!(?:which|who|that|where|explaining|describing|including|covering|focusing|with|e\.g)\b)"
_CHAIN_ITEM = rf"{_NOT_A_NAME}[\w'’-]+(?:\s+[\w'’-]+){{0,3}}"
HEADING_CHAIN = re.compile(
    rf"^\s*{_CHAIN_ITEM}(?:\s*,\s*{_CHAIN_ITEM})*,?\s+(?:and|or|&)\s+\S", re.IGNORECASE
)


def clean_title(item: str, marked: bool = False) -> str:
    """The bare section name: drop a description after a colon or dash, a parenthetical, list glue.

    ``marked``: the item has its own marker (1. / (a) / Part I), so a comma that opens a chain of names
    ("Costs, Risks and Benefits of Strict Liability") is part of the heading."""
    title = re.sub(r"\*\*|__|`", "", item).strip()  # markdown emphasis: "1. **Introduction**"
    inner = re.match(r"[（(]([^（）()]+)[）)]", title)  # "Part A (Findings of the Paper)": the name is inside
    title = inner.group(1) if inner else LIST_CLOSER.sub("", title)
    title = re.split(r"[：:]|\s[-–—]+\s|\s*—+\s*|[（(]", title, maxsplit=1)[0]
    title = re.sub(r"^\s*(?:[-*•]\s+)?(?:and\s+)?", "", title, flags=re.IGNORECASE)
    # "(d) 结论与建议 四个部分": the count set off after a marked list's last item is none of its words.
    title = re.sub(rf"(?<=\S)\s+{TRAILING_COUNT.pattern}", "", title.strip())
    title = re.sub(r"(?:[\s,，]+and|和|以及|及)\s*$", "", title.strip(" \t；;，,。.、"))
    head, comma, rest = [*re.split(r"([，,])", title, maxsplit=1), "", ""][:3]
    if len(title) > 30 and comma and not (marked and comma == "," and HEADING_CHAIN.match(rest)):
        title = head
    title = EN_INSTRUCTION_VERB.sub("", ZH_INSTRUCTION_VERB.sub("", title.strip()))
    return title.strip(" \t；;，,。.、\"“”'")


def plausible_titles(titles: list[str]) -> bool:
    """At least two non-empty names of heading length, none of them an instruction."""
    if len(titles) < 2:
        return False
    for title in titles:
        limit = MAX_TITLE["zh" if CJK_CHAR.search(title) else "en"]
        if (
            not title
            or len(title) > limit
            or not LETTER_OR_HANZI.search(title)
            or INSTRUCTION_ITEM.search(title)
            or COUNT_PHRASE.search(title)
        ):
            return False
    return True


def sentence_left(text: str, start: int, width: int = 80) -> str:
    """The sentence before ``start``; it spans newlines ("结构如下：\\n1. 引言")."""
    window = text[max(0, start - width) : start]
    ends = list(re.finditer(r"[。！？!?]|\.\s", window))
    return window[ends[-1].end() :] if ends else window
