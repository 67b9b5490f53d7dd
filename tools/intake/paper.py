"""A paper's title, authors, affiliations, venue and year, read from its first page's layout and the
PDF's document information.

The title is the run of lines in the largest font in the upper part of page 1 (running headers such
as "Proceedings of …" are smaller); the authors are the lines below it, up to the abstract, that hold
person names once their affiliation marks (♠ ∗ † 1 …) are cut off; affiliation lines name a university,
institute, laboratory … The venue is the page's "Proceedings of / Conference / Journal …" line; its usual
acronym is given when the name is one of the well-known venues below. Document information (Title,
Author) is used when the page gives nothing.
"""

from __future__ import annotations

import re
from collections import Counter

from pydantic import BaseModel, Field
from reportgraph.tools.intake.pdflayout import Line, PageLayout, join_lines

_UPPER_PART = 0.5  # title and authors sit in the upper half of page 1
_SAME_SIZE = 0.6  # points: lines this close to the largest size belong to the title
_VENUE = re.compile(
    r"Proceedings of|Conference|Workshop|Journal|Transactions|Symposium|Published as|arXiv:|学报|会议", re.I
)
_HEADER = re.compile(r"Proceedings of|©|\(c\)|arXiv:|pages \d|Vol\.|doi|Published as|Journal", re.I)
_ABSTRACT = re.compile(r"^\s*(abstract|摘\s*要)\b", re.I)
_AFFILIATION = re.compile(
    r"Universit|Institut|Laborator|\bLab\b|College|School|Department|Dept\.|Inc\.|Research|Academy|"
    r"Center|Centre|Corporation|大学|研究|学院|实验室|公司",
    re.I,
)
_MARKS = r"♠♢♡♣♦♥♤♧∗*†‡§¶⋆★#"
# Affiliation marks printed inline: "(1)", "[2]", and a lone small letter after a name ("Henrik Dahl a,").
_INLINE_MARK = r"[(\[]\w{1,2}[)\]]|(?<=\s)[a-z](?=\s|,|$|[" + _MARKS + r"])"
_NAME_SPLIT = re.compile(rf"[{_MARKS}\d,;，、]+|{_INLINE_MARK}|\s{{2,}}|\band\b|&")
# Where one affiliation ends and the next begins: marks, "2Yale", ";", "(2) …", "b Marine …".
_AFFILIATION_SPLIT = re.compile(
    rf"[{_MARKS}]+|\s\d+(?=[A-Z])|^\d+|;|[(\[]\w{{1,2}}[)\]]|(?:^|(?<=\s))[a-z](?=\s[A-Z])"
)
_PERSON = re.compile(r"^[A-Z][\w'’.\-]*(?: (?:[A-Z][\w'’.\-]*|de|van|von|der|la|da|di|le)){1,3}$")
_CHINESE_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
_EMAIL = re.compile(r"@|\{.*\}")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_PAGES = re.compile(r",?\s*pages \d.*$", re.I)
# The usual acronyms of well-known venues, by words their printed names contain.
VENUE_ACRONYMS = {
    "European Chapter of the Association for Computational Linguistics": "EACL",
    "North American Chapter of the Association for Computational Linguistics": "NAACL",
    "Asia-Pacific Chapter of the Association for Computational Linguistics": "AACL",
    "Findings of the Association for Computational Linguistics": "Findings of ACL",
    "Annual Meeting of the Association for Computational Linguistics": "ACL",
    "Empirical Methods in Natural Language Processing": "EMNLP",
    "International Conference on Computational Linguistics": "COLING",
    "International Conference on Learning Representations": "ICLR",
    "International Conference on Machine Learning": "ICML",
    "Neural Information Processing Systems": "NeurIPS",
    "AAAI Conference on Artificial Intelligence": "AAAI",
}


class PaperMetadata(BaseModel):
    """Facts of a paper's first page. Empty strings/lists when the page does not give them."""

    title: str = ""
    authors: list[str] = Field(default_factory=list, description="In printed order, marks removed")
    affiliations: list[str] = Field(default_factory=list)
    venue: str = Field(default="", description='As printed, e.g. "Proceedings of the 17th Conference of …"')
    venue_short: str = Field(default="", description="The venue's usual acronym (EACL, ICLR …) if well known")
    year: str = ""
    page: int = 1
    cite: str = Field(default="", description="Id of the page-1 record that states these facts")


