"""BM25 over mixed Chinese/English text (bm25s), with a tokeniser that understands both.

Chinese runs become overlapping character bigrams (default) or jieba's search-mode words (words plus
the dictionary words inside long ones); English is lower-cased words without stopwords, plurals folded.
The index keeps its own token vocabulary, so token lists are never held in memory as strings.
"""

from __future__ import annotations

import json
import re
from array import array
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import bm25s
import jieba
import numpy as np
from bm25s.stopwords import STOPWORDS_EN_PLUS
from reportgraph.tools.quiet import release_loggers

release_loggers()  # its dictionary loading logs to stderr at DEBUG on its own handler otherwise

ChineseTokens = Literal["jieba", "bigram"]
ProgressCallback = Callable[[str, int, int], None]

_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[A-Za-z0-9]+")
ENGLISH_STOPWORDS = frozenset(STOPWORDS_EN_PLUS)
_QUESTION_WORDS = re.compile("什么样|为什么|什么|哪些|哪个|哪里|哪一|多少|如何|怎么|怎样|是否")
# Function and question words: in a question they would match unrelated text that happens to use them.
# fmt: off
CHINESE_STOPWORDS = frozenset((
    "的", "了", "是", "在", "和", "与", "及", "或", "由", "被", "把", "这", "那", "哪",
    "之", "其", "而", "也", "都", "就", "又", "还", "并", "为", "以", "于", "对", "从",
    "向", "到", "等", "个", "中", "有", "什么", "哪些", "哪个", "哪里", "哪一", "多少", "几", "吗",
    "呢", "吧", "啊", "如何", "怎么", "怎样", "为什么", "谁", "是否", "何", "何时", "什么样", "一个", "这个",
    "那个", "我们", "他们", "它们", "以及", "可以", "进行", "通过", "其中", "这些", "那些", "没有",
))
# fmt: on


@dataclass(frozen=True)
class LexicalSettings:
    """Tokenisation and BM25 parameters. Part of every index cache key."""

    # Bigrams measured better on CMRC2018 (recall@5 0.9966 vs 0.9944) and index 5x faster than jieba.
    chinese: ChineseTokens = "bigram"
    k1: float = 1.2
    b: float = 0.75

    def key(self) -> str:
        return f"bm25-v1-{self.chinese}-{self.k1}-{self.b}"


@lru_cache(maxsize=1)
def _jieba() -> jieba.Tokenizer:
    jieba.dt.initialize()
    return jieba.dt


@lru_cache(maxsize=1 << 16)
def _fold_plural(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def tokenize(text: str, chinese: ChineseTokens = "bigram") -> list[str]:
    """Index terms of ``text``: Chinese words or bigrams, and English content words."""
    tokens: list[str] = []
    if chinese == "bigram":  # a question word would otherwise leave bigrams like 么是 that match nothing
        text = _QUESTION_WORDS.sub(" ", text)
    for run in _RUN.findall(text):
        if run[0] < "\u3400":
            word = run.lower()
            if word not in ENGLISH_STOPWORDS:
                tokens.append(_fold_plural(word))
        elif chinese == "bigram":
            if len(run) == 1:
                tokens.append(run)
            else:
                tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            tokens.extend(
                word for word in _jieba().cut_for_search(run, HMM=True) if word not in CHINESE_STOPWORDS
            )
    if chinese == "bigram":
        return [token for token in tokens if token not in CHINESE_STOPWORDS]
    return tokens


class LexicalIndex:
    """A BM25 index over a list of texts; scores come back aligned with the texts' positions."""

    def __init__(self, model: bm25s.BM25, vocabulary: dict[str, int], settings: LexicalSettings) -> None:
        self._model = model
        self._vocabulary = vocabulary
        self.settings = settings

    @property
    def size(self) -> int:
        return int(self._model.scores["num_docs"])

    @classmethod
    def build(
        cls,
        texts: Sequence[str],
        settings: LexicalSettings | None = None,
        progress: ProgressCallback | None = None,
    ) -> LexicalIndex:
        settings = settings or LexicalSettings()
        vocabulary: dict[str, int] = {}
        # Token ids in compact int arrays: a 12,000-document corpus has tens of millions of tokens.
        token_ids: list[array[int]] = []
        for position, text in enumerate(texts, start=1):
            # setdefault gives a new token the next id: the vocabulary's size before it is added.
            tokens = tokenize(text, settings.chinese)
            token_ids.append(array("i", [vocabulary.setdefault(token, len(vocabulary)) for token in tokens]))
            if progress is not None and (position % 500 == 0 or position == len(texts)):
                progress("lexical", position, len(texts))
        if not vocabulary:  # bm25s needs one column even when no text has a token
            vocabulary[""] = 0
        model = bm25s.BM25(k1=settings.k1, b=settings.b)
        model.scores = model.build_index_from_ids(
            unique_token_ids=list(range(len(vocabulary))),
            corpus_token_ids=token_ids,
            show_progress=False,
        )
        model.vocab_dict = vocabulary
        return cls(model, vocabulary, settings)

    def scores(self, query: str, mask: np.ndarray | None = None) -> np.ndarray:
        """BM25 score of every indexed text for ``query`` (0 where ``mask`` is False)."""
        ids = [self._vocabulary[t] for t in tokenize(query, self.settings.chinese) if t in self._vocabulary]
        if not ids:
            return np.zeros(self.size, dtype=np.float32)
        scores = self._model.get_scores_from_ids(ids)
        return scores * mask if mask is not None else scores

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self._model.save(str(directory / "bm25"))
        (directory / "lexical.json").write_text(json.dumps(asdict(self.settings)), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex:
        settings = LexicalSettings(**json.loads((directory / "lexical.json").read_text(encoding="utf-8")))
        model = bm25s.BM25.load(str(directory / "bm25"), mmap=False)
        return cls(model, model.vocab_dict, settings)


def top_positions(scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    """Positions of the ``k`` highest positive scores, best first (ties by position, for stable order)."""
    positive = np.flatnonzero(scores > 0)
    if positive.size > k:
        positive = positive[np.argpartition(-scores[positive], k - 1)[:k]]
    order = positive[np.lexsort((positive, -scores[positive]))]
    return list(zip(order.tolist(), scores[order].tolist(), strict=True))
