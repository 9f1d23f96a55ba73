"""An OFD page drawn to an image, for OCR of a page whose text is only glyph indices (or only images).

Such a page is a scanned page for reading purposes: its text cannot be read back,
so it is drawn black on white and read by Tesseract like a scanned PDF page. Glyph
outlines come from the fonts embedded in the package (fontTools reads TrueType and
OpenType/CFF outlines alike); each glyph is placed as GB/T 33190 places it: the
TextObject's ``Boundary`` origin and ``CTM``, the ``TextCode``'s ``X``/``Y`` and
``DeltaX``/``DeltaY`` advances (else the glyph's own advance), at the font ``Size``.
Images (``ImageObject``) are drawn in the box their ``CTM`` gives. Pillow draws.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable

import numpy as np
from fontTools.misc.transform import Transform
from fontTools.pens.basePen import BasePen
from fontTools.pens.transformPen import TransformPen
from fontTools.ttLib import TTFont
from lxml import etree
from PIL import Image, ImageDraw, UnidentifiedImageError

from indexer.ingest.read.ocr import MAX_PIXELS
from indexer.ingest.read.ofdvalues import deltas, number, numbers

_CURVE_STEPS = 6  # straight pieces a curve of an outline is drawn with
_SUPERSAMPLE = 4  # glyphs are drawn this many times larger, then shrunk: grey edges, no lost thin strokes


def draw_page(width: float, height: float, objects: list[etree._Element], resource: Callable[[str], bytes | None],
              dpi: float) -> Image.Image:
    """The page (``width`` x ``height`` mm) with its text objects' glyphs and its images, grey, at ``dpi``."""
    scale = dpi / 25.4
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    if size[0] * size[1] > MAX_PIXELS:
        raise ValueError(f"a page of {width:g} x {height:g} mm is too large to draw")
    page = Image.new("L", size, 255)
    fonts: dict[str, TTFont | None] = {}
    for obj in objects:
        box = numbers(obj.get("Boundary"), 4)
        ctm = numbers(obj.get("CTM"), 6) if obj.get("CTM") else [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
        place = Transform().scale(scale).translate(box[0], box[1]).transform(ctm)
        if etree.QName(obj).localname == "ImageObject":
            _draw_image(page, resource(obj.get("ResourceID", "")), place)
            continue
        font_id = obj.get("Font", "")
        if font_id not in fonts:
            fonts[font_id] = _font(resource(font_id))
        if fonts[font_id] is not None:
            try:
                _draw_text(page, obj, fonts[font_id], place)
            except Exception:  # a damaged font fails in many ways (struct, table, index errors): it draws nothing more
                fonts[font_id] = None
    return page


def _font(data: bytes | None) -> TTFont | None:
    """The embedded font, or None when there is none or it cannot be read (its glyphs are then not drawn)."""
    if not data:
        return None
    try:
        font = TTFont(io.BytesIO(data), lazy=True)
        font.getGlyphOrder()
        return font
    except Exception:  # not a font, or a damaged one: fontTools raises many kinds of error
        return None


def _draw_text(page: Image.Image, obj: etree._Element, font: TTFont, place: Transform) -> None:
    """Draw the glyphs of one TextObject: CGTransform glyph indices at their TextCode positions."""
    glyphs = [int(g) for cg in obj.xpath("./*[local-name()='CGTransform']/*[local-name()='Glyphs']")
              for g in (cg.text or "").split() if g.isdigit()]
    codes = obj.xpath("./*[local-name()='TextCode']")
    if not glyphs or not codes:
        return
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    units = font["head"].unitsPerEm
    metrics = font["hmtx"].metrics if "hmtx" in font else {}
    em = number(obj.get("Size"), 3.5) / units
    code = codes[0]  # glyph indices follow the codes in order: the first TextCode places the run
    x, y = number(code.get("X"), 0.0), number(code.get("Y"), 0.0)
    dx, dy = deltas(code.get("DeltaX"), len(glyphs)), deltas(code.get("DeltaY"), len(glyphs))
    for i, gid in enumerate(glyphs):
        if gid >= len(order):
            continue
        name = order[gid]
        outline = _Outline(glyph_set)
        glyph_set[name].draw(TransformPen(outline, place.translate(x, y).scale(em, -em)))
        _fill(page, outline.contours)
        x += dx[i] if i < len(dx) else metrics.get(name, (units, 0))[0] * em
        y += dy[i] if i < len(dy) else 0.0


def _draw_image(page: Image.Image, data: bytes | None, place: Transform) -> None:
    """Draw an image into the box its CTM maps the unit square to (upright, finite boxes only)."""
    if not data:
        return
    (x0, y0), (x1, y1) = place.transformPoint((0, 0)), place.transformPoint((1, 1))
    if not all(math.isfinite(v) for v in (x0, y0, x1, y1)):  # a hostile Boundary or CTM (1e308 scaled: inf)
        return
    box = (round(min(x0, x1)), round(min(y0, y1)), round(max(x0, x1)), round(max(y0, y1)))
    if box[2] - box[0] < 1 or box[3] - box[1] < 1 or (box[2] - box[0]) * (box[3] - box[1]) > MAX_PIXELS:
        return
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return
    page.paste(image.convert("L").resize((box[2] - box[0], box[3] - box[1])), box[:2])


def _fill(page: Image.Image, contours: list[list[tuple[float, float]]]) -> None:
    """Fill a glyph's contours in black by the nonzero winding rule, antialiased.

    Each contour adds its direction (+1 or -1, by the sign of its area) to the points
    it encloses; a point is inside the glyph where the sum is not zero (strokes may
    overlap, counters stay white). The glyph is drawn :data:`_SUPERSAMPLE` times larger
    and shrunk, so a stroke thinner than a pixel (the bar of 日 in a light Song face)
    stays as grey rather than vanishing under its neighbours' edges.
    """
    contours = [c for c in contours if len(c) > 2]
    if not contours:
        return
    left = int(min(p[0] for c in contours for p in c))
    top = int(min(p[1] for c in contours for p in c))
    width = int(max(p[0] for c in contours for p in c)) - left + 2
    height = int(max(p[1] for c in contours for p in c)) - top + 2
    if width * height > MAX_PIXELS // 100:
        return
    k = _SUPERSAMPLE
    winding = np.zeros((height * k, width * k), dtype=np.int16)
    for contour in contours:
        points = [((px - left) * k, (py - top) * k) for px, py in contour]
        area = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1]))
        shape = Image.new("1", (width * k, height * k), 0)
        ImageDraw.Draw(shape).polygon(points, fill=1)
        winding += np.asarray(shape, dtype=np.int16) * (1 if area >= 0 else -1)
    ink = Image.fromarray(((winding != 0) * 255).astype(np.uint8)).resize((width, height), Image.Resampling.BOX)
    page.paste(0, (left, top), ink)


