"""`reportgraph spec TASK.md...`: what the rules read from each task prompt, before a run is spent on it.

A task folder may be given for its task.md (the argument `reportgraph run` takes).

One JSON object per file, one per line, in the order given (no model is asked), with every field that
changes what the report is checked against:
  {"file": str, "language": "zh"|"en", "title": str|null,
   "sections": [title, ...] | null (the task names none),
   "length": {"min": int|null, "max": int|null, "unit": "cjk_chars"|"words"|"chars"|"pages",
              "phrase": str, "approximate": bool, "per_section": [min, max] (a length given per section),
              "counted_as": {"min", "max", "unit", "per_page"} (pages only)} | null,
   "citations": {"required": bool, "per_section": bool, "must_cite": ["pdf"|"video"|"corpus", ...]},
   "facets": {section title | "(whole report)": [facet name, ...]} (what section_substance checks),
   "unparsed": [verbatim requirement-like span no rule understood, ...]}
Exit status 0 when every file was read, 2 when one could not be read (its line carries "error").
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from reportgraph.nodes.context import Context
from reportgraph.tools.intake import BadInputError, read_task_text
from reportgraph.tools.intake.spec import (
    LengthRequirement,
    RequirementSpec,
    parse_requirements,
    section_facets,
)

WHOLE_REPORT = "(whole report)"  # facets of no one section: checked anywhere in the report
EXIT_READ = 0
EXIT_UNREADABLE = 2


def length_line(length: LengthRequirement | None) -> dict[str, Any] | None:
    if length is None:
        return None
    line: dict[str, Any] = {
        "min": length.min,
        "max": length.max,
        "unit": length.unit,
        "phrase": length.source_text,
        "approximate": length.approximate,
    }
    if length.per_section is not None:
        line["per_section"] = list(length.per_section)
    if length.unit == "pages":
        counted = length.in_text_unit()
        line["counted_as"] = {
            "min": counted.min,
            "max": counted.max,
            "unit": counted.unit,
            "per_page": length.per_page,
        }
    return line


def spec_line(file: str, spec: RequirementSpec, task_text: str = "") -> dict[str, Any]:
    """The fields `../shared/eval/spec/score_spec.py` reads, plus every other field checking uses: the
    title, the citation rules and the facets each section is checked for (from ``task_text``)."""
    facets = section_facets(spec, task_text)
    return {
        "file": file,
        "language": spec.language,
        "title": spec.title,
        "sections": [s.title for s in spec.sections] if spec.sections_from_task else None,
        "length": length_line(spec.length),
        "citations": spec.citations.model_dump(),
        "facets": {
            **{s.title: [f.name for f in facets.get(s.index, [])] for s in spec.sections},
            **({WHOLE_REPORT: [f.name for f in facets[0]]} if facets.get(0) else {}),
        },
        "unparsed": spec.unparsed,
    }


def task_file(path: Path) -> Path:
    """The prompt a path names: the file itself, or a task folder's task.md."""
    return path / "task.md" if path.is_dir() else path


def cmd_spec(args: argparse.Namespace) -> int:
    context = Context()
    code = EXIT_READ
    for file in args.files:
        try:
            text = read_task_text(task_file(Path(file))).text
        except BadInputError as error:
            print(json.dumps({"file": file, "error": f"{error.code}: {error}"}, ensure_ascii=False))
            code = EXIT_UNREADABLE
            continue
        spec = parse_requirements(
            text, words_per_page=context.words_per_page, chars_per_page=context.chars_per_page
        )
        print(json.dumps(spec_line(file, spec, text), ensure_ascii=False))
    sys.stdout.flush()
    return code


def register_spec(commands: Any) -> None:
    """Register `spec` on the CLI's subcommands."""
    spec = commands.add_parser(
        "spec", help="print what the rules read from task prompts, one JSON line each",
        description="Print, for each task prompt, the requirements the rules read from it (sections, length, "
        "language, citations) and the spans no rule understood (unparsed), as one JSON line.",
    )
    spec.add_argument(
        "files", nargs="+", metavar="TASK.md", help="a task prompt, or a task folder (its task.md)"
    )
    spec.set_defaults(handler=cmd_spec)
