"""A run, then `check` on the run's own report, agree on every citation when the PDF's name holds spaces,
CJK, brackets or several dots (issue 27: `[paper v2.pdf p.1]` was an "unknown form" to check)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pdf_files import Page, Run, make_pdf
from reportgraph.graph.cli import main

TASK = (
    'Write a short report titled "Beekeeping Notes", based on the provided paper and collection. The report '
    "must contain these sections, in this order: 1. Hive care; 2. Honey harvest. Length: 60 to 300 words. "
    "Cite your sources.\n"
)
DOCUMENTS = [
    {
        "title": "Winter hives",
        "url": "https://example.org/hives",
        "content": "Hives lose heat through damp walls. Beekeepers insulate hive roofs before frost.",
    },
    {
        "title": "Harvest timing",
        "url": "https://example.org/harvest",
        "content": "Honey is harvested once most cells are capped. Uncapped honey holds too much water.",
    },
]


def _paper() -> bytes:
    page = Page(
        [
            Run(72, 760, "Keeping Bees Through Winter", 16),
            Run(72, 720, "Colonies that cluster tightly survive cold nights."),
            Run(72, 700, "Capped honey stores last the colony until spring."),
        ]
    )
    return make_pdf([page, Page([Run(72, 760, "Harvesting leaves enough honey for the colony.")])])


@pytest.mark.parametrize("name", ["paper v2.pdf", "蜂群 研究 第二版.pdf", "notes [draft] (1).v1.2.pdf"])
def test_check_resolves_the_citations_a_run_wrote(tmp_path: Path, name: str) -> None:
    folder = tmp_path / "bees"
    folder.mkdir()
    (folder / "task.md").write_text(TASK, encoding="utf-8")
    (folder / "long_context.json").write_text(json.dumps(DOCUMENTS), encoding="utf-8")
    (folder / name).write_bytes(_paper())
    out = tmp_path / "out"
    options = ["--embedder", "none", "--cache-dir", str(tmp_path / "cache")]
    main(["run", str(folder), "-o", str(out), "--llm", "off", *options])
    report = (out / "report.md").read_text(encoding="utf-8")
    assert f"[{name} p." in report  # the run cited the PDF by its own name
    main(["check", str(folder), str(out / "report.md"), "-o", str(tmp_path / "checked"), *options])
    ran, checked = (
        {c["name"]: c for c in json.loads((path / "validation.json").read_text(encoding="utf-8"))["checks"]}
        for path in (out, tmp_path / "checked")
    )
    figure = checked["citations_resolve"]["figure"]
    assert figure["unknown_forms"] == [] and figure["unresolved"] == [], figure
    assert checked["citations_resolve"]["passed"] and ran["citations_resolve"]["passed"]
    assert figure["citations"] == ran["citations_resolve"]["figure"]["citations"] > 0
    assert figure["forms"].get("pdf_page", 0) >= 1