def read_paper_metadata(first_page: PageLayout | None, info: dict[str, str]) -> PaperMetadata:
    """Facts from page 1's lines (``first_page``) and the document information (``info``: Title,
    Author, Subject as pdfium gives them)."""
    lines = sorted(first_page.lines(), key=lambda line: (round(line.top), line.x0)) if first_page else []
    upper = [line for line in lines if first_page and line.top < first_page.height * _UPPER_PART]
    title_lines = _title_lines([line for line in upper if not _HEADER.search(line.text)])
    title = join_lines([line.text for line in title_lines]) or info.get("Title", "").strip()
    below = upper[upper.index(title_lines[-1]) + 1 :] if title_lines else []
    front = []
    for line in below:
        if _ABSTRACT.match(line.text):
            break
        front.append(line.text)
    authors = [name for text in front if not _AFFILIATION.search(text) for name in _names(text)]
    if not authors and info.get("Author"):
        authors = [name.strip() for name in re.split(r"[;,]| and ", info["Author"]) if name.strip()]
    affiliations = [part for text in front if _AFFILIATION.search(text) for part in _affiliations(text)]
    venue_line = next((line.text for line in lines if _VENUE.search(line.text)), info.get("Subject", ""))
    # Only a printed year (header, venue line): the file's creation date is when this copy was made
    # (a scan, a re-save), not when the paper appeared, and page 1 would be cited for it.
    year = next(
        (
            m.group(0)
            for text in (" ".join(line.text for line in lines if _HEADER.search(line.text)), venue_line)
            if (m := _YEAR.search(text))
        ),
        "",
    )
    return PaperMetadata(
        title=title,
        authors=list(dict.fromkeys(authors)),
        affiliations=list(dict.fromkeys(affiliations)),
        venue=_PAGES.sub("", venue_line).strip(),
        venue_short=next((short for name, short in VENUE_ACRONYMS.items() if name in venue_line), ""),
        year=year,
    )


def _title_lines(lines: list[Line]) -> list[Line]:
    """The consecutive lines in the page's largest font (with letters), top first."""
    worded = [line for line in lines if sum(char.isalpha() for char in line.text) >= 2]
    if not worded:
        return []
    largest = max(line.size for line in worded)
    start = next(i for i, line in enumerate(worded) if line.size >= largest - _SAME_SIZE)
    run = [worded[start]]
    weights = Counter[int]()
    for line in lines:
        weights[round(line.size)] += len(line.text)
    if round(largest) <= weights.most_common(1)[0][0]:  # the body text's size, by characters
        return run  # a page set in one size: its title, if any, is its first line
    for line in worded[start + 1 :]:
        if line.size < largest - _SAME_SIZE or line.top - run[-1].bottom > 1.5 * largest:
            break
        if _AFFILIATION.search(line.text) or _EMAIL.search(line.text) or _author_line(line.text):
            break  # a page set in one size: the title ends where the names begin
        run.append(line)
    return run


def _author_line(text: str) -> bool:
    names = _names(text)
    return len(names) >= 2 or (len(names) == 1 and re.search(rf"[{_MARKS}]", text) is not None)


def _names(text: str) -> list[str]:
    if _EMAIL.search(text):
        return []
    parts = (part.strip(" .") for part in _NAME_SPLIT.split(text))
    return [part for part in parts if _PERSON.match(part) or _CHINESE_NAME.match(part)]


def _affiliations(text: str) -> list[str]:
    if _EMAIL.search(text):
        return []
    return [part.strip(" ,;") for part in _AFFILIATION_SPLIT.split(text) if _AFFILIATION.search(part)]


def metadata_text(meta: PaperMetadata) -> str:
    """The facts as the text of their citable page-1 record (labels in English, values as printed)."""
    rows = [
        ("Title", meta.title),
        ("Authors", "; ".join(meta.authors)),
        ("Affiliations", "; ".join(meta.affiliations)),
        ("Venue", meta.venue + (f" ({meta.venue_short})" if meta.venue_short else "")),
        ("Year", meta.year),
    ]
    return "\n".join(f"{label}: {value}" for label, value in rows if value)


def authors_in_record(text: str) -> list[str]:
    """The author names a page-1 record (:func:`metadata_text`) lists; [] for any other text."""
    for line in text.splitlines():
        label, _, value = line.partition(": ")
        if label == "Authors":
            return [name.strip() for name in value.split(";") if name.strip()]
    return []
