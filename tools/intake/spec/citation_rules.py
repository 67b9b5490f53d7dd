"""Citations: whether the task asks for sources, and which materials it names as the report's basis."""

from __future__ import annotations

import re
from typing import Literal

from reportgraph.tools.intake.spec.length_mentions import clause_left
from reportgraph.tools.intake.spec.model import CitationRules

CITE_CUE = re.compile(
    r"标注来源|注明来源|标明来源|标注出处|注明出处|标明出处|引用来源|参考文献|注明引用|列出来源"
    r"|(?<!可)(?<!可以)引用[^。；，]{0,8}(?:资料|文献|来源|论文|出处)"
    r"|\bcite\b|\bciting\b|\bcitations?\b|\bbibliography\b|\breferences? (?:list|section)\b"
    r"|\b(?:list|include|provide|add|give|name|with)\s+(?:the\s+|your\s+|all\s+|its\s+)?(?:sources|references)\b"
    r"|\blist of (?:references|sources|citations)\b"
    # Every statement has a source: "所有内容须有出处", "言之有据", "every claim must be referenced".
    r"|(?:须|需|需要|必须|应|应当|要|务必|均|都)(?:有|注明|标注|标明|给出|列出|附上?|交代)?(?:出处|来源|引文|参考文献|依据)"
    r"|有据可查|言之有据|有出处|注明引用|\breferenced\b|\bsourced\b|\battributed?\b[^.;]{0,30}\bsources?\b"
    r"|\bback(?:ed)?\s+(?:up\s+)?[^.;]{0,30}\bwith\s+(?:a\s+)?sources?\b|\b(?:give|name)\s+(?:a|the)\s+source\b",
    re.IGNORECASE,
)
# "不需要引用", "无需标注来源", "no citations needed": the task says sources are not asked for.
NO_CITE = re.compile(
    r"(?:不需要|不需|无需|无须|不必|不用|不要求)(?:标注|注明|列出|给出|写)?(?:引用|来源|出处|参考文献)"
    r"(?![^。；，,]{0,8}(?:库|集|论文|视频|材料))"  # 不需要引用资料库: that material only
    r"|\bno\s+(?:need\s+(?:for|to)\s+)?(?:cite|citations?|references?)\b"
    r"|\b(?:citations?|references?|sources?)\s+(?:are\s+|is\s+)?not\s+(?:needed|required|necessary)\b"
    r"|\b(?:don't|do\s+not|needn't|need\s+not)\s+(?:need\s+to\s+)?cite\b",
    re.IGNORECASE,
)
# "不需要引用资料库", "no need to use the collection": a material named only to be left out.
NOT_NEEDED = re.compile(
    r"不(?:需要|需|必|用|要求)|无需|无须|毋须|没必要|\bno\s+need\b|\bneed\s+not\b|\bneedn't\b"
    r"|\bnot\s+(?:required|necessary|needed)\b|\b(?:don't|do\s+not)\s+have\s+to\b",
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
    """Citations are required when the task asks for sources or says every statement needs one (and does
    not say none are needed); must_cite names only the materials the task bases the report on: the paper
    and the talk when named after a basis verb, the collection only when it is required, not optional
    (必要时可引用) nor ruled out (不需要引用资料库)."""
    required = bool(CITE_CUE.search(text)) and not NO_CITE.search(text)
    must_cite: list[Literal["pdf", "video", "corpus"]] = []
    if PDF_BASIS.search(text):
        must_cite.append("pdf")
    if VIDEO_BASIS.search(text):
        must_cite.append("video")
    for mention in CORPUS_WORDS.finditer(text):
        # "必要时可引用资料库" / "where helpful, draw on the document collection" make the corpus optional.
        clause = clause_left(text, mention.start(), width=40)
        optional = OPTIONAL_WORDS.search(clause) or NOT_NEEDED.search(clause)
        if REQUIRED_WORDS.search(clause) and not optional:
            must_cite.append("corpus")
            break
    return CitationRules(required=required, per_section=required, must_cite=must_cite)
