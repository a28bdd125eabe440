"""A small rasteriser for the PDFs fpdf2 writes (text in embedded TrueType fonts, fills, images
as boxes): enough to look at a receipt and compare renderings, with fontTools and Pillow only.

It reads the PDF itself — content stream, CIDToGIDMap, widths, the embedded font — so what it
draws is the glyphs the file holds, in the places the file puts them.
"""

from __future__ import annotations

import io
import re
import zlib
from dataclasses import dataclass, field
from typing import Any

from fontTools.pens.basePen import BasePen
from fontTools.ttLib import TTFont
from PIL import Image, ImageChops, ImageDraw

TOKEN = re.compile(rb"\((?:\\.|[^\\)])*\)|\[|\]|/[^\s/\[\]()<>]+|[-+]?\d*\.?\d+|[A-Za-z'\"*]+",
                   re.S)


def objects(data: bytes) -> dict[int, bytes]:
    """Every `n 0 obj … endobj` of the file by number. A stream is skipped by its /Length,
    since its bytes (a compressed font) may hold "endobj" or "endstream" by chance."""
    found: dict[int, bytes] = {}
    pos = 0
    while (start := re.compile(rb"(\d+) 0 obj").search(data, pos)) is not None:
        body = start.end()
        opened = re.compile(rb"stream\r?\n|endobj").search(data, body)
        assert opened is not None
        end = opened.start()
        if opened.group(0).startswith(b"stream"):
            length = re.search(rb"/Length (\d+)", data[body:opened.start()])
            assert length is not None
            end = opened.end() + int(length.group(1))
        close = data.index(b"endobj", end)
        found[int(start.group(1))] = data[body:close]
        pos = close + len(b"endobj")
    return found


def stream(obj: bytes) -> bytes:
    """An object's stream (exactly /Length bytes), inflated when it is compressed."""
    opened = re.search(rb"stream\r?\n", obj)
    length = re.search(rb"/Length (\d+)", obj)
    assert opened is not None and length is not None
    raw = obj[opened.end():opened.end() + int(length.group(1))]
    return zlib.decompress(raw) if b"/FlateDecode" in obj else raw


def ref(obj: bytes, name: bytes) -> int:
    """The object number a dictionary entry refers to."""
    found = re.search(rb"/" + name + rb"\s*\[?\s*(\d+) 0 R", obj)
    assert found is not None, name
    return int(found.group(1))


def literal(token: bytes) -> bytes:
    """The bytes of a PDF literal string token."""
    out, body, i = bytearray(), token[1:-1], 0
    escapes = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("b"): 8, ord("f"): 12}
    while i < len(body):
        c = body[i]
        if c == 0x5C:
            i += 1
            nxt = body[i]
            if nxt in escapes:
                out.append(escapes[nxt])
            elif 0x30 <= nxt <= 0x37:
                digits = re.match(rb"[0-7]{1,3}", body[i:i + 3])
                assert digits is not None
                out.append(int(digits.group(0), 8))
                i += len(digits.group(0)) - 1
            else:
                out.append(nxt)
        else:
            out.append(c)
        i += 1
    return bytes(out)


@dataclass
class Font:
    """An embedded Type0/CIDFontType2 font: glyphs, widths, and what each glyph spells."""

    tt: TTFont
    cid_to_gid: bytes
    widths: dict[int, float]
    default_width: float
    to_unicode: dict[int, str] = field(default_factory=dict)

    def gid(self, cid: int) -> int:
        """The glyph a character id draws."""
        return int.from_bytes(self.cid_to_gid[2 * cid:2 * cid + 2], "big")


def load_font(objs: dict[int, bytes], number: int) -> Font:
    """The font object `number` with its descendant, map, widths and ToUnicode."""
    top = objs[number]
    cid = objs[ref(top, b"DescendantFonts")]
    tt = TTFont(io.BytesIO(stream(objs[ref(objs[ref(cid, b"FontDescriptor")], b"FontFile2")])))
    widths: dict[int, float] = {}
    w = re.search(rb"/W \[(.*?)\]\s*\n?\s*(?:/|>>)", cid, re.S)
    tokens = re.findall(rb"\[|\]|\d+\.?\d*", w.group(1) if w else b"")
    i = 0
    while i < len(tokens):
        first = int(tokens[i])
        if tokens[i + 1] == b"[":
            i += 2
            while tokens[i] != b"]":
                widths[first] = float(tokens[i])
                first, i = first + 1, i + 1
            i += 1
        else:
            for c in range(first, int(tokens[i + 1]) + 1):
                widths[c] = float(tokens[i + 2])
            i += 3
    dw = re.search(rb"/DW (\d+)", cid)
    cmap = stream(objs[ref(top, b"ToUnicode")])
    spelled = {int(a, 16): bytes.fromhex(b.decode()).decode("utf-16-be")
               for a, b in re.findall(rb"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]+)>", cmap)}
    return Font(tt, stream(objs[ref(cid, b"CIDToGIDMap")]), widths,
                float(dw.group(1)) if dw else 1000.0, spelled)


