"""Reading a task's materials: the task, its requirements, the collection and the PDFs."""

from reportgraph.tools.intake.materials import material_notes, materials_summary
from reportgraph.tools.intake.paper import PaperMetadata
from reportgraph.tools.intake.pdf import PdfExtraction, extract_pdf, paper_metadata

__all__ = [
    "PaperMetadata",
    "PdfExtraction",
    "extract_pdf",
    "material_notes",
    "materials_summary",
    "paper_metadata",
]
