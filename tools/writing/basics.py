"""Basic information: the paper's title, authors, venue and year as key–value lines cited to page 1."""

from __future__ import annotations

from reportgraph.prompts.offline import BASIC_LABELS, GAP_METADATA, LIST_JOINER
from reportgraph.tools.intake.paper import PaperMetadata
from reportgraph.tools.writing.ledger import Ledger

FIELDS = ("title", "authors", "affiliations", "venue", "year")
REQUIRED = ("title", "authors", "venue", "year")  # what the checker's basic-information facets ask for


def write_basics(paper: PaperMetadata, lang: str, ledger: Ledger) -> list[str]:
    """Add one line per fact the first page gave; return the names of the facts it did not give."""
    labels = BASIC_LABELS[lang]
    values = {
        "title": paper.title,
        "authors": LIST_JOINER[lang].join(paper.authors),
        "affiliations": LIST_JOINER[lang].join(paper.affiliations),
        "venue": f"{paper.venue}（{paper.venue_short}）" if lang == "zh" and paper.venue_short
        else f"{paper.venue} ({paper.venue_short})" if paper.venue_short else paper.venue,
        "year": paper.year,
    }
    missing = []
    for name in FIELDS:
        value = values[name].strip()
        if not value or not paper.cite:
            missing += [name] if name in REQUIRED else []
            continue
        line = f"{labels[name]}：{value}" if lang == "zh" else f"{labels[name]}: {value}"
        ledger.claim(line)
        ledger.add(f"- {line}[@{paper.cite}]")
    if missing:
        fields = LIST_JOINER[lang].join(labels[name] for name in missing)
        ledger.add("")
        ledger.add(GAP_METADATA[lang].format(fields=fields))
    return missing
