"""The report's text: the drafted sections assembled under the task's headings, and the needs_review banner
a finished report opens with.

A needs_review report carries one line under its title, ``> needs_review — <unmet item>; <unmet item>``:
the run's verdict on the report, not part of it (the run's own checks never see it). ``final_report`` is the
one place that adds it, for report.md and for the graph's ``report_markdown`` alike; ``strip_review_banner``
takes exactly that line away again, so ``reportgraph check`` counts a report the product wrote as the run
counted it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from reportgraph.prompts.materials import material_disclosures
from reportgraph.prompts.report import DEFAULT_TITLE
from reportgraph.tools.intake.spec import RequirementSpec
from reportgraph.tools.registry import render_citations

REVIEW_MARK = "> needs_review — "
# Video outcomes the report discloses (what could not be analysed).
DISCLOSED_VIDEO_STATUSES = ("failed", "partial")


def assemble(
    spec: RequirementSpec,
    drafts: Mapping[str, str],
    video: Mapping[str, Any],
    materials: Mapping[str, Any] | None,
) -> str:
    """The report as drafted (``[@id]`` citations): title, what the video analysis and the materials could
    not give, then each required section under its exact heading. How it was drafted is not part of the
    reader's report (issue 26: they hand report.md in as their work): run.json and report.html say it.
    ``drafts``: section index (str) → text; ``video``: the video nodes' outcome (status, disclosure);
    ``materials``: retrieval's materials summary."""
    title = spec.title or DEFAULT_TITLE[spec.language]
    parts = [f"# {title}"]
    has_video_section = any(section.focus == "video" for section in spec.sections)
    if video.get("disclosure") and video.get("status") in DISCLOSED_VIDEO_STATUSES and not has_video_section:
        parts.append(f"> {video['disclosure']}")
    parts.extend(f"> {line}" for line in material_disclosures(dict(materials or {}), spec.language))
    for section in spec.sections:
        parts.append(f"## {section.heading}")
        parts.append(drafts.get(str(section.index), "").strip())
    return "\n\n".join(part for part in parts if part) + "\n"


def review_banner(unmet: Sequence[str]) -> str:
    """The banner line: the mark, then the unmet items joined by "; " (each on one line)."""
    return REVIEW_MARK + "; ".join(" ".join(item.split()) for item in unmet)


def final_report(
    markdown: str, registry: Mapping[str, Mapping[str, Any]], status: str, unmet: Sequence[str]
) -> str:
    """``markdown`` (``[@id]`` citations) as the reader gets it: citations rendered, and when ``status`` is
    needs_review the banner after the ``# title`` line (or first, without a title), a blank line around it."""
    rendered = render_citations(markdown, registry)
    if status != "needs_review":
        return rendered
    banner = review_banner(unmet)
    title, _, rest = rendered.partition("\n")
    return f"{title}\n\n{banner}\n{rest}" if title.startswith("# ") else f"{banner}\n\n{rendered}"


def strip_review_banner(report: str) -> str:
    """``report`` without the banner ``final_report`` put in, where it puts it; any other text is left alone
    (a line further down that happens to start with the mark is the author's)."""
    title, _, rest = report.partition("\n")
    if title.startswith("# ") and rest.startswith("\n" + REVIEW_MARK):
        end = rest.find("\n", 1)
        return f"{title}\n{rest[end + 1:]}" if end != -1 else f"{title}\n"
    if report.startswith(REVIEW_MARK):
        end = report.find("\n")
        return report[end + 2 :] if end != -1 and report[end : end + 2] == "\n\n" else report
    return report
