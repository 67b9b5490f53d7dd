"""Citations: whether the task asks for sources, and which materials it names as the report's basis."""

from __future__ import annotations

import re
from typing import Literal

from reportgraph.tools.intake.spec.mentions import clause_left
from reportgraph.tools.intake.spec.model import CitationRules

CITE_CUE = re.compile(
    r"标注来源|注明来源|标明来源|标注出处|注明出处|标明出处|引用来源|参考文献|注明引用|列出来源"
    r"|(?<!可)(?<!可以)引用[^。；，]{0,8}(?:资料|文献|来源|论文|出处)"
    r"|\bcite\b|\bciting\b|\bcitations?\b|\bbibliography\b|\breferences? (?:list|section)\b"
    r"|\b(?:list|include|provide|add|give|name|with)\s+(?:the\s+|your\s+|all\s+|its\s+)?(?:sources|references)\b"
    r"|\blist of (?:references|sources|citations)\b",
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
    """Citations are required when the task asks for sources; must_cite names the materials it is based on."""
    required = bool(CITE_CUE.search(text))
    must_cite: list[Literal["pdf", "video", "corpus"]] = []
    if PDF_BASIS.search(text):
        must_cite.append("pdf")
    if VIDEO_BASIS.search(text):
        must_cite.append("video")
    for mention in CORPUS_WORDS.finditer(text):
        # "必要时可引用资料库" / "where helpful, draw on the document collection" make the corpus optional.
        clause = clause_left(text, mention.start(), width=40)
        if REQUIRED_WORDS.search(clause) and not OPTIONAL_WORDS.search(clause):
            must_cite.append("corpus")
            break
    return CitationRules(required=required, per_section=required, must_cite=must_cite)
