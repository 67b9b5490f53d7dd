"""The review page's HTML: status banner, process note, the rendered report, sources panel and popover.

Built from review.ReviewModel. Everything is inline; the Content-Security-Policy lets the page load
nothing (no fetch, no font, no image from anywhere), so a page that tried would show it as an error in the
browser's console (tests/test_review_browser.py looks). Text from the report and its sources is escaped
here, and the script builds the popover with ``textContent`` only, from the JSON the page carries.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from markdown_it import MarkdownIt
from markdown_it.token import Token
from reportgraph.prompts.review import REVIEW_LABELS
from reportgraph.tools.checking.report import heading_matches
from reportgraph.tools.intake.spec import RequirementSpec
from reportgraph.tools.registry import SourceRecord, format_timestamp, render_citation
from reportgraph.tools.writing.review import (
    PLACEHOLDER,
    SENT_CLOSE,
    SENT_MID,
    SENT_OPEN,
    Citation,
    ReviewInputs,
    ReviewModel,
    review_model,
)
from reportgraph.tools.writing.review_assets import PAGE_CSS, PAGE_SCRIPT

CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"
HTML_LANG = {"zh": "zh-CN", "en": "en"}
# Checks whose sentences the page can point at: the highlighted sentence of each citation or claim.
SENTENCE_CHECKS = {"citation_support": "bad", "claims_cited": "claim"}


def labels_for(language: str) -> dict[str, str]:
    return REVIEW_LABELS.get(language, REVIEW_LABELS["en"])


def _markdown() -> MarkdownIt:
    # CommonMark with tables; raw HTML off: a report's own tags are shown as text, never run.
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def _anchor_headings(tokens: list[Token], spec: RequirementSpec | None) -> None:
    """Give each level-2 heading of a required section the id ``sec-<index>`` (what checks' ``sections``
    name), matched as the checks match headings."""
    if spec is None:
        return
    taken: set[int] = set()
    for position, token in enumerate(tokens):
        if token.type != "heading_open" or token.tag != "h2":
            continue
        text = PLACEHOLDER.sub("", tokens[position + 1].content)
        for required in spec.sections:
            if required.index not in taken and heading_matches(text, required):
                token.attrSet("id", f"sec-{required.index}")
                taken.add(required.index)
                break


def _citation_element(cited: Citation) -> str:
    attributes = {
        "type": "button",
        "class": f"cite {cited.outcome}",
        "id": f"cite-{cited.index}",
        "data-cite": str(cited.index),
        "data-source-id": cited.source_id,
        "data-outcome": cited.outcome,
    }
    joined = " ".join(f'{key}="{html.escape(value)}"' for key, value in attributes.items())
    return f"<button {joined}>{html.escape(cited.label)}</button>"


def render_body(model: ReviewModel, spec: RequirementSpec | None) -> str:
    """The report's HTML, citations as buttons and highlighted sentences as spans."""
    parser = _markdown()
    tokens = parser.parse(model.body)
    _anchor_headings(tokens, spec)
    rendered = parser.renderer.render(tokens, parser.options, {})
    kinds = {f"sent-{n}": h.kind for n, h in enumerate(model.highlights)}
    rendered = rendered.replace(SENT_CLOSE, "</span>")
    for anchor, kind in kinds.items():
        number = anchor.removeprefix("sent-")
        rendered = rendered.replace(f"{SENT_OPEN}{number}{SENT_MID}",
                                    f'<span class="sent {kind}" id="{anchor}">')
    by_index = {c.index: c for c in model.citations}
    return PLACEHOLDER.sub(lambda m: _citation_element(by_index[int(m.group(1))]), rendered)


def file_link(record: SourceRecord, task_link: str) -> str:
    """The cited place in its file, relative to the page: ``pdf.pdf#page=N``, ``video.mp4#t=83``; "" for a
    collection document (its URL is the link)."""
    if record.kind == "corpus":
        return ""
    path = "/".join(quote(part) for part in [*task_link.split("/"), record.source_file] if part)
    if record.kind == "pdf" and record.page is not None:
        return f"{path}#page={record.page}"
    if record.kind == "video" and record.start_s is not None:
        return f"{path}#t={int(record.start_s)}"
    return path


def where(record: SourceRecord, labels: Mapping[str, str]) -> str:
    if record.kind == "pdf" and record.page is not None:
        return labels["page"].format(page=record.page)
    if record.kind == "video" and record.start_s is not None:
        end = record.end_s if record.end_s is not None else record.start_s
        return labels["time"].format(start=format_timestamp(record.start_s), end=format_timestamp(end))
    return labels["chunk"].format(chunk=record.chunk_index) if record.chunk_index is not None else ""


def source_data(records: Mapping[str, Mapping[str, Any]], task_link: str, labels: Mapping[str, str]
                ) -> dict[str, dict[str, str]]:
    """What the popover and the sources panel show of each cited record."""
    shown = {}
    for source_id, value in records.items():
        record = SourceRecord.model_validate(value)
        shown[source_id] = {"label": render_citation(record), "file": record.source_file,
                            "title": record.title, "url": record.url, "where": where(record, labels),
                            "href": file_link(record, task_link), "text": record.text}
    return shown


