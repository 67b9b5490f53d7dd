"""The language the report is to be written in: the one the task asks for, else the task's own.

An explicit request wins (用英文写, 英文报告, "in Chinese"); then a length unit that names a language (1500个
英文单词 → en, "3,000 Chinese characters" → zh); then the dominant script of the task.
"""

from __future__ import annotations

import re
from typing import Literal

from reportgraph.tools.text import detect_language

WANTS_ENGLISH = re.compile(
    # 英文写作 is a subject ("关于英文写作教学"), not a request.
    r"(?:用|使用|以)英[文语]|英[文语](?:写(?!作)|撰写|回答|回复|输出|作文|短文|文章|报告|版本|稿|综述|简报)"
    r"|(?:语言|语种)\s*(?:[:：]|为|是|使用|采用)\s*英[文语]|\blanguage\s*[:：]\s*English\b|(?:需|须|应|要)(?:为|是|写成)英[文语]"
    r"|\bin English\b(?!\s+(?:literature|class|grammar))|\b(?:write|answer|respond|reply)\s+in\s+English\b"
    r"|\bEnglish[- ](?:language\s+)?(?:report|version|text)\b",
    re.IGNORECASE,
)
# "in Chinese" is a request unless a noun follows ("in Chinese culture"); these words may follow a request.
# ("a report in Chinese on X", "in Simplified Chinese a report of …": a preposition or article opens what
# comes next, not a noun of "Chinese").
AFTER_REQUEST = (
    r"(?:and|for|please|so|as|to|with|because|since|rather|instead|throughout|only|too|though|on|about"
    r"|regarding|concerning|covering|of|that|which|using|based|a|an)\b"
)
WANTS_CHINESE = re.compile(
    r"(?:用|使用|以)(?:中文|汉语)|中文(?:写|撰写|回答|回复|输出|报告|版本)|(?:语言|语种)\s*(?:[:：]|为|是|使用|采用)\s*(?:中文|汉语)"
    # "the final report in 中文": the language named in Chinese inside an English request.
    r"|\b(?:in|into)\s*(?:简体|繁体)?(?:中文|汉语|普通话)"
    r"|\blanguage\s*[:：]\s*(?:Chinese|Mandarin)\b|\bin\s+Mandarin\b"
    r"|\bin\s+(?:(?:standard|decent|simplified|traditional|fluent|formal|plain|good|and)\s+){0,4}Chinese\b"
    rf"(?!\s+(?!{AFTER_REQUEST})[a-z])"
    # "investment in Chinese and Indian railways": a second adjective before the noun.
    rf"(?!\s+(?:and|or)\s+[A-Z][a-z]+[\s-]+(?!{AFTER_REQUEST})[a-z])"
    r"|\bChinese[- ](?:language\s+)?(?:report|version|text)\b",
    re.IGNORECASE,
)
# A figure counted in the other language's unit: 单词 are English words (一千二到一千五百个单词), 汉字 and
# 中文字 Chinese characters ("3000 中文字" in an English prompt).
ENGLISH_UNIT = re.compile(
    r"英文单词|[\d零〇一二两三四五六七八九十百千万]\s*(?:个)?单词|English words", re.IGNORECASE
)
CHINESE_UNIT = re.compile(r"Chinese characters|汉字|中文字", re.IGNORECASE)


# What a language is said of: the report (an output word in its clause) or the materials.
OUTPUT_WORD = re.compile(
    r"\b(?:report|write|written|answer|summary|brief)\w*|报告|撰写|写|输出|回答", re.IGNORECASE
)
SOURCE_WORD = re.compile(
    r"\b(?:sources?|materials?|documents?|papers?|videos?|talks?|collection)\b|资料|论文|文献|视频",
    re.IGNORECASE,
)
CLAUSE = re.compile(r"[.。;；!?！？—–]|,\s*but\b|，\s*但|但是", re.IGNORECASE)


def _about_report(text: str, match: re.Match[str]) -> int:
    """1 when the clause of a language request speaks of the report, -1 of the materials, else 0."""
    starts = [m.end() for m in CLAUSE.finditer(text, 0, match.start())]
    end = CLAUSE.search(text, match.end())
    clause = text[starts[-1] if starts else 0 : end.start() if end else len(text)]
    return int(bool(OUTPUT_WORD.search(clause))) - int(bool(SOURCE_WORD.search(clause)))


def requested_language(text: str) -> Literal["zh", "en"] | None:
    """The language the task explicitly asks the report to be in, or None."""
    english, chinese = WANTS_ENGLISH.search(text), WANTS_CHINESE.search(text)
    if english and chinese:
        # "The sources are in Chinese, but the report must be in English": the request about the report
        # wins; else the first one ("用中文写一篇关于英文写作的文章").
        by_english, by_chinese = _about_report(text, english), _about_report(text, chinese)
        if by_english != by_chinese:
            return "en" if by_english > by_chinese else "zh"
        return "en" if english.start() <= chinese.start() else "zh"
    if english or chinese:
        return "en" if english else "zh"
    own = detect_language(text)
    if own == "zh" and ENGLISH_UNIT.search(text):
        return "en"
    if own == "en" and CHINESE_UNIT.search(text):
        return "zh"
    return None


def parse_language(text: str, quoted: list[tuple[int, int]] | None = None) -> Literal["zh", "en"]:
    """The report's language: the requested one, else the dominant script of the task (en when unknown).

    ``quoted``: spans left out of the script count, e.g. the outline, whose headings a Chinese task may
    give in English ("报告包含：1. Introduction 2. Methods …") without asking for an English report.
    """
    requested = requested_language(text)
    if requested:
        return requested
    own = list(text)
    for start, end in quoted or []:
        own[start:end] = " " * (end - start)
    own_text = "".join(own)
    own_language = detect_language(own_text)
    return "zh" if (own_language if own_language != "unknown" else detect_language(text)) == "zh" else "en"
