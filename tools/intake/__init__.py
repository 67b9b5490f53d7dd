"""Reading a task's materials: the task, its requirements, the collection and the PDFs."""

from reportgraph.tools.intake.materials import material_notes, materials_summary
from reportgraph.tools.intake.paper import PaperMetadata
from reportgraph.tools.intake.pdf import PdfExtraction, extract_pdf, paper_metadata
from reportgraph.tools.intake.taskio import (
    BadInputError,
    Inventory,
    inventory,
    read_task_text,
    require_task_dir,
)

__all__ = [
    "BadInputError",
    "Inventory",
    "PaperMetadata",
    "PdfExtraction",
    "extract_pdf",
    "inventory",
    "material_notes",
    "materials_summary",
    "paper_metadata",
    "read_task_text",
    "require_task_dir",
]
