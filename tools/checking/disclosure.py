"""Honesty about the materials: a video that could not (fully) be analysed is said so and nothing is
invented about it; materials that stayed unread keep the run from passing."""

from __future__ import annotations

import re

from reportgraph.tools.checking.citation_checks import unreadable_files
from reportgraph.tools.checking.report import CheckResult, Report, note, own_words
from reportgraph.tools.text import split_sentences

# Words that present something as what the talk or its speaker said or showed.
_VIDEO_ATTRIBUTION = re.compile(
    r"视频(?:中|里|显示|指出|提到|展示|讲解|演示|介绍)|讲者|演讲者|主讲人|报告人|幻灯片"
    r"|\b(?:in|during|from) the (?:talk|video|lecture|recording|presentation)\b"
    r"|\bthe (?:speaker|presenter|lecturer)\b|\bslides?\b"
    r"|\bthe (?:talk|video|lecture|recording) (?:shows|explains|says|presents|demonstrates|mentions|notes)\b",
    re.I,
)


def check_video_disclosure(report: Report) -> CheckResult | None:
    status, disclosure = report.inputs.video_status, report.inputs.video_disclosure.strip()
    if status not in ("failed", "partial") or not disclosure:
        return None
    video_sections = [r.index for r in report.spec.sections if r.focus == "video"]
    where = [s for s in report.parsed.sections if s.required_index in video_sections]
    passed = disclosure in (" ".join(s.body for s in where) if where else report.inputs.markdown)
    feedback: dict[int, list[str]] = {}
    if not passed:
        for index in video_sections:
            note(feedback, index, f'Say plainly what could not be analysed in the video: "{disclosure}"')
    return CheckResult(
        name="video_failure_disclosed",
        passed=passed,
        feedback=feedback,
        sections=video_sections if not passed else [],
        figure={
            "video_status": status,
            "disclosure": disclosure,
            "method": "the analysis's disclosure sentence present in the video section",
        },
        detail="the report states what of the video could not be analysed"
        if passed
        else "the video analysis failed and the report does not say so",
    )


def check_invented_video(report: Report) -> CheckResult | None:
    """With no video evidence at all, nothing but the disclosure may speak of what the talk said."""
    if report.inputs.video_status != "failed":
        return None
    disclosure = report.inputs.video_disclosure.strip()
    invented: list[tuple[int | None, str]] = []
    feedback: dict[int, list[str]] = {}
    for section in report.parsed.sections:
        own = own_words(section.body.replace(disclosure, " ") if disclosure else section.body)
        invented += [
            (section.required_index, sentence)
            for sentence in split_sentences(own)
            if _VIDEO_ATTRIBUTION.search(sentence)
        ]
    for index, sentence in invented:
        note(
            feedback,
            index,
            f'The video could not be analysed, yet "{sentence[:60]}" speaks of it: remove it; '
            "only the statement of what could not be analysed may mention the video.",
        )
    return CheckResult(
        name="no_invented_video",
        passed=not invented,
        feedback=feedback,
        sections=sorted({i for i, _ in invented if i is not None}),
        figure={
            "video_status": report.inputs.video_status,
            "sentences": [s[:120] for _, s in invented],
            "method": "sentences attributing something to the talk, outside the disclosure",
        },
        detail="nothing is said about the unanalysed video beyond the disclosure"
        if not invented
        else f"{len(invented)} sentences speak of a video that could not be analysed",
    )


def check_materials_read(report: Report) -> CheckResult | None:
    """Fails while collection entries that may hold text were dropped, PDFs (whole, or some pages) or other
    files stayed unreadable, or words lost letters to a font's broken Unicode map: nobody checked what they
    say, so the report cannot be signed. Entries skipped for holding no text (null content, duplicates) are
    not dropped (tools/intake/corpus.py ``SkippedEntry.dropped``)."""
    materials = report.inputs.materials
    if materials is None:
        return None
    dropped = [
        {"position": e.get("position"), "title": e.get("title", ""), "reason": e.get("reason", "")}
        for e in (materials.get("corpus") or {}).get("dropped", [])
    ]
    unreadable = {
        str(pdf["file"]): [item["page"] for item in pdf.get("unreadable", [])]
        for pdf in materials.get("pdfs", [])
        if pdf.get("unreadable")
    }
    lost = {f"{pdf['file']} p.{item['page']}": item["words"]
            for pdf in materials.get("pdfs", []) for item in pdf.get("lost_words", [])}
    unread_files = unreadable_files(report)
    unread_files |= {str(item["file"]): str(item["code"]) for item in materials.get("unread_files", [])}
    passed = not dropped and not unreadable and not unread_files and not lost
    named = [f"entry {e['position']} ({e['reason']}) \"{e['title'][:40]}\"" for e in dropped]
    named += [f"{file} pages {pages}" for file, pages in unreadable.items()]
    named += [f"{file} (whole file: {reason})" for file, reason in unread_files.items()]
    named += [f"{place} words that lost glyphs: {', '.join(words)}" for place, words in lost.items()]
    return CheckResult(
        name="materials_read",
        passed=passed,
        figure={
            "dropped_entries": dropped,
            "unreadable_pages": unreadable,
            "unreadable_files": unread_files,
            "lost_words": lost,
            "method": "the materials summary of indexing: collection entries dropped with text possibly in "
            "them, PDFs that could not be opened (encrypted, damaged), PDF pages no extraction or OCR could "
            "read, words a font's broken Unicode map took letters from (restored by OCR where it could), "
            "other files nothing reads (a subtitle without its video, a format not read, an entry the system "
            "refused)",
        },
        detail="every collection entry with text and every PDF page was read"
        if passed
        else "materials left unread: " + "; ".join(named),
    )
