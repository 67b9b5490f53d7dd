"""Reading a task's materials: the task, its requirements, the collection and the PDFs."""

from reportgraph.tools.intake.materials import material_notes, materials_summary, unpaired_subtitles
from reportgraph.tools.intake.paper import PaperMetadata
from reportgraph.tools.intake.pdf import PdfExtraction, extract_pdf, paper_metadata
from reportgraph.tools.intake.taskio import (
    BadInputError,
    Inventory,
    decode_task_bytes,
    inventory,
    read_task_text,
    require_task_dir,
)

__all__ = [
    "BadInputError",
    "Inventory",
    "PaperMetadata",
    "PdfExtraction",
    "decode_task_bytes",
    "extract_pdf",
    "inventory",
    "material_notes",
    "materials_summary",
    "paper_metadata",
    "read_task_text",
    "require_task_dir",
    "unpaired_subtitles",
]
