"""Reading a task's materials: the task, its requirements, the collection and the PDFs."""

from reportgraph.tools.intake.documents import DocumentExtraction, read_document
from reportgraph.tools.intake.materials import (
    material_notes,
    materials_summary,
    nothing_to_cite,
    talks,
    unpaired_subtitles,
    unread_materials,
)
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
    "DocumentExtraction",
    "Inventory",
    "PaperMetadata",
    "PdfExtraction",
    "decode_task_bytes",
    "extract_pdf",
    "inventory",
    "material_notes",
    "materials_summary",
    "nothing_to_cite",
    "paper_metadata",
    "read_document",
    "read_task_text",
    "require_task_dir",
    "talks",
    "unpaired_subtitles",
    "unread_materials",
]
