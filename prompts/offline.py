"""Report text of the offline writer, in Chinese and English: labels, framing and connecting templates.

Every template is filled only with facts taken from the sources (names, numbers, the paper's own words) or
with the task's own words (section titles, technique names); none states a claim of its own. Quotes keep
their source language and are marked as quotes.
"""

from __future__ import annotations

# Basic information: one key–value line per fact of the paper's first page.
BASIC_LABELS = {
    "zh": {"title": "论文题目", "authors": "作者", "affiliations": "作者单位", "venue": "发表出处",
           "year": "发表年份"},
    "en": {"title": "Title", "authors": "Authors", "affiliations": "Affiliations", "venue": "Venue",
           "year": "Year"},
}
LIST_JOINER = {"zh": "、", "en": ", "}
QUOTES = {"zh": ("“", "”"), "en": ("“", "”")}

# Summary: a lead-in per facet, then quotes from the paper's abstract, contributions and conclusion.
SUMMARY_LEADS = {
    "zh": {
        "goal": "研究背景与目标方面，论文写道：",
        "method": "研究方法方面，论文写道：",
        "conclusions": "主要结论方面，论文写道：",
        "other": "论文还写道：",
    },
    "en": {
        "goal": "On its background and goal, the paper writes:",
        "method": "On its method, the paper writes:",
        "conclusions": "On its conclusions, the paper writes:",
        "other": "The paper also writes:",
    },
}

# Techniques: a sub-heading per technique the task names, its definitions, then further context.
TECHNIQUE_HEADING = {"zh": "### {index}. {name}", "en": "### {index}. {name}"}
DEFINITION_LEAD = {
    "paper": {"zh": "关于{name}，论文写道：", "en": "On {name}, the paper writes:"},
    "corpus": {"zh": "关于{name}，资料库文献写道：", "en": "On {name}, a document of the collection writes:"},
    "video": {"zh": "关于{name}，讲解视频中说：", "en": "On {name}, the talk says:"},
}
MORE_LEAD = {"zh": "与{name}相关的表述还有：", "en": "Also on {name}:"}

# Talk: a timeline, one line per slide or narration stretch.
TALK_INTRO = {
    "zh": "以下按时间顺序列出讲解视频各段的幻灯片文字与讲解内容。",
    "en": "The talk, in order: the slide text and the narration of each part.",
}
TALK_SLIDE = {"zh": "幻灯片：", "en": "Slide: "}
TALK_SPEECH = {"zh": "讲解：", "en": "Narration: "}

# Generic framing of a section no table kind describes.
GENERAL_LEAD = {
    "zh": "关于“{title}”，相关材料写道：",
    # No heading word in English: a capitalised word of the lead-in is a name the cited source must hold.
    "en": "The materials write:",
}

# Honest gaps: what the offline writer could not do, and what a configured model would be needed for. Each
# names its facet, so no two are the same sentence; gaps every section shares (quotes in another language,
# a short section) are the validator's to state once.
GAP_NO_EVIDENCE = {
    "zh": "> 离线说明：材料中没有找到可引用的关于“{name}”的表述；解释这一项需要配置大模型并补充相关材料。",
    "en": "> Offline note: the materials hold no citable statement on “{name}”; explaining it needs a "
    "configured language model and further material.",
}
GAP_METADATA = {
    "zh": "> 离线说明：论文首页中没有读出{fields}；补全这些信息需要配置大模型或人工核对。",
    "en": "> Offline note: {fields} could not be read from the paper's first page; completing them needs a "
    "configured language model or a human check.",
}

# The run record's line for each gap (run.json notes, English like the rest of the record).
GAP_RECORD = {
    "language": "quotes keep their source language: translating them into the task's language needs a "
    "configured language model",
    "length": "the citable on-topic evidence did not fill the section's budget: connected prose around it "
    "needs a configured language model",
    "facet": "no citable statement on '{gap}' was found: explaining it needs a configured language model and "
    "further material",
}


def gap_record(gap: str) -> str:
    """The run-record line for one gap an offline section reports."""
    return GAP_RECORD.get(gap, GAP_RECORD["facet"]).format(gap=gap)
