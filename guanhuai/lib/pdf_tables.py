"""Tabular reports as PDF (A4 landscape) with the embedded CJK font of ``lib.pdf``. No models here."""

from __future__ import annotations

import io
from collections.abc import Sequence

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

from .pdf import BRAND, FONT_NAME, MUTED, register_font


def _styles() -> dict[str, ParagraphStyle]:
    register_font()
    return {
        "title": ParagraphStyle("title", fontName=FONT_NAME, fontSize=16, leading=22, textColor=BRAND),
        "subtitle": ParagraphStyle("subtitle", fontName=FONT_NAME, fontSize=9, leading=13, textColor=MUTED),
        "heading": ParagraphStyle("heading", fontName=FONT_NAME, fontSize=11.5, leading=16, spaceBefore=8,
                                  spaceAfter=4),
        "note": ParagraphStyle("note", fontName=FONT_NAME, fontSize=8, leading=11, textColor=MUTED),
        "cell": ParagraphStyle("cell", fontName=FONT_NAME, fontSize=7.2, leading=9),
    }


def tables_pdf(title: str, subtitle: str, sections: Sequence[tuple[str, Sequence[str], Sequence[Sequence[object]],
                                                                   str]]) -> bytes:
    """A report of titled tables: each section is (heading, header row, rows, note). Long tables break
    across pages with the header repeated."""
    styles = _styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm,
                            topMargin=12 * mm, bottomMargin=12 * mm, title=title,
                            author="关怀 · 计生特殊家庭扶助关怀信息系统", creator="guanhuai")
    story: list = [Paragraph(title, styles["title"]), Paragraph(subtitle, styles["subtitle"]), Spacer(1, 4 * mm)]
    for heading, header, rows, note in sections:
        story.append(Paragraph(heading, styles["heading"]))
        if not rows:
            story.append(Paragraph("(无数据)", styles["note"]))
            continue
        data = [[Paragraph(str(h), styles["cell"]) for h in header]]
        data += [[Paragraph("" if v is None else str(v), styles["cell"]) for v in row] for row in rows]
        table = LongTable(data, repeatRows=1, hAlign="LEFT")
        table.setStyle(TableStyle([
            ("FONTNAME", (0, 0), (-1, -1), FONT_NAME),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3e7e3")),
            ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#bbbbbb")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#fafafa")]),
            ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ]))
        story.append(table)
        if note:
            story.append(Spacer(1, 1.5 * mm))
            story.append(Paragraph(note, styles["note"]))
    doc.build(story)
    return buffer.getvalue()