class _Outline(BasePen):
    """A glyph's contours as polygons (curves cut into straight pieces)."""

    def __init__(self, glyph_set):
        super().__init__(glyph_set)
        self.contours: list[list[tuple[float, float]]] = []

    def _moveTo(self, pt):
        self.contours.append([pt])

    def _lineTo(self, pt):
        self.contours[-1].append(pt)

    def _curveToOne(self, pt1, pt2, pt3):
        (x0, y0) = self._getCurrentPoint()
        for n in range(1, _CURVE_STEPS + 1):
            t = n / _CURVE_STEPS
            u = 1 - t
            self.contours[-1].append((u**3 * x0 + 3 * u * u * t * pt1[0] + 3 * u * t * t * pt2[0] + t**3 * pt3[0],
                                      u**3 * y0 + 3 * u * u * t * pt1[1] + 3 * u * t * t * pt2[1] + t**3 * pt3[1]))

    def _qCurveToOne(self, pt1, pt2):
        (x0, y0) = self._getCurrentPoint()
        for n in range(1, _CURVE_STEPS + 1):
            t = n / _CURVE_STEPS
            u = 1 - t
            self.contours[-1].append((u * u * x0 + 2 * u * t * pt1[0] + t * t * pt2[0],
                                      u * u * y0 + 2 * u * t * pt1[1] + t * t * pt2[1]))

