"""A small reader for the PDFs the letter renderer makes: text runs with their font,
size and position, decoded through each font's ToUnicode map (no PDF library needed)."""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

MM = 72 / 25.4
A4_HEIGHT_PT = 297 * MM
ESCAPES = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("b"): 8, ord("f"): 12}


@dataclass(frozen=True)
class Run:
    """One shown string: its page, font resource, size, position (mm from top-left) and text."""

    page: int
    font: str
    bold: bool
    size: float
    x_mm: float
    y_mm: float
    text: str


def _object(pdf: bytes, number: int) -> bytes:
    """The body of indirect object ``number``, its stream inflated if it was compressed."""
    found = re.search(rb"(?<![\d])%d 0 obj(.*?)endobj" % number, pdf, re.S)
    assert found is not None, number
    body = found.group(1)
    stream = re.search(rb"stream\r?\n(.*)endstream", body, re.S)
    if stream is not None and b"/FlateDecode" in body:
        # The stream's own end is in the data: the newline before 'endstream' is left over.
        return body[: stream.start()] + zlib.decompressobj().decompress(stream.group(1))
    return body


def _unicode_map(pdf: bytes, font_number: int) -> dict[int, str]:
    """Character code to text, from a font's ToUnicode CMap."""
    to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", _object(pdf, font_number))
    assert to_unicode is not None
    cmap = _object(pdf, int(to_unicode.group(1)))
    pairs = re.findall(rb"<([0-9A-Fa-f]{4})> <([0-9A-Fa-f]+)>", cmap)
    return {int(code, 16): bytes.fromhex(text.decode()).decode("utf-16-be") for code, text in pairs}


def _literal(data: bytes, start: int) -> tuple[bytes, int]:
    """A PDF literal string starting just after '(' at ``start``; its bytes and end."""
    out, index, depth = bytearray(), start, 0
    while True:
        char = data[index]
        if char == ord("\\"):
            following = data[index + 1]
            if chr(following).isdigit():
                digits = re.match(rb"[0-7]{1,3}", data[index + 1 : index + 4])
                assert digits is not None
                out.append(int(digits.group(), 8))
                index += 1 + len(digits.group())
                continue
            out.append(ESCAPES.get(following, following))
            index += 2
            continue
        if char == ord("("):
            depth += 1
        elif char == ord(")"):
            if depth == 0:
                return bytes(out), index + 1
            depth -= 1
        out.append(char)
        index += 1


def _fonts(pdf: bytes) -> dict[str, tuple[dict[int, str], bool]]:
    """Each font resource name with its code map and whether it is bold."""
    fonts = {}
    for name, number in re.findall(rb"/(F\d+) (\d+) 0 R", pdf):
        body = _object(pdf, int(number))
        fonts[name.decode()] = (_unicode_map(pdf, int(number)), b"Bold" in body)
    return fonts


def runs(pdf: bytes) -> list[Run]:
    """Every text run of an uncompressed fpdf2 PDF, page by page."""
    fonts = _fonts(pdf)
    found: list[Run] = []
    streams = re.findall(rb"/Type /Page\b(?!s).*?", pdf)
    assert streams
    contents = [int(n) for n in re.findall(rb"/Contents (\d+) 0 R", pdf)]
    for page, number in enumerate(contents, start=1):
        stream = _object(pdf, number)
        font, size = "", 0.0
        for match in re.finditer(rb"/(F\d+) ([\d.]+) Tf|BT ([\d.]+) ([\d.]+) Td \(", stream):
            if match.group(1):
                font, size = match.group(1).decode(), float(match.group(2))
                continue
            raw, _end = _literal(stream, match.end())
            codes, bold = fonts[font]
            text = "".join(codes.get(int.from_bytes(raw[i : i + 2], "big"), "?")
                           for i in range(0, len(raw), 2))  # fmt: skip
            x, y = float(match.group(3)) / MM, (A4_HEIGHT_PT - float(match.group(4))) / MM
            found.append(Run(page, font, bold, size, x, y, text))
    return found


def page_count(pdf: bytes) -> int:
    """How many pages the PDF has."""
    return len(re.findall(rb"/Type /Page\b(?!s)", pdf))


def text(pdf: bytes) -> str:
    """All the text, one run per line."""
    return "\n".join(run.text for run in runs(pdf))
