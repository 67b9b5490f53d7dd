"""Writing: the offline writer (no model) and its parts; output files live in outputs.py, the review page
(report.html) in review.py and review_page.py."""

from reportgraph.tools.writing.evidence import SectionEvidence, assign_sentences, gather, rebalance
from reportgraph.tools.writing.extractive import is_fragment, is_junk, sentence_key, usable
from reportgraph.tools.writing.offline import OfflineSection, write_offline_section
from reportgraph.tools.writing.review import ReviewInputs, task_link
from reportgraph.tools.writing.review_page import review_html
from reportgraph.tools.writing.section_plan import FacetEvidence, SectionPlan

__all__ = [
    "FacetEvidence",
    "OfflineSection",
    "ReviewInputs",
    "SectionEvidence",
    "SectionPlan",
    "assign_sentences",
    "gather",
    "is_fragment",
    "is_junk",
    "rebalance",
    "review_html",
    "sentence_key",
    "task_link",
    "usable",
    "write_offline_section",
]
