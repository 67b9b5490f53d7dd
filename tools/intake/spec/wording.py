"""Wording requirements: tone, register and audience (soft), and the report title the task asks for."""

from __future__ import annotations

import re

from reportgraph.tools.intake.spec.length_mentions import find_length_mentions
from reportgraph.tools.text import count_cjk

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
