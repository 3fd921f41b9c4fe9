"""Printable PDFs (notices, household forms, reports): landscape A4 in the Song
typeface that every Chinese PDF reader has, so no font file ships with the project.

Every value goes into a PDF through ``paragraph`` (or ``pdf_text``): reportlab
reads a paragraph's text as markup, so a name like ``<img src="/etc/…">`` or a
note with ``&`` would be parsed — an error at best, a file from the server drawn
into the PDF at worst. Here all text is escaped and only our own styles apply.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

CJK_FONT = "STSong-Light"
# Characters the Song font has no glyph for, written with one it has: the middle dot
# of "农户信息表 · 1501…" would print as a box.
_SUBSTITUTES = str.maketrans({"\u00b7": "\u30fb", "\u2027": "\u30fb", "\u2022": "\u30fb"})
# Dates, numbers, codes and amounts: wrapping them mid-number misreads them.
_UNBREAKABLE = re.compile(r"^[\w.,:/+\-%*]+$", re.ASCII)


def cjk_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    return CJK_FONT


def pdf_text(value: object) -> str:
    """Any value as paragraph text that reportlab prints as it is, never as markup."""
    text = "" if value is None else str(value)
    # Control characters (a NUL from a pasted cell) have no glyph and no meaning in print.
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return escape(text.translate(_SUBSTITUTES)).replace("\n", "<br/>")


def paragraph(value: object, style: Any) -> Any:
    """A paragraph of ``value`` in ``style``; a date, number or code is never split across lines."""
    from reportlab.platypus import Paragraph

    text = "" if value is None else str(value)
    if _UNBREAKABLE.match(text):
        style = _unbroken(style)
    return Paragraph(pdf_text(text), style)


def _unbroken(style: Any) -> Any:
    # Latin line breaking (at spaces only) and no splitting of long words: the column
    # widths from ``column_widths`` leave room for them. Made from the style itself:
    # two documents may name different styles alike ("body" at 9 and at 10 points).
    from reportlab.lib.styles import ParagraphStyle

    return ParagraphStyle(f"{style.name}-unbroken", parent=style, wordWrap=None, splitLongWords=0)


def _display_width(text: str) -> int:
    # A Chinese character is about twice as wide as a digit in the Song typeface.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def column_widths(
    rows: Sequence[Sequence[object]], total: float, *, font_size: float, padding: float = 8
) -> list[float]:
    """Widths for a table's columns that fit ``total``: each column at least as wide
    as its longest unbreakable value (a date, an ID number), the rest of the page
    shared by how much text each column holds."""
    count = max((len(row) for row in rows), default=0)
    if count == 0:
        return []
    per_unit = font_size * 0.55
    needed = [padding + per_unit * 4] * count
    longest = [4] * count
    for row in rows:
        for index, value in enumerate(row):
            text = "" if value is None else str(value)
            width = _display_width(text)
            longest[index] = max(longest[index], min(width, 40))
            if _UNBREAKABLE.match(text):
                needed[index] = max(needed[index], padding + per_unit * width)
    spare = max(total - sum(needed), 0)
    weight = sum(longest)
    widths = [need + spare * share / weight for need, share in zip(needed, longest, strict=True)]
    scale = min(1.0, total / sum(widths))
    return [width * scale for width in widths]


def landscape_pdf(story: list[Any], *, title: str, **margins: float) -> bytes:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.platypus import SimpleDocTemplate

    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=landscape(A4), title=title, **margins).build(story)
    return buffer.getvalue()


def landscape_width(**margins: float) -> float:
    """The printable width of a landscape A4 page with these left and right margins."""
    from reportlab.lib.pagesizes import A4, landscape

    return landscape(A4)[0] - margins.get("leftMargin", 72) - margins.get("rightMargin", 72)
