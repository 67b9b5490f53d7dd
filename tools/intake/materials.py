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
from reportgraph.tools.intake.documents import DocumentExtraction
from reportgraph.tools.intake.pdf import PdfExtraction
from reportgraph.tools.intake.taskio import UNREAD_DOCUMENT_SUFFIXES, UNREAD_REFUSALS, Inventory

# Problems that leave a whole PDF unread (tools/intake/pdf.py codes); a PDF without pages has nothing to read.
UNREADABLE_FILE_CODES = ("pdf_encrypted", "pdf_unreadable")
PDF_TEXTLESS_CODES = ("pdf_empty", "pdf_no_text")  # opened, but without a page of text


def _named_after(subtitle: PurePosixPath, media: Sequence[str]) -> bool:
    """Whether ``subtitle`` is read with one of ``media`` (``talk.srt``, ``talk.en.vtt`` for ``talk.mp4``
    beside it: tools/video/subtitles.find_sidecars)."""
    return any(subtitle.parent == item.parent and subtitle.name.startswith(item.stem + ".")
               for item in map(PurePosixPath, media))


def unpaired_subtitles(subtitles: Sequence[str], videos: Sequence[str]) -> list[dict[str, str]]:
    """``[{file, code: "subtitle_without_video"}]`` for subtitle files (task-relative paths) that no video
    of the task is named after: the video analysis reads a subtitle file only beside its video
    (``talk.srt``, ``talk.en.vtt`` for ``talk.mp4``), so these are listed as unread, never silently left."""
    return [{"file": name, "code": "subtitle_without_video"} for name in subtitles
            if not _named_after(PurePosixPath(name), videos)]


def talks(stock: Inventory, speech: bool) -> list[str]:
    """The folder's files the talk pipeline (tools/video) analyses: every video, and each audio file it can
    get words from: by the speech recogniser when one is configured (``speech``), else from a subtitle file
    named after it. An audio file has no pictures, so without either nothing of it could be analysed."""
    heard = [name for name in stock.audio
             if speech or any(_named_after(PurePosixPath(sub), [name]) for sub in stock.subtitle)]
    return [*stock.video, *heard]


def unread_materials(stock: Inventory, speech: bool = False) -> list[dict[str, str]]:
    """``[{file, code}]`` for every material of the folder that nothing reads: subtitles without their video
    (:func:`unpaired_subtitles`), audio files the talk pipeline cannot analyse (``audio_not_transcribed``:
    no speech recogniser configured, ``speech`` False, and no subtitle file of theirs; :func:`talks`),
    entries the system would not let us read (permission denied, nested too deep: taskio
    ``UNREAD_REFUSALS``) and documents of formats nothing reads (``format_not_read``)."""
    analysed = talks(stock, speech)
    unread = unpaired_subtitles(stock.subtitle, analysed)
    unread += [{"file": name, "code": "audio_not_transcribed"}
               for name in stock.audio if name not in analysed]
    unread += [{"file": item.path, "code": item.code}
               for item in stock.refused if item.code in UNREAD_REFUSALS]
    unread += [{"file": name, "code": "format_not_read"} for name in stock.other
               if PurePosixPath(name).suffix.lower() in UNREAD_DOCUMENT_SUFFIXES]
    return unread


def materials_summary(
    pdfs: Sequence[PdfExtraction],
    corpus: CorpusLoadReport | None,
    unread_files: Sequence[dict[str, str]] = (),
    documents: Sequence[DocumentExtraction] = (),
) -> dict[str, Any]:
    """``{"pdfs": [{file, pages, ocr_pages, unreadable: [{page, reason}], unreadable_file: {code, reason} |
    None, lost_words: [{page, words}]}], "corpus": {file, entries, loaded, skipped: [...], dropped: [...]} |
    None, "documents": [{file, records, ocr}], "unread_files": [{file, code, reason?}]}`` (``unread_files``:
    other materials nothing read, e.g. :func:`unread_materials`, and the ``documents`` that could not be read
    or hold no text)."""
    unread = list(unread_files) + [
        {"file": document.source_file, "code": problem.code,
         "reason": problem.message.removeprefix(f"{document.source_file}: ")}
        for document in documents if (problem := document.unreadable) is not None
    ]
    return {
        "unread_files": unread,
        "documents": [{"file": document.source_file, "records": len(document.records), "ocr": document.ocr}
                      for document in documents],
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
                "lost_words": [{"page": page, "words": words}
                               for page, words in sorted(pdf.lost_words.items())],
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


def nothing_to_cite(pdfs: Sequence[PdfExtraction], corpus: CorpusLoadReport | None,
                    materials: dict[str, Any]) -> str:
    """Why no material of the folder gave text to cite, one reason per material (``materials`` is
    :func:`materials_summary`'s): the refusal names the real cause (an encrypted PDF says encrypted), and
    nothing that is absent (no collection, no PDF)."""
    from reportgraph.prompts.materials import FILE_REASONS  # the reasons' English words, in one place

    reasons = []
    if corpus is not None:
        reasons.append(f"{corpus.source_file}: none of its {corpus.entries} entries holds text")
    for pdf in pdfs:
        codes = (*UNREADABLE_FILE_CODES, *PDF_TEXTLESS_CODES)
        problem = next((p for p in pdf.problems if p.code in codes), None)
        reasons.append(problem.message if problem else f"{pdf.source_file}: no page has text")
    for item in materials.get("unread_files", []):
        why = item.get("reason") or FILE_REASONS["en"].get(item["code"], item["code"])
        reasons.append(f"{item['file']}: {why}")
    return "; ".join(reasons) or "the folder holds no collection, PDF or document with text"
