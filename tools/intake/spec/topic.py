"""Topic: a short retrieval query for what the report is about, without the words of the instructions."""

from __future__ import annotations

import re
from typing import Literal

from reportgraph.tools.quiet import release_loggers

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

    release_loggers()  # it logs that dictionary loading to stderr on its own handler otherwise
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
