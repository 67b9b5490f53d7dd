"""An embedder that fails mid-check never sinks the check: the rest is checked without it, and says so."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from reportgraph.tools.checking.alignment import assess
from reportgraph.tools.checking.support import SupportChecker


def failing_embedder(texts: Sequence[str]) -> np.ndarray:
    raise ConnectionError("embeddings endpoint refused the connection")


def test_a_failing_embedder_leaves_cross_language_claims_unverified_and_names_the_failure() -> None:
    checker = SupportChecker(failing_embedder)
    source = "Human evaluation is labor-intensive, expensive to scale, and difficult to design."

    verdict = assess(checker, "人工评估费时费力，成本高且难以设计。", source)

    assert verdict.outcome != "supported"  # nothing confirmed it, so it is not counted as support
    assert not checker.uses_embeddings
    assert "ConnectionError" in checker.embed_error
    same_language = assess(checker, "Human evaluation is labor-intensive and expensive to scale.", source)
    assert same_language.outcome == "supported" and same_language.method in {"lexical", "verbatim"}