def _sources_panel(shown: Mapping[str, Mapping[str, str]], labels: Mapping[str, str]) -> str:
    cards = []
    for source_id, item in shown.items():
        rows = [f'<h3>{html.escape(item["label"])}<code>{html.escape(source_id)}</code></h3>', "<dl>"]
        for key in ("title", "file", "where"):
            if item[key]:
                rows.append(f"<dt>{html.escape(labels[key])}</dt><dd>{html.escape(item[key])}</dd>")
        if item["url"]:
            url = html.escape(item["url"])
            rows.append(f'<dt>{html.escape(labels["url"])}</dt>'
                        f'<dd><a href="{url}" rel="noreferrer">{url}</a></dd>')
        rows.append("</dl>")
        if item["href"]:
            href, text = html.escape(item["href"]), html.escape(labels["open_file"])
            rows.append(f'<p><a class="file" href="{href}">{text}</a></p>')
        rows.append(f'<blockquote class="passage">{html.escape(item["text"])}</blockquote>')
        cards.append(f'<section class="source" id="src-{html.escape(source_id)}" '
                     f'data-source-id="{html.escape(source_id)}">{"".join(rows)}</section>')
    body = "".join(cards) or f'<p>{html.escape(labels["no_sources"])}</p>'
    return f'<aside id="sources"><h2>{html.escape(labels["sources"])}</h2>{body}</aside>'


def _check_links(check: Mapping[str, Any], model: ReviewModel, spec: RequirementSpec | None,
                 labels: Mapping[str, str]) -> str:
    """Links from an unmet check to the sections and sentences it concerns."""
    links = []
    headings = {s.index: s.heading for s in spec.sections} if spec is not None else {}
    for index in check.get("sections") or []:
        links.append(f'<a href="#sec-{index}">{html.escape(headings.get(index, str(index)))}</a>')
    kind = SENTENCE_CHECKS.get(str(check.get("name")))
    anchors = [h.anchor for h in model.highlights if h.anchor and h.kind == kind]
    if check.get("name") == "citations_resolve":
        anchors = [f"cite-{c.index}" for c in model.citations if c.outcome == "unresolved"]
    links += [f'<a href="#{anchor}">{n}</a>' for n, anchor in enumerate(anchors, 1)]
    return f' <span class="links">{" · ".join(links)}</span>' if links else ""


def _banner(inputs: ReviewInputs, model: ReviewModel, labels: Mapping[str, str]) -> str:
    status = str(inputs.validation.get("status", ""))
    key = {"pass": "status_pass", "needs_review": "status_needs_review"}.get(status, "status_unknown")
    unmet = [c for c in inputs.validation.get("checks") or [] if c.get("hard", True) and not c.get("passed")]
    items = "".join(
        f'<li data-check="{html.escape(str(c["name"]))}"><strong>{html.escape(str(c["name"]))}</strong>: '
        f'{html.escape(str(c.get("detail", "")))}{_check_links(c, model, inputs.spec, labels)}</li>'
        for c in unmet
    )
    listed = f'<ul class="unmet">{items}</ul>' if items else ""
    return (f'<header id="status" class="status {html.escape(status or "unknown")}">'
            f'<p class="verdict">{html.escape(labels[key])}</p>{listed}'
            f'<p class="legend">{html.escape(labels["legend"])}</p></header>')


def _page_data(model: ReviewModel, shown: Mapping[str, Any], labels: Mapping[str, str]) -> str:
    """The popover's data as JSON inside a script element (``<`` escaped, so no text can close it)."""
    citations = [{"id": c.source_id, "outcome": c.outcome, "method": c.method, "reason": c.reason,
                  "sentence": c.sentence, "problem": c.problem, "label": c.label} for c in model.citations]
    data = {"sources": shown, "citations": citations, "labels": labels}
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


def review_html(inputs: ReviewInputs) -> str:
    """The review page (see the module's doc) as one HTML string."""
    model = review_model(inputs)
    labels = labels_for(model.language)
    shown = source_data(model.records, inputs.task_link, labels)
    title = inputs.spec.title if inputs.spec is not None and inputs.spec.title else ""
    title = title or next((line[2:] for line in model.body.splitlines() if line.startswith("# ")), "report")
    note = inputs.note.strip().removeprefix(">").strip()
    note_html = (f'<section id="process-note"><h2>{html.escape(labels["process_note"])}</h2>'
                 f"<p>{html.escape(note)}</p></section>") if note else ""
    return (
        f'<!DOCTYPE html>\n<html lang="{HTML_LANG.get(model.language, model.language)}"><head>'
        f'<meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(labels['page_title'].format(title=_clean(title)))}</title>"
        f"<style>{PAGE_CSS}</style></head><body>"
        f"{_banner(inputs, model, labels)}{note_html}<div class=\"layout\">"
        f'<main id="report" aria-label="{html.escape(labels["report"])}">'
        f"{render_body(model, inputs.spec)}</main>"
        f"{_sources_panel(shown, labels)}</div>"
        f'<div id="popover" role="dialog" hidden></div>'
        f'<script type="application/json" id="review-data">{_page_data(model, shown, labels)}</script>'
        f"<script>{PAGE_SCRIPT}</script></body></html>\n"
    )


def _clean(title: str) -> str:
    """A title for the window: without the sentinels and placeholders the body carries."""
    return re.sub(f"{SENT_OPEN}\\d+{SENT_MID}|{SENT_CLOSE}", "", PLACEHOLDER.sub("", title))
