"""What the offline writer is given for a section besides its evidence: facets with their ranked evidence
ids, the paper's first-page facts (tools/intake/paper.py), and the sentences other sections own.

Retrieval fills these (nodes/retrieve.py) into the section's outline item, as plain JSON, so they travel
with the section through checkpoints and ``Send``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from reportgraph.tools.intake.paper import PaperMetadata


class FacetEvidence(BaseModel):
    """A facet of a section (tools/intake/spec/facets.py) and the record ids its queries found, best first."""

    name: str
    kind: str = Field(description="task_term | section_kind (the checker's facet kinds)")
    terms: list[str] = Field(default_factory=list)
    ids: list[str] = Field(default_factory=list)


class SectionPlan(BaseModel):
    """The writer's extra inputs for one section, read from its outline item."""

    kind: str | None = Field(default=None, description="The checker's section kind, e.g. basic_information")
    facets: list[FacetEvidence] = Field(default_factory=list)
    paper: PaperMetadata | None = Field(default=None, description="The paper's page-1 facts, with ``cite``")
    taken: list[str] = Field(default_factory=list, description="Sentence keys other sections own")

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> SectionPlan:
        return cls.model_validate(item.get("offline") or {})
