"""The needs_review banner: added in one place, taken off exactly, nothing else touched."""

from __future__ import annotations

from reportgraph.tools.registry import SourceRecord, to_registry
from reportgraph.tools.writing.report import REVIEW_MARK, final_report, strip_review_banner

REGISTRY = to_registry([SourceRecord(id="pdf-1-p1", kind="pdf", segment="page", source_file="tea.pdf", page=1,
                                     text="Tea is old.")])
TITLED = "# Tea Notes\n\n> Note: written by a model.\n\n## 1. Origins\n\nTea is old [@pdf-1-p1].\n"
UNTITLED = "## 1. Origins\n\nTea is old [@pdf-1-p1].\n"
UNMET = ["length: 5 words (required 100–250)", "citations_resolve: 1 citation\ndoes not resolve"]


def test_a_needs_review_report_carries_one_banner_line_under_its_title_and_a_pass_none() -> None:
    report = final_report(TITLED, REGISTRY, "needs_review", UNMET)
    lines = report.splitlines()
    assert lines[0] == "# Tea Notes" and lines[1] == ""
    joined = "length: 5 words (required 100–250); citations_resolve: 1 citation does not resolve"
    assert lines[2] == REVIEW_MARK + joined
    assert lines[3] == ""
    assert "[@pdf-1-p1]" not in report  # citations rendered
    assert REVIEW_MARK not in final_report(TITLED, REGISTRY, "pass", [])
    assert final_report(UNTITLED, REGISTRY, "needs_review", UNMET).startswith(REVIEW_MARK)


def test_strip_takes_off_exactly_the_banner_it_put_in() -> None:
    for markdown in (TITLED, UNTITLED):
        plain = final_report(markdown, REGISTRY, "pass", [])
        assert strip_review_banner(final_report(markdown, REGISTRY, "needs_review", UNMET)) == plain
        assert strip_review_banner(plain) == plain


def test_a_line_like_the_banner_anywhere_else_is_the_authors_and_kept() -> None:
    quoted = TITLED.replace("## 1. Origins\n\n", f"## 1. Origins\n\n{REVIEW_MARK}length\n\n")
    assert strip_review_banner(quoted) == quoted
    after_note = "# Tea Notes\n\n> Note: written by a model.\n" + REVIEW_MARK + "x\n"
    assert strip_review_banner(after_note) == after_note
