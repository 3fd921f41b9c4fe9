"""Printable PDFs (notices, household forms): landscape A4 in the Song typeface that
every Chinese PDF reader has, so no font file ships with the project."""

from __future__ import annotations

import io
from typing import Any

CJK_FONT = "STSong-Light"


def cjk_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    return CJK_FONT


def landscape_pdf(story: list[Any], *, title: str, **margins: float) -> bytes:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.platypus import SimpleDocTemplate

    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=landscape(A4), title=title, **margins).build(story)
    return buffer.getvalue()
