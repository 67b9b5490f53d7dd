"""The run's four output files, written so a half-written folder is never mistaken for a result."""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from reportgraph.prompts.report import REPORT_NOTE
from reportgraph.tools.intake.taskio import BadInputError
from reportgraph.tools.registry import (
    SourceRecord,
    cited_ids,
    locator,
    render_citation,
    render_citations,
)
from reportgraph.tools.writing.review import ReviewInputs, task_link
from reportgraph.tools.writing.review_page import review_html

# report.html is the review page (review_page.py): the report with each citation's source and verdict.
OUTPUT_FILES = ("report.md", "report.html", "sources.json", "validation.json", "run.json")
OUTPUT_MODE = 0o644  # rw-r--r--, as an ordinary file the user wrote
# run.json's evidence kinds: the inventory's name for a material (taskio.Inventory) → the record's word,
# and a registry kind → the word when the inventory does not list the file.
MATERIAL_KINDS = {"pdf": "pdf", "video": "video", "corpus": "collection", "image": "image", "audio": "audio",
                  "subtitle": "subtitles"}
KIND_NAME = {"pdf": "pdf", "video": "video", "corpus": "collection"}


def sources_for(markdown: str, registry: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every cited id that resolves, with where it comes from and its text, in order of first citation."""
    cited: dict[str, dict[str, Any]] = {}
    for source_id in cited_ids(markdown):
        if source_id in cited or source_id not in registry:
            continue
        record = SourceRecord.model_validate(registry[source_id])
        cited[source_id] = {
            "citation": render_citation(record),
            **record.model_dump(mode="json", exclude_none=True),
        }
    return cited


def run_summary(events: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Per-node timings and model usage, fallbacks taken and resumes, from the events the run recorded."""
    per_node: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for event in events:
        if event.get("kind") != "node":
            continue
        totals = per_node[str(event["node"])]
        totals["invocations"] += 1
        totals["seconds"] = round(totals["seconds"] + float(event.get("seconds", 0.0)), 3)
        for key in ("llm_calls", "input_tokens", "output_tokens"):
            totals[key] += float(event.get(key, 0))
    nodes = {
        name: {k: (int(v) if k != "seconds" else v) for k, v in totals.items()}
        for name, totals in per_node.items()
    }
    llm_calls = sum(n.get("llm_calls", 0) for n in nodes.values())
    return {
        "nodes": nodes,
        "llm": {
            "calls": llm_calls,
            "input_tokens": sum(n.get("input_tokens", 0) for n in nodes.values()),
            "output_tokens": sum(n.get("output_tokens", 0) for n in nodes.values()),
        },
        "fallbacks": [dict(e) for e in events if e.get("kind") == "fallback"],
        "notes": [dict(e) for e in events if e.get("kind") == "note"],
        # `reportgraph resume` records which nodes' checkpointed work it kept (skipped) and what ran again
        "resumes": [dict(e) for e in events if e.get("kind") == "resume"],
    }


def write_outputs(
    output_dir: Path,
    *,
    markdown: str,
    registry: Mapping[str, Mapping[str, Any]],
    validation: Mapping[str, Any],
    run: Mapping[str, Any],
    report: str | None = None,
    review: str | None = None,
) -> dict[str, str]:
    """Write the output files into ``output_dir``, each whole (temp file, then rename): report.md is
    ``report`` (banner.final_report's text), by default ``markdown`` with its citations rendered; report.html
    is ``review`` (review_page.review_html), by default the page made from ``markdown`` alone."""
    if review is None:
        review = review_html(ReviewInputs(markdown=markdown, registry=registry, validation=validation))
    contents = {
        "report.md": render_citations(markdown, registry) if report is None else report,
        "report.html": review,
        "sources.json": _json(sources_for(markdown, registry)),
        "validation.json": _json(validation),
        "run.json": _json(run),
    }
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
        # run.json goes first and comes back last: its presence marks a finished write.
        (output_dir / "run.json").unlink(missing_ok=True)
        for name in OUTPUT_FILES:
            _atomic_write(output_dir / name, contents[name])
    except OSError as error:
        raise BadInputError(
            "output_unwritable", f"cannot write the report here: {error.strerror or error}", output_dir
        ) from error
    return {name: str(output_dir / name) for name in OUTPUT_FILES}


def require_output_dir(output_dir: Path) -> None:
    """Refuse, before any work is spent, an output folder that cannot be one: a path through a file, or
    a nearest existing folder this process may not write. Raises :class:`BadInputError`
    ``output_unwritable``; the writers above still catch what only writing can show (a full disk)."""
    existing = output_dir
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise BadInputError("output_unwritable", f"{existing} is a file, not a folder", output_dir)
    if not os.access(existing, os.W_OK | os.X_OK):
        raise BadInputError("output_unwritable", f"{existing} is not writable", output_dir)


def write_validation(output_dir: Path, validation: Mapping[str, Any], review: str | None = None) -> Path:
    """``validation.json`` (``reportgraph check``), and with ``review`` report.html beside it, each written
    whole; returns validation.json's path."""
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
        if review is not None:
            _atomic_write(output_dir / "report.html", review)
        _atomic_write(output_dir / "validation.json", _json(validation))
    except OSError as error:
        raise BadInputError(
            "output_unwritable", f"cannot write validation.json here: {error.strerror or error}", output_dir
        ) from error
    return output_dir / "validation.json"


def write_run_outputs(
    output_dir: Path,
    state: Mapping[str, Any],
    events: Sequence[Mapping[str, Any]],
    *,
    markdown: str,
    validation: Mapping[str, Any],
    status: str,
    mode: str,
    rounds: int,
    report: str,
) -> dict[str, str]:
    """A finished run's files: ``state`` is the graph state (task_dir as given, sources, video,
    retrieval, inventory, spec, task_notes), ``events`` every event of the run, ``report`` report.md's text
    (banner.final_report: a needs_review report opens with its unmet items), ``markdown`` the report as
    drafted (``[@id]`` citations, for sources.json)."""
    spec = state["spec"]
    note = REPORT_NOTE[spec.language][mode]
    run = {
        "task_dir": str(state["task_dir"]),  # as the caller gave it (the CLI: as typed)
        "status": status,
        "drafting_mode": mode,
        "rounds": rounds,
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        **run_summary(events),
        "video": state.get("video") or {},
        "retrieval": state.get("retrieval", {}),
        "inventory": state.get("inventory", {}),
        "spec": spec.model_dump(mode="json"),
        "task_notes": state.get("task_notes", []),
        "evidence": given_evidence(state),
        # How the report was drafted: for its reviewer (report.html shows it too), not in report.md's body.
        "process_note": note.removeprefix("> "),
    }
    registry = state.get("sources") or {}
    review = review_html(ReviewInputs(
        markdown=markdown, registry=registry, validation=validation, spec=spec,
        task_link=task_link(Path(state["task_dir"]), output_dir), note=note))
    return write_outputs(output_dir, markdown=markdown, registry=registry,
                         validation=validation, run=run, report=report, review=review)


def given_evidence(state: Mapping[str, Any]) -> dict[str, list[dict[str, str]]]:
    """Section index (a string) → the records its writer was given in the last drafting round, each
    ``{"id", "kind", "title", "locator", "text"}``: ``kind`` is what the material is (pdf, video,
    collection, image, audio, subtitles; the folder's inventory decides, tools/intake/taskio.py), ``title``
    the document's title or else its file name, ``locator`` the page (``p.3``), chunk (``chunk 4``) or time
    range (``01:23–01:41``). The state's ``evidence`` is what the last round's Sends carried (graph.py
    draft_tasks): a gap round adds to it before the redraft, nothing changes it after."""
    registry = state.get("sources") or {}
    inventory = state.get("inventory") or {}
    kinds = {name: word for kind, word in MATERIAL_KINDS.items() for name in inventory.get(kind) or []}
    given: dict[str, list[dict[str, str]]] = {}
    for key, ids in (state.get("evidence") or {}).items():
        records = [SourceRecord.model_validate(registry[i]) for i in ids if i in registry]
        given[key] = [{"id": r.id, "kind": kinds.get(r.source_file, KIND_NAME[r.kind]),
                       "title": r.title or r.source_file, "locator": locator(r), "text": r.text}
                      for r in records]
    return given


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"


def _atomic_write(path: Path, text: str) -> None:
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(handle, OUTPUT_MODE)  # mkstemp makes 0600; the outputs are for others to read too
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
