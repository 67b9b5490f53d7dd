"""Near-duplicate documents (mirrors, reposts, re-crawls with a changed footer) by MinHash LSH.

Each text becomes the set of its 5-token shingles (a token is a word, or one CJK character); datasketch's
MinHash estimates the Jaccard similarity of two sets and its LSH index finds candidate pairs without
comparing every pair. A document whose estimated similarity to an earlier one reaches ``THRESHOLD``, and
whose length is within that ratio of the earlier one's, is a copy of it. Only the first ``SAMPLE_CHARS``
of a text are shingled (copies share their openings; a 50 MB text would take a minute). Texts too short
to shingle are left to exact comparison.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

THRESHOLD = 0.8  # a repost that changed a fifth of its shingles (a header, a footer) is still a copy
NUM_PERM = 128
SHINGLE = 5
MIN_SHINGLES = 20
SAMPLE_CHARS = 50_000
_TOKEN = re.compile(r"[\u3400-\u9fff]|[^\W_]+")


def shingles(text: str) -> set[bytes]:
    tokens = _TOKEN.findall(text.casefold())
    return {" ".join(tokens[i : i + SHINGLE]).encode() for i in range(len(tokens) - SHINGLE + 1)}


def near_duplicates(texts: Sequence[str]) -> dict[int, int]:
    """Index of each text that repeats an earlier one → index of the earliest it repeats."""
    from datasketch import MinHash, MinHashLSH  # imported here: it pulls in scipy (~2 s)

    index = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    kept: dict[int, Any] = {}
    copies: dict[int, int] = {}
    for position, text in enumerate(texts):
        pieces = shingles(text[:SAMPLE_CHARS])
        if len(pieces) < MIN_SHINGLES:
            continue
        signature = MinHash(num_perm=NUM_PERM, seed=1)
        signature.update_batch(list(pieces))
        matches = [
            hit
            for hit in index.query(signature)
            if kept[hit].jaccard(signature) >= THRESHOLD
            and min(len(text), len(texts[hit])) >= THRESHOLD * max(len(text), len(texts[hit]))
        ]
        if matches:
            copies[position] = min(matches)
        else:
            index.insert(position, signature)
            kept[position] = signature
    return copies
