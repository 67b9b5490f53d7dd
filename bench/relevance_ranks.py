"""Bench: does ranking a collection document's head against the task (with a section's title) tell the
documents labelled supportive from noise — by token overlap and by the embedder?

The relevance check (tools/checking/relevance.py) passes a collection citation when the cited document's
head ranks within ``max(MIN_RANK, RANK_SHARE × n)`` of the n documents in its language. For every labelled
document of the fixture's collection (``{"labels": {title: "supportive" | "distracting" | "noise"}}``;
labels are only read here, to measure) this prints, per method and label: how many, the median rank as a
share of its language, and the share ranked within the cutoff and within STATED_SLACK cutoffs — by the
task text alone, by the best of the task with each required section's title, and that per language — and
the AUC of supportive over noise (the chance that a supportive document outranks a noise one; 0.5 is
chance).

    REPORTGRAPH_SHARED=/work/shared REPORTGRAPH_CACHE_DIR=/tmp/cache \
        .venv/bin/python bench/relevance_ranks.py [--fixture DIR] [--labels FILE] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from reportgraph.nodes.check_inputs import folder_materials
from reportgraph.nodes.common import embedder_settings
from reportgraph.nodes.context import Context
from reportgraph.tools.checking.relevance import STATED_SLACK, collection_heads, cutoff
from reportgraph.tools.checking.support import content_tokens
from reportgraph.tools.retrieval import select_embedder
from shared_data import shared_dir

Scorer = Callable[[str, Sequence[str]], np.ndarray]


def overlap(query: str, heads: Sequence[str]) -> np.ndarray:
    """Token overlap as relevance ranked without an embedder before: the share of the query's content
    tokens (support.content_tokens) that a head holds."""
    tokens = content_tokens(query)
    return np.array([len(tokens & content_tokens(h)) / max(1, len(tokens)) for h in heads])


def dense(embed: Callable[[list[str]], list[list[float]]]) -> Scorer:
    def score(query: str, heads: Sequence[str]) -> np.ndarray:
        vectors = np.asarray(embed([query, *heads]), dtype=np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        return np.asarray(vectors[1:] @ vectors[0])
    return score


def ranks(score: Scorer, query: str, heads: dict[str, tuple[str, str]]) -> dict[str, tuple[int, int]]:
    """doc → (rank by ``score`` against ``query`` among the documents of its language, how many); a document
    tied with others takes the last place of the tie (a tie is no evidence of bearing)."""
    out = {}
    for language in {lang for _, lang in heads.values()}:
        group = [d for d, (_, lang) in heads.items() if lang == language]
        scores = score(query, [heads[d][0] for d in group])
        for doc, own in zip(group, scores, strict=True):
            out[doc] = (int((scores >= own).sum()), len(group))  # a tie ranks last of its tie
    return out


def auc(positive: list[float], negative: list[float]) -> float:
    """P(a positive's rank share is below a negative's), ties half."""
    pairs = [(p < n) + 0.5 * (p == n) for p in positive for n in negative]
    return sum(pairs) / len(pairs) if pairs else float("nan")


def summary(by_doc: dict[str, tuple[int, int]], label_of: dict[str, str]) -> dict[str, object]:
    rows: dict[str, object] = {}
    shares: dict[str, list[float]] = {}
    for label in ("supportive", "distracting", "noise"):
        docs = [d for d, lab in label_of.items() if lab == label and d in by_doc]
        share = [by_doc[d][0] / by_doc[d][1] for d in docs]
        shares[label] = share
        within = sum(by_doc[d][0] <= cutoff(by_doc[d][1]) for d in docs)
        slack = sum(by_doc[d][0] <= STATED_SLACK * cutoff(by_doc[d][1]) for d in docs)
        rows[label] = {"documents": len(docs), "median_rank_share": round(statistics.median(share), 3)
                       if share else None, "within_cutoff": f"{within}/{len(docs)}",
                       "within_stated_slack": f"{slack}/{len(docs)}"}
    rows["auc_supportive_over_noise"] = round(auc(shares["supportive"], shares["noise"]), 3)
    return rows


def measure(score: Scorer, task: str, sections: list[str], heads: dict[str, tuple[str, str]],
            label_of: dict[str, str]) -> dict[str, object]:
    by_task = ranks(score, task, heads)
    per_section = [ranks(score, f"{task}\n{title}", heads) for title in sections]
    best = {d: min((r[d] for r in per_section), key=lambda x: x[0]) for d in heads}
    languages = sorted({lang for _, lang in heads.values()})
    return {
        "task": summary(by_task, label_of),
        "best_section": summary(best, label_of),
        **{f"best_section_{lang}": summary(best, {d: x for d, x in label_of.items() if heads[d][1] == lang})
           for lang in languages},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixture", type=Path, default=shared_dir() / "fixtures" / "longeval_zh")
    parser.add_argument("--labels", type=Path, default=shared_dir() / "eval" / "longeval_sandbox_labels.json")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    context = Context()
    materials = folder_materials(args.fixture, context)
    heads = collection_heads(materials.collection)
    labels = json.loads(args.labels.read_text("utf-8"))["labels"]
    titles = {str(r.get("doc_id") or r.get("id")): str(r.get("title", ""))
              for r in materials.collection.values() if r.get("kind") == "corpus"}
    label_of = {doc: labels[title] for doc, title in titles.items() if title in labels}
    embedder = select_embedder(embedder_settings(context), cache_dir=context.cache_dir).embedder
    scorers: dict[str, Scorer] = {"token_overlap": overlap}
    if embedder is not None:
        scorers[embedder.name] = dense(embedder.embed_documents)
    sections = [s.title for s in materials.spec.sections]
    result = {
        "documents_by_language": {lang: sum(v == lang for _, v in heads.values())
                                  for lang in sorted({v for _, v in heads.values()})},
        "labelled": len(label_of),
        **{name: measure(score, materials.task_text, sections, heads, label_of)
           for name, score in scorers.items()},
    }
    print(json.dumps(result, ensure_ascii=False, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
