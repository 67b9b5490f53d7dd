"""Small PDFs the tests write byte by byte, so the content stream's order and the font's Unicode map are
exactly what a test needs (text drawn row by row across two columns, ligature glyphs, pictures only).

Text uses the base-14 Helvetica; bytes 0x01–0x05 are the ligatures ﬁ ﬂ ﬀ ﬃ ﬄ through the font's
ToUnicode map (as TeX fonts do), and ``unmapped=True`` maps 0x03 (ﬀ) to U+0000, the broken map of real
papers. ``Run`` coordinates are PDF points from the bottom-left corner of an A4 page (595 × 842).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

LIGATURES = {"ﬁ": 1, "ﬂ": 2, "ﬀ": 3, "ﬃ": 4, "ﬄ": 5}
PAGE_WIDTH, PAGE_HEIGHT = 595, 842


@dataclass(frozen=True)
class Run:
    x: float
    y: float
    text: str
    size: float = 10.0


@dataclass
class Page:
    runs: list[Run] = field(default_factory=list)
    picture: np.ndarray | None = None  # BGR image drawn over the whole page


def _encode(text: str) -> bytes:
    out = bytearray()
    for char in text:
        code = LIGATURES.get(char, ord(char))
        out += b"\\" + bytes([code]) if char in "()\\" else bytes([code])
    return bytes(out)


def _to_unicode(unmapped: bool) -> bytes:
    entries = [f"<{code:02X}> <{ord(char):04X}>" for char, code in LIGATURES.items()]
    if unmapped:
        entries[2] = "<03> <0000>"
    return (
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /L-UCS def /CMapType 2 def\n"
        b"1 begincodespacerange <00> <FF> endcodespacerange\n"
        + f"{len(entries)} beginbfchar\n{chr(10).join(entries)}\nendbfchar\n".encode()
        + b"1 beginbfrange <20> <7E> <0020> endbfrange\n"
        b"endcmap CMapName currentdict /CMap defineresource pop end end"
    )


def make_pdf(pages: list[Page], *, info: dict[str, str] | None = None, unmapped: bool = False) -> bytes:
    """A PDF of ``pages``; ``info`` fills the document information dictionary (Title, Author …)."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    def stream(data: bytes, extra: bytes = b"") -> int:
        return add(b"<< /Length %d %s >>\nstream\n" % (len(data), extra) + data + b"\nendstream")

    cmap = stream(_to_unicode(unmapped))
    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode %d 0 R >>" % cmap)
    pages_id = len(objects) + 1 + 2 * len(pages) + sum(page.picture is not None for page in pages)
    kids = []
    for page in pages:
        content = b"".join(
            b"BT /F1 %.1f Tf %.1f %.1f Td (%s) Tj ET\n" % (run.size, run.x, run.y, _encode(run.text))
            for run in page.runs
        )
        xobject = b""
        if page.picture is not None:
            height, width = page.picture.shape[:2]
            jpeg = cv2.imencode(".jpg", page.picture, [cv2.IMWRITE_JPEG_QUALITY, 92])[1].tobytes()
            image = stream(
                jpeg,
                b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB "
                b"/BitsPerComponent 8 /Filter /DCTDecode" % (width, height),
            )
            xobject = b"/XObject << /Im1 %d 0 R >>" % image
            content = b"q %d 0 0 %d 0 0 cm /Im1 Do Q\n" % (PAGE_WIDTH, PAGE_HEIGHT) + content
        body = stream(content)
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %d %d] /Contents %d 0 R "
                b"/Resources << /Font << /F1 %d 0 R >> %s >> >>"
                % (pages_id, PAGE_WIDTH, PAGE_HEIGHT, body, font, xobject)
            )
        )
    assert (
        add(b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids)))
        == pages_id
    )
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    fields = b" ".join(b"/%s (%s)" % (k.encode(), v.encode("latin-1")) for k, v in (info or {}).items())
    info_id = add(b"<< %s >>" % fields)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        catalog,
        info_id,
        xref,
    )
    return bytes(out)


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` characters, broken at spaces."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def two_column_page(left: str, right: str, *, header: str = "", footer: str = "") -> Page:
    """A page whose two columns are drawn ROW BY ROW (left line 1, right line 1, left line 2 …), as some
    producers write them, so only layout analysis recovers the reading order."""
    left_lines, right_lines = wrap(left, 46), wrap(right, 46)
    runs = [Run(60, 800, header, 8)] if header else []
    for row in range(max(len(left_lines), len(right_lines))):
        y = 760 - row * 13
        if row < len(left_lines):
            runs.append(Run(60, y, left_lines[row]))
        if row < len(right_lines):
            runs.append(Run(315, y, right_lines[row]))
    if footer:
        runs.append(Run(290, 40, footer, 8))
    return Page(runs)


def picture_page(lines: list[str]) -> Page:
    """A page that is only a picture of ``lines`` (a scan): no text layer at all."""
    image = np.full((1684, 1190, 3), 255, np.uint8)
    for row, line in enumerate(lines):
        cv2.putText(image, line, (100, 200 + row * 90), cv2.FONT_HERSHEY_SIMPLEX, 1.6, (0, 0, 0), 3)
    return Page(picture=image)
