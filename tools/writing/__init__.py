"""Writing: the offline writer (no model) and its parts; output files live in outputs.py."""

from reportgraph.tools.writing.evidence import SectionEvidence, assign_sentences, gather, rebalance
from reportgraph.tools.writing.extractive import is_fragment, is_junk, sentence_key, usable
from reportgraph.tools.writing.offline import OfflineSection, write_offline_section
from reportgraph.tools.writing.plan import FacetEvidence, SectionPlan

__all__ = [
    "FacetEvidence",
    "OfflineSection",
    "SectionEvidence",
    "SectionPlan",
    "assign_sentences",
    "gather",
    "is_fragment",
    "is_junk",
    "rebalance",
    "sentence_key",
    "usable",
    "write_offline_section",
]
