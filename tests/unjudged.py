"""What a run without an embedder, or with a collection too small to rank, ends with (issue 27): every
hard check passes but relevance, which says it could judge none of the collection citations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def only_relevance_unjudged(validation: Mapping[str, Any]) -> bool:
    """Whether the one failing hard check of ``validation`` (a validation.json) is relevance, with every
    collection citation unverified (none off topic, no junk)."""
    failing = [c for c in validation["checks"] if c.get("hard", True) and not c["passed"]]
    if [c["name"] for c in failing] != ["relevance"]:
        return False
    figure = failing[0]["figure"]
    judged_none = figure["unverified"] == figure["corpus_citations"] > 0
    return judged_none and not (figure["off_topic"] or figure["junk"])
