"""Small documents of every kind a task folder may hold besides the collection and PDFs, made by the tests
themselves (python-docx, python-pptx, openpyxl write them; text, Markdown, HTML and CSV are written as is).

Each file states one fact of its own (``FACTS``), so a test can find the record that holds it and cite it.
"""

from __future__ import annotations

from pathlib import Path

# One fact per kind, in words of its own: a test finds each in the records read from its file.
FACTS = {
    "notes.txt": "Beekeepers in the valley move their hives uphill when the clover flowers in late June.",
    "guide.md": "A sourdough starter doubles in volume within six hours when it is fed at room temperature.",
    "page.html": "The old lighthouse keeper logged every passing schooner in a leather-bound ledger.",
    "memo.docx": "Glacier meltwater raised the level of the mountain lake by forty centimetres last summer.",
    "deck.pptx": "Cargo bicycles carried a third of the parcels delivered in the old town in spring.",
    "rainfall.csv": "station: Harbour station; rainfall_mm: 212",
    "yields.xlsx": "orchard: Terrace orchard; tonnes: 37",
}


def write_documents(folder: Path) -> dict[str, Path]:
    """Write one file of each kind into ``folder``; their paths by name."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "notes.txt").write_text(f"Field notes\n\n{FACTS['notes.txt']}\n", encoding="utf-8")
    (folder / "guide.md").write_text(f"# Baking at home\n\nSome *kitchen* notes.\n\n{FACTS['guide.md']}\n",
                                     encoding="utf-8")
    (folder / "page.html").write_text(
        "<html><head><title>Coastal history</title><style>p{color:red}</style></head><body>"
        "<nav>Home | About | Contact</nav><h1>Coastal history</h1>"
        f"<p>{FACTS['page.html']}</p><script>var tracking = 1;</script></body></html>", encoding="utf-8")
    _docx(folder / "memo.docx")
    _pptx(folder / "deck.pptx")
    (folder / "rainfall.csv").write_text("station,rainfall_mm\nHarbour station,212\nRidge station,148\n",
                                         encoding="utf-8")
    _xlsx(folder / "yields.xlsx")
    return {name: folder / name for name in FACTS}


def _docx(path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Mountain lake survey", level=1)
    document.add_paragraph(FACTS["memo.docx"])
    table = document.add_table(rows=2, cols=2)
    for row, values in zip(table.rows, (("year", "level"), ("2023", "+40 cm")), strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    document.save(str(path))


def _pptx(path: Path) -> None:
    import pptx

    deck = pptx.Presentation()
    first = deck.slides.add_slide(deck.slide_layouts[0])
    first.shapes.title.text = "City logistics"
    second = deck.slides.add_slide(deck.slide_layouts[1])
    second.shapes.title.text = "Who delivers"
    second.placeholders[1].text = FACTS["deck.pptx"]
    second.notes_slide.notes_text_frame.text = "Ask the audience how they receive parcels."
    deck.save(str(path))


def _xlsx(path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Harvest"
    for row in (("orchard", "tonnes"), ("Terrace orchard", 37), ("River orchard", 22)):
        sheet.append(row)
    book.save(str(path))
