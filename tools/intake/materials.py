"""What reading the materials left out, as JSON-able data for run.json and the report's disclosures.

``materials_summary`` gives, per PDF, the pages read by OCR and the pages that stayed unreadable (with
why), and, for the collection, every entry left out with its reason. ``dropped`` entries are those that
may hold text the loader could not read (a run with any should be reviewed); empty entries and copies
of kept documents are listed but are not drops.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportgraph.tools.intake.corpus import CorpusLoadReport
from reportgraph.tools.intake.pdf import PdfExtraction


def materials_summary(pdfs: Sequence[PdfExtraction], corpus: CorpusLoadReport | None) -> dict[str, Any]:
    """``{"pdfs": [{file, pages, ocr_pages, unreadable: [{page, reason}]}], "corpus": {file, entries,
    loaded, skipped: [...], dropped: [...]} | None}``."""
    return {
        "pdfs": [
            {
                "file": pdf.source_file,
                "pages": pdf.page_count,
                "ocr_pages": pdf.ocr_pages,
                "unreadable": [
                    {"page": p.page, "reason": p.message}
                    for p in pdf.problems
                    if p.code == "pdf_page_unreadable" and p.page is not None
                ],
            }
            for pdf in pdfs
        ],
        "corpus": None
        if corpus is None
        else {
            "file": corpus.source_file,
            "entries": corpus.entries,
            "loaded": corpus.loaded,
            "skipped": [entry.model_dump(mode="json") for entry in corpus.skipped],
            "dropped": [entry.model_dump(mode="json") for entry in corpus.skipped if entry.dropped],
        },
    }


def material_notes(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """One run-log note per OCRed or unreadable PDF and per collection entry left out."""
    notes = []
    for pdf in summary["pdfs"]:
        if pdf["ocr_pages"] or pdf["unreadable"]:
            unreadable = [item["page"] for item in pdf["unreadable"]]
            notes.append(
                {
                    "message": f"{pdf['file']}: OCR read pages {pdf['ocr_pages']}, unreadable {unreadable}",
                    "source_file": pdf["file"],
                    "ocr_pages": pdf["ocr_pages"],
                    "unreadable_pages": unreadable,
                }
            )
    corpus = summary["corpus"] or {"skipped": [], "file": ""}
    for entry in corpus["skipped"]:
        notes.append(
            {
                "message": f"{corpus['file']}: entry {entry['position']} "
                f"({entry['title'] or entry['url']!r}) left out: {entry['reason']} — {entry['detail']}",
                **entry,
            }
        )
    return notes
