"""Does a cited source support the sentence that cites it?

Lexical containment first (cheap, exact for quotes and close paraphrase); when an embedder is given,
cosine similarity decides the sentences that lexical overlap cannot (e.g. a Chinese sentence citing an
English page).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

EmbedFunction = Callable[[Sequence[str]], np.ndarray]

LEXICAL_SUPPORT = 0.5
DENSE_SUPPORT = 0.82
_WORD = re.compile(r"[a-z0-9]+(?:['’\-][a-z0-9]+)*")
_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "for",
        "and",
        "or",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "by",
        "with",
        "as",
        "at",
        "that",
        "this",
        "these",
        "those",
        "it",
        "its",
        "from",
        "which",
        "who",
        "we",
        "our",
        "they",
        "their",
        "he",
        "she",
        "his",
        "her",
        "not",
        "but",
        "can",
        "also",
        "has",
        "have",
        "had",
        "than",
        "then",
        "so",
        "such",
        "into",
        "about",
        "more",
        "most",
        "other",
        "one",
        "two",
    ]
)
_ZH_STOP_BIGRAMS = frozenset({"我们", "一个", "这个", "以及", "可以", "进行", "通过", "其中", "这些", "没有"})


def content_tokens(text: str) -> set[str]:
    """English content words and Chinese character bigrams (single characters for 1-char runs)."""
    lowered = text.lower()
    tokens = {word for word in _WORD.findall(lowered) if word not in _STOPWORDS and len(word) > 1}
    for run in _CJK_RUN.findall(lowered):
        if len(run) == 1:
            tokens.add(run)
        tokens.update(run[i : i + 2] for i in range(len(run) - 1))
    return tokens - _ZH_STOP_BIGRAMS


def lexical_support(claim: str, source: str) -> float:
    """Share of the claim's content tokens that occur in the source (1.0 for a verbatim quote)."""
    claim_tokens = content_tokens(claim)
    if not claim_tokens:
        return 1.0
    return len(claim_tokens & content_tokens(source)) / len(claim_tokens)


@dataclass(frozen=True)
class SupportVerdict:
    supported: bool
    lexical: float
    dense: float | None
    method: str


class SupportChecker:
    """Scores claim/source pairs; dense similarity is consulted only where lexical overlap falls short."""

    def __init__(
        self,
        embed: EmbedFunction | None = None,
        *,
        lexical_threshold: float = LEXICAL_SUPPORT,
        dense_threshold: float = DENSE_SUPPORT,
    ) -> None:
        self._embed = embed
        self.lexical_threshold = lexical_threshold
        self.dense_threshold = dense_threshold

    @property
    def uses_embeddings(self) -> bool:
        return self._embed is not None

    def check(self, claim: str, source: str) -> SupportVerdict:
        lexical = lexical_support(claim, source)
        if lexical >= self.lexical_threshold:
            return SupportVerdict(True, lexical, None, "lexical")
        if self._embed is None:
            return SupportVerdict(False, lexical, None, "lexical")
        vectors = self._embed([claim, _window(source, claim)])
        dense = float(
            np.dot(vectors[0], vectors[1]) / (np.linalg.norm(vectors[0]) * np.linalg.norm(vectors[1]))
        )
        return SupportVerdict(dense >= self.dense_threshold, lexical, round(dense, 4), "dense")


def _window(source: str, claim: str, width: int = 600) -> str:
    """The part of a long source most related to the claim, so the embedding is not diluted."""
    if len(source) <= width:
        return source
    claim_tokens = content_tokens(claim)
    step = width // 2
    best_start, best_hits = 0, -1
    for start in range(0, len(source) - step, step):
        hits = len(claim_tokens & content_tokens(source[start : start + width]))
        if hits > best_hits:
            best_start, best_hits = start, hits
    return source[best_start : best_start + width]