class Contours(BasePen):  # type: ignore[misc]
    """Collects a glyph's contours as polylines (curves flattened)."""

    def __init__(self, glyphs: Any) -> None:
        super().__init__(glyphs)
        self.contours: list[list[tuple[float, float]]] = []

    def _moveTo(self, pt: tuple[float, float]) -> None:
        self.contours.append([pt])

    def _lineTo(self, pt: tuple[float, float]) -> None:
        self.contours[-1].append(pt)

    def _curveToOne(self, p1: Any, p2: Any, p3: Any) -> None:
        p0 = self.contours[-1][-1]
        for k in range(1, 9):
            t = k / 8
            self.contours[-1].append(tuple(
                (1 - t) ** 3 * a + 3 * (1 - t) ** 2 * t * b + 3 * (1 - t) * t ** 2 * c + t ** 3 * d
                for a, b, c, d in zip(p0, p1, p2, p3, strict=True)))

    def _qCurveToOne(self, p1: Any, p2: Any) -> None:
        p0 = self.contours[-1][-1]
        for k in range(1, 7):
            t = k / 6
            self.contours[-1].append(tuple(
                (1 - t) ** 2 * a + 2 * (1 - t) * t * b + t ** 2 * c
                for a, b, c in zip(p0, p1, p2, strict=True)))


@dataclass(frozen=True)
class Glyph:
    """One glyph the page draws: what it spells (ToUnicode), where, in which font."""

    text: str
    x: float
    y: float
    font: str


def render(data: bytes, scale: float = 2.0) -> tuple[Image.Image, list[Glyph]]:
    """Page 1 as a greyscale image (points × scale), and the glyphs in drawing order."""
    objs = objects(data)
    page_no = next(n for n, o in objs.items() if re.search(rb"/Type /Page\b(?!s)", o))
    page = objs[page_no]
    resources = objs[ref(page, b"Resources")]
    fonts = {name.decode(): load_font(objs, int(num)) for name, num in
             re.findall(rb"/(F\d+) (\d+) 0 R", resources)}
    box = re.search(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", b"".join(objs.values()))
    assert box is not None
    width, height = float(box.group(1)), float(box.group(2))
    image = Image.new("L", (int(width * scale), int(height * scale)), 255)
    draw = ImageDraw.Draw(image)
    content = stream(objs[ref(page, b"Contents")])
    stack: list[bytes] = []
    font, size, x, y, line_x, line_y = None, 0.0, 0.0, 0.0, 0.0, 0.0
    cm = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    glyphs: list[Glyph] = []
    for tok in TOKEN.findall(content):
        if tok.startswith((b"(", b"/", b"[", b"]")) or re.fullmatch(rb"[-+]?\d*\.?\d+", tok):
            stack.append(tok)
            continue
        op, args = tok.decode(), stack
        stack = []
        if op == "Tf":
            font, size = args[0][1:].decode(), float(args[1])
        elif op == "BT":
            x = y = line_x = line_y = 0.0
        elif op == "Td":
            line_x, line_y = line_x + float(args[0]), line_y + float(args[1])
            x, y = line_x, line_y
        elif op == "Tm":
            x = line_x = float(args[4])
            y = line_y = float(args[5])
        elif op == "cm":
            cm = tuple(float(a) for a in args)  # type: ignore[assignment]
        elif op == "Do":
            a, _, _, d, e, f = cm
            draw.rectangle([e * scale, (height - f - d) * scale, (e + a) * scale,
                            (height - f) * scale], outline=120)
        elif op in ("Tj", "TJ") and font is not None:
            pdf_font = fonts[font]
            for item in args:
                if not item.startswith(b"("):
                    if re.fullmatch(rb"[-+]?\d*\.?\d+", item):
                        x -= float(item) / 1000 * size
                    continue
                raw = literal(item)
                for i in range(0, len(raw), 2):
                    cid = int.from_bytes(raw[i:i + 2], "big")
                    glyphs.append(Glyph(pdf_font.to_unicode.get(cid, ""), x, y, font))
                    _draw_glyph(image, pdf_font, cid, x, y, size, height, scale)
                    x += pdf_font.widths.get(cid, pdf_font.default_width) / 1000 * size
    return image, glyphs


def _draw_glyph(image: Image.Image, font: Font, cid: int, x: float, y: float, size: float,
                height: float, scale: float) -> None:
    """Fill one glyph's outline (even-odd) at a text position."""
    name = font.tt.getGlyphOrder()[font.gid(cid)]
    glyph_set = font.tt.getGlyphSet()
    pen = Contours(glyph_set)
    glyph_set[name].draw(pen)
    if not pen.contours:
        return
    units = size / font.tt["head"].unitsPerEm * scale
    points = [[((x * scale) + px * units, (height - y) * scale - py * units) for px, py in c]
              for c in pen.contours]
    left = int(min(p[0] for c in points for p in c)) - 1
    top = int(min(p[1] for c in points for p in c)) - 1
    right = int(max(p[0] for c in points for p in c)) + 2
    bottom = int(max(p[1] for c in points for p in c)) + 2
    mask = Image.new("1", (right - left, bottom - top), 0)
    for contour in points:
        if len(contour) < 3:
            continue
        one = Image.new("1", mask.size, 0)
        ImageDraw.Draw(one).polygon([(px - left, py - top) for px, py in contour], fill=1)
        mask = ImageChops.logical_xor(mask, one)
    image.paste(0, (left, top), mask)
