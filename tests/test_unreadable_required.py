"""A PDF the task requires but nobody can open (encrypted): required_materials_cited stays failed, says the
file could not be read, and sends no section back to cite it (no redraft can). The offline run lists no
model_reply check: no model wrote anything."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from reportgraph.graph.graph import graph
from test_unreadable_pdf import DOCUMENTS, encrypted, paper_bytes

TASK = (
    'Write a short report titled "Owl Notes", based on the provided paper. The report must contain these '
    "sections, in this order: 1. Survey methods; 2. Findings. Length: 60 to 300 words. Cite your sources.\n"
)


def offline_run(tmp_path: Path, pdf: bytes) -> tuple[dict[str, Any], dict[str, Any], dict[str, list[str]]]:
    folder = tmp_path / "owls"
    folder.mkdir()
    (folder / "task.md").write_text(TASK, encoding="utf-8")
    (folder / "long_context.json").write_text(json.dumps(DOCUMENTS), encoding="utf-8")
    (folder / "paper.pdf").write_bytes(pdf)
    output = tmp_path / "out"
    result = graph.invoke(
        {"task_dir": str(folder)},
        context={"llm": "off", "embedder": "none", "cache_dir": str(tmp_path / "cache"),
                 "output_dir": str(output), "max_revision_rounds": 2},
    )
    validation = json.loads((output / "validation.json").read_text(encoding="utf-8"))
    return result, {check["name"]: check for check in validation["checks"]}, validation["feedback"]


def test_a_required_pdf_nobody_can_read_fails_saying_so_and_is_not_asked_for(tmp_path: Path) -> None:
    result, checks, feedback = offline_run(tmp_path, encrypted(paper_bytes()))
    assert result["status"] == "needs_review"
    required = checks["required_materials_cited"]
    assert not required["passed"] and "pdf" in required["figure"]["required"]
    assert "paper.pdf could not be read" in required["detail"]
    assert list(required["figure"]["unreadable_files"]) == ["paper.pdf"]
    asked = [item for items in feedback.values() for item in items]
    assert not any("pdf" in item.lower() for item in asked), asked
    assert "model_reply" not in checks


def test_a_readable_required_pdf_names_no_unreadable_file(tmp_path: Path) -> None:
    _, checks, _ = offline_run(tmp_path, paper_bytes())
    required = checks["required_materials_cited"]
    assert required["figure"]["unreadable_files"] == {} and "could not be read" not in required["detail"]
