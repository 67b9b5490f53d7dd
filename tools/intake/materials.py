"""What reading the materials left out, as JSON-able data for run.json and the report's disclosures.

``materials_summary`` gives, per PDF, the pages read by OCR and the pages that stayed unreadable (with
why), or that the whole file could not be opened (encrypted with a password, damaged), and, for the
collection, every entry left out with its reason. ``dropped`` entries are those that
may hold text the loader could not read (a run with any should be reviewed); empty entries and copies
of kept documents are listed but are not drops.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import Any

from reportgraph.tools.intake.corpus import CorpusLoadReport
from reportgraph.tools.intake.pdf import PdfExtraction

# Problems that leave a whole PDF unread (tools/intake/pdf.py codes); a PDF without pages has nothing to read.
UNREADABLE_FILE_CODES = ("pdf_encrypted", "pdf_unreadable")


def unpaired_subtitles(subtitles: Sequence[str], videos: Sequence[str]) -> list[dict[str, str]]:
    """``[{file, code: "subtitle_without_video"}]`` for subtitle files (task-relative paths) that no video
    of the task is named after: the video analysis reads a subtitle file only beside its video
    (``talk.srt``, ``talk.en.vtt`` for ``talk.mp4``), so these are listed as unread, never silently left."""
    def paired(subtitle: PurePosixPath) -> bool:
        return any(subtitle.parent == video.parent and subtitle.name.startswith(video.stem + ".")
                   for video in map(PurePosixPath, videos))

    return [{"file": name, "code": "subtitle_without_video"} for name in subtitles
            if not paired(PurePosixPath(name))]


def materials_summary(
    pdfs: Sequence[PdfExtraction],
    corpus: CorpusLoadReport | None,
    unread_files: Sequence[dict[str, str]] = (),
) -> dict[str, Any]:
    """``{"pdfs": [{file, pages, ocr_pages, unreadable: [{page, reason}], unreadable_file: {code, reason} |
    None}], "corpus": {file, entries, loaded, skipped: [...], dropped: [...]} | None, "unread_files":
    [{file, code}]}`` (``unread_files``: other materials nothing read, e.g. :func:`unpaired_subtitles`)."""
    return {
        "unread_files": list(unread_files),
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
                "unreadable_file": _unreadable_file(pdf),
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


def _unreadable_file(pdf: PdfExtraction) -> dict[str, str] | None:
    problem = next((p for p in pdf.problems if p.code in UNREADABLE_FILE_CODES), None)
    if problem is None:
        return None
    return {"code": problem.code, "reason": problem.message.removeprefix(f"{pdf.source_file}: ")}


def material_notes(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """One run-log note per OCRed or unreadable PDF (or page of one) and per collection entry left out."""
    notes = [{"message": f"{item['file']}: not read ({item['code']})", "source_file": item["file"],
              "code": item["code"]} for item in summary.get("unread_files", [])]
    for pdf in summary["pdfs"]:
        if unread := pdf.get("unreadable_file"):
            notes.append({"message": f"{pdf['file']}: {unread['reason']}", "source_file": pdf["file"],
                          "code": unread["code"]})
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
