"""report.html's content, read from the HTML (the browser tests are in test_review_browser.py)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import review_material as material
from reportgraph.prompts.review import REVIEW_LABELS
from reportgraph.tools.writing import ReviewInputs, review_html, task_link
from reportgraph.tools.writing.report import final_report


class Elements(HTMLParser):
    """Every element's tag, attributes and text (its own and its children's)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[dict[str, Any]] = []
        self.open: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = {"tag": tag, **{k: v or "" for k, v in attrs}, "text": ""}
        self.found.append(element)
        if tag not in ("meta", "br", "hr", "img", "input", "link"):
            self.open.append(element)

    def handle_endtag(self, tag: str) -> None:
        while self.open:
            if self.open.pop()["tag"] == tag:
                break

    def handle_data(self, data: str) -> None:
        for element in self.open:
            element["text"] += data


def parse(page: str) -> Elements:
    parser = Elements()
    parser.feed(page)
    return parser


def page_data(page: str) -> dict[str, Any]:
    raw = re.search(r'<script type="application/json" id="review-data">(.*?)</script>', page, re.S)
    assert raw is not None
    return json.loads(raw.group(1))


def citations(page: str) -> list[dict[str, Any]]:
    return [e for e in parse(page).found if e["tag"] == "button" and "cite" in e.get("class", "")]


def render(markdown: str = material.REPORT, **overrides: Any) -> str:
    inputs = {"markdown": markdown, "registry": material.REGISTRY, "validation": material.validation(),
              "spec": material.spec(), "task_link": "../task", **overrides}
    return review_html(ReviewInputs(**inputs))


def test_each_citation_carries_its_source_id_and_its_sentences_outcome() -> None:
    found = citations(render())
    assert [c["data-source-id"] for c in found] == [
        material.PLANT_PAGE.id, material.PLANT_PAGE.id, material.HARBOUR_CHUNK.id, material.PLANT_PAGE.id,
        "vid-3c3c3c3c-83000-101000-cited",  # the time range as the checker resolved it
    ]
    assert [c["data-outcome"] for c in found] == ["supported", "unsupported", "supported", "supported",
                                                  "supported"]
    assert found[0]["text"] == "[barrage.pdf p.2]"
    data = page_data(render())
    assert data["citations"][1]["method"] == "consistency" and "910" in data["citations"][1]["reason"]
    assert data["citations"][1]["sentence"].startswith(material.UNSUPPORTED)


def test_the_popover_data_holds_each_passage_with_links_to_the_place_in_its_file() -> None:
    sources = page_data(render())["sources"]
    assert sources[material.PLANT_PAGE.id]["href"] == "../task/barrage.pdf#page=2"
    video = sources["vid-3c3c3c3c-83000-101000-cited"]
    assert video["href"] == "../task/lecture.mp4#t=83" and video["where"] == "01:23–01:41"
    assert video["text"].endswith(material.LECTURE.text)
    chunk = sources[material.HARBOUR_CHUNK.id]
    assert chunk["url"] == material.HARBOUR_CHUNK.url and chunk["title"] == "Harbour tides"
    panel = [e for e in parse(render()).found if e["tag"] == "section" and e.get("class") == "source"]
    assert len(panel) == 3 and material.PLANT_PAGE.text in panel[0]["text"]


def test_the_banner_names_each_unmet_check_and_links_its_sections_and_sentences() -> None:
    page = render()
    found = parse(page).found
    unmet = {e["data-check"]: e for e in found if "data-check" in e}
    # relevance: its one collection document cannot be ranked without an embedder (issue 27)
    assert set(unmet) == {"claims_cited", "citation_support", "section_substance", "relevance"}
    assert "could not be judged" in unmet["relevance"]["text"]
    assert "1 unsupported" in unmet["citation_support"]["text"]
    headings = {e["id"]: e["text"] for e in found if e["tag"] == "h2" and e.get("id")}
    assert headings == {"sec-1": "1. Plant Overview", "sec-2": "2. Lecture Notes"}
    links = [e["href"] for e in found if e["tag"] == "a" and e.get("href", "").startswith("#")]
    assert "#sec-1" in links and "#sec-2" in links
    marked = {e["class"]: e for e in found if e["tag"] == "span" and "sent" in e.get("class", "").split()}
    assert marked["sent claim"]["text"] == material.UNCITED
    assert marked["sent bad"]["text"].startswith(material.UNSUPPORTED)
    assert f'#{marked["sent claim"]["id"]}' in links and f'#{marked["sent bad"]["id"]}' in links


def test_unresolved_citations_still_render_each_marked() -> None:
    report = ("# Estuary Barrage Review\n\n## 1. Plant Overview\n\nSilt built up behind the gates "
              "[barrage.pdf p.9]. The gates were rebuilt [turbines.pdf p.1]. "
              "The survey came first [@lc-nowhere-3]. Output fell [4].\n\n## 2. Lecture Notes\n\n"
              "The talk is short [lecture.mp4 40:00–41:00].\n")
    for registry in (material.REGISTRY, {}):
        found = citations(render(report, registry=registry, validation={}))
        assert [c["data-outcome"] for c in found] == ["unresolved"] * 5
        assert [c["text"] for c in found] == ["[barrage.pdf p.9]", "[turbines.pdf p.1]", "[@lc-nowhere-3]",
                                              "[4]", "[lecture.mp4 40:00–41:00]"]
        problems = [c["problem"] for c in page_data(render(report, registry=registry))["citations"]]
        assert all(problems)
        assert ("has no page 9" if registry else "no PDF named barrage.pdf") in problems[0]


def test_the_process_note_is_shown_apart_and_the_review_banner_line_is_not_in_the_body() -> None:
    note = "> Note: this report was drafted by a model from the retrieved evidence."
    body = material.REPORT.replace("## 1.", f"{note}\n\n## 1.", 1)
    reader = final_report(body, {}, "needs_review", ["length: too short"])
    page = render(reader, note=note)
    found = parse(page).found
    main = next(e for e in found if e["tag"] == "main")
    assert "drafted by a model" not in main["text"] and "needs_review —" not in main["text"]
    shown = next(e for e in found if e.get("id") == "process-note")
    assert note.removeprefix("> ") in shown["text"]


def test_the_page_loads_nothing_and_speaks_the_reports_language() -> None:
    page = render(spec=material.spec("zh"))
    assert re.search(r"""\b(?:src|srcset)=|<link\b|@import|url\(""", page) is None
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert '<html lang="zh-CN">' in page and REVIEW_LABELS["zh"]["sources"] in page
    assert REVIEW_LABELS["en"]["sources"] in render()
    # A report's own HTML is shown as text, never run.
    hostile = render(material.REPORT + "\n<script>alert(1)</script> <img src=x onerror=alert(2)>\n")
    assert "<script>alert" not in hostile and "<img" not in hostile


def test_task_link_is_relative_to_the_page(tmp_path: Path) -> None:
    (tmp_path / "tasks" / "t1").mkdir(parents=True)
    assert task_link(tmp_path / "tasks" / "t1", tmp_path / "out" / "t1") == "../../tasks/t1"
    assert task_link(tmp_path, tmp_path) == "."
