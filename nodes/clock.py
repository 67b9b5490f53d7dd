"""The time budget of drafting and revising (``Context.time_budget_s``): what is left, and whether another
round fits in it.

A slow local server would otherwise revise until ``max_revision_rounds`` however long that takes (issue 15:
Qwen2.5-0.5B on one core spent 9-17 minutes a round on the fixture, 55 minutes for four rounds). So:

- a draft request's evidence is cut until, at the server's measured speed, the round's requests fit in
  ``ROUND_SHARE`` of the time left (nodes/draft.py), leaving room for a revision;
- validate starts no revision round projected, from the length of the round it closes, to end past the
  budget: the run ends ``needs_review`` and says so (nodes/validate.py).

The clock starts when drafting does (join, or the first node of a resumed run that drafts or validates):
reading materials and building a cold index are bounded elsewhere (the video's own budget, the index cache)
and leave the rounds' time alone; a resumed run gets a fresh budget. One Context per run, like its memo
(tools/memo.py).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from typing import Any

from reportgraph.nodes.context import Context

# Share of the time left that one round's draft requests may take at the measured speed.
ROUND_SHARE = 0.5
# Steps whose end starts a drafting round: join before the first, the previous validate before the others.
_ROUND_OPENERS = ("join", "validate")


def drafting_started(context: Context) -> float:
    """Epoch seconds when this run's drafting clock started (the first call for its Context starts it)."""
    started, _ = context.memo.once(("drafting_started",), time.time)
    return started


def remaining_s(context: Context, now: float | None = None) -> float | None:
    """Seconds left of ``context.time_budget_s`` (negative once overrun); None when there is no budget."""
    if not context.time_budget_s:
        return None
    return context.time_budget_s - ((now or time.time()) - drafting_started(context))


def request_allowance_s(context: Context, requests_in_round: int) -> float:
    """Seconds one draft request may take: ``request_timeout_s``, or less with a budget: ``ROUND_SHARE``
    of the time left, split among the round's requests as the server takes them (``max_model_calls`` at
    a time)."""
    remaining = remaining_s(context)
    if remaining is None:
        return context.request_timeout_s
    waves = math.ceil(max(1, requests_in_round) / context.max_model_calls)
    return min(context.request_timeout_s, max(0.0, remaining) * ROUND_SHARE / waves)


def round_seconds(events: Sequence[Mapping[str, Any]], now: float, clock_started: float = 0.0
                  ) -> float | None:
    """Wall seconds of the round being validated: from the end of the step that opened it (join, or the
    previous validate), or from ``clock_started`` if later (a resumed run: the pause is not the round's),
    to ``now``; None when no such step is recorded."""
    opened = [e["finished_at"] for e in events
              if e.get("kind") == "node" and e.get("node") in _ROUND_OPENERS and "finished_at" in e]
    return now - max(*opened, clock_started) if opened else None


def next_round_projection(events: Sequence[Mapping[str, Any]], current_round: int, sections_next: int,
                          now: float, clock_started: float = 0.0) -> float | None:
    """Seconds the next round is projected to take: the round just drafted (see :func:`round_seconds`),
    scaled by how many sections the next one redrafts against how many this one drafted. None when the
    round's start is unknown."""
    seconds = round_seconds(events, now, clock_started)
    if seconds is None:
        return None
    drafted = sum(1 for e in events
                  if e.get("kind") == "node" and e.get("node") == "draft" and e.get("round") == current_round)
    return seconds * sections_next / drafted if drafted else seconds
