"""Contact cards (联系卡) as PDF, with the CJK font embedded. No models here.

The font is WenQuanYi Micro Hei, shipped in ``lib/fonts`` (see its README for
the licence): reportlab embeds a subset of it in every file, so a card prints
the same on any reader without system fonts. Face 0 of the TrueType
collection is Micro Hei; reportlab needs TrueType outlines, which it has.

A card is 105 × 74.25 mm: an A4 sheet holds eight (2 columns × 4 rows) with
dashed cut lines between them; a single card is a page of its own size.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

FONT_PATH = Path(__file__).resolve().parent / "fonts" / "wqy-microhei.ttc"
FONT_NAME = "WenQuanYiMicroHei"

PAGE_W, PAGE_H = A4
COLUMNS, ROWS = 2, 4
CARDS_PER_SHEET = COLUMNS * ROWS
CARD_W, CARD_H = PAGE_W / COLUMNS, PAGE_H / ROWS
# Printers cannot print to the paper's edge; everything stays this far inside a card.
PAD = 6 * mm

BRAND = colors.HexColor("#b4452b")
INK = colors.HexColor("#222222")
MUTED = colors.HexColor("#6c6c6c")
CUT = colors.HexColor("#9a9a9a")

TITLE = "计划生育特殊家庭联系卡"
NOT_SET = "(待确定)"


def register_font() -> str:
    """Register the embedded CJK font with reportlab once; returns its name."""
    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT_NAME, str(FONT_PATH), subfontIndex=0))
    return FONT_NAME


@dataclass(frozen=True)
class CardContact:
    name: str
    post: str
    phone: str


@dataclass(frozen=True)
class Card:
    """What one family's card says; phones are the contacts' work numbers, printed in full."""

    family: str  # e.g. 张建国家
    village: str  # e.g. 东城镇 桃园村
    first: CardContact | None
    second: CardContact | None
    county: str
    hotline: str
    issued_on: dt.date


def _width(text: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, FONT_NAME, size)


def fit(text: str, size: float, width: float, *, smallest: float = 6.5) -> tuple[str, float]:
    """Shrink ``text`` down to ``smallest`` points to fit ``width``; past that, cut it with an ellipsis."""
    while size > smallest and _width(text, size) > width:
        size -= 0.5
    if _width(text, size) <= width:
        return text, size
    while text and _width(text + "…", size) > width:
        text = text[:-1]
    return text + "…", size


def _text(c: Canvas, x: float, y: float, text: str, size: float, width: float, *, color=INK,
          align: str = "left", smallest: float = 6.5) -> None:
    text, size = fit(text, size, width, smallest=smallest)
    c.setFillColor(color)
    c.setFont(FONT_NAME, size)
    if align == "center":
        c.drawCentredString(x + width / 2, y, text)
    elif align == "right":
        c.drawRightString(x + width, y, text)
    else:
        c.drawString(x, y, text)


def _contact_block(c: Canvas, x: float, top: float, width: float, label: str, contact: CardContact | None) -> None:
    """A slot label, then name and post on one line, then the phone in large type (many readers are old)."""
    c.setFillColor(BRAND)
    c.roundRect(x, top - 4.6 * mm, 2.2 * mm, 4.6 * mm, 0.6 * mm, stroke=0, fill=1)
    _text(c, x + 3.4 * mm, top - 3.6 * mm, label, 8, width - 3.4 * mm, color=MUTED)
    if contact is None:
        _text(c, x + 3.4 * mm, top - 9.6 * mm, NOT_SET, 10.5, width - 3.4 * mm, color=MUTED)
        return
    name_width = min(_width(contact.name, 12), width * 0.45)
    _text(c, x + 3.4 * mm, top - 9.4 * mm, contact.name, 12, name_width)
    if contact.post:
        post_x = x + 3.4 * mm + name_width + 3 * mm
        _text(c, post_x, top - 9.4 * mm, contact.post, 9, x + width - post_x, color=MUTED)
    _text(c, x + 3.4 * mm, top - 15.6 * mm, f"电话 {contact.phone or '—'}", 13, width - 3.4 * mm)


def draw_card(c: Canvas, card: Card, x: float, y: float, w: float = CARD_W, h: float = CARD_H) -> None:
    """Draw one card with its lower-left corner at (x, y)."""
    register_font()
    left, right, top = x + PAD, x + w - PAD, y + h - PAD
    inner = right - left
    # Title band
    band = 8.5 * mm
    c.setFillColor(BRAND)
    c.roundRect(left, top - band, inner, band, 1.2 * mm, stroke=0, fill=1)
    _text(c, left, top - band + 2.6 * mm, TITLE, 12.5, inner, color=colors.white, align="center")
    # Family and village
    line = top - band - 5.2 * mm
    family = f"家庭:{card.family}"
    family_width = min(_width(family, 9.5), inner / 2)
    _text(c, left, line, family, 9.5, family_width)
    village_x = left + family_width + 3 * mm
    _text(c, village_x, line, f"村(居):{card.village}", 9.5, right - village_x, align="right")
    c.setStrokeColor(colors.HexColor("#dddddd"))
    c.setLineWidth(0.5)
    c.line(left, line - 2.2 * mm, right, line - 2.2 * mm)
    # The two contacts
    block_top = line - 4 * mm
    _contact_block(c, left, block_top, inner, "第一联系人(乡镇)", card.first)
    _contact_block(c, left, block_top - 18.4 * mm, inner, "第二联系人(村居)", card.second)
    # Footer: hotline and date issued
    foot = y + PAD + 1.2 * mm
    c.line(left, foot + 4.4 * mm, right, foot + 4.4 * mm)
    if card.hotline:
        _text(c, left, foot, f"{card.county}服务热线:{card.hotline}", 8.5, inner * 0.62)
    _text(c, left + inner * 0.62, foot, f"发卡日期:{card.issued_on:%Y年%m月%d日}", 8, inner * 0.38,
          color=MUTED, align="right")


def _cut_lines(c: Canvas) -> None:
    c.saveState()
    c.setStrokeColor(CUT)
    c.setLineWidth(0.4)
    c.setDash(3, 2)
    for col in range(1, COLUMNS):
        c.line(col * CARD_W, 0, col * CARD_W, PAGE_H)
    for row in range(1, ROWS):
        c.line(0, row * CARD_H, PAGE_W, row * CARD_H)
    c.restoreState()


def _canvas(buffer: io.BytesIO, pagesize: tuple[float, float], title: str) -> Canvas:
    register_font()
    # The initial font would otherwise be Helvetica, listed (unembedded) in every file.
    c = Canvas(buffer, pagesize=pagesize, pageCompression=1, initialFontName=FONT_NAME, initialFontSize=10)
    c.setTitle(title)
    c.setAuthor("关怀 · 计生特殊家庭扶助关怀信息系统")
    c.setCreator("guanhuai")
    return c


def card_pdf(card: Card) -> bytes:
    """One family's card on a page the size of the card."""
    buffer = io.BytesIO()
    c = _canvas(buffer, (CARD_W, CARD_H), f"联系卡 · {card.family}")
    draw_card(c, card, 0, 0)
    c.showPage()
    c.save()
    return buffer.getvalue()


def cards_sheet_pdf(cards: Sequence[Card] | Iterable[Card], *, title: str = "联系卡") -> bytes:
    """Cards eight to an A4 sheet (2 × 4), filled row by row from the top, with dashed cut lines."""
    buffer = io.BytesIO()
    c = _canvas(buffer, A4, title)
    cards = list(cards)
    if not cards:
        _text(c, 20 * mm, PAGE_H - 30 * mm, "没有需要打印的联系卡", 14, PAGE_W - 40 * mm)
        c.showPage()
    for start in range(0, len(cards), CARDS_PER_SHEET):
        for index, card in enumerate(cards[start:start + CARDS_PER_SHEET]):
            col, row = index % COLUMNS, index // COLUMNS
            draw_card(c, card, col * CARD_W, PAGE_H - (row + 1) * CARD_H)
        _cut_lines(c)
        c.showPage()
    c.save()
    return buffer.getvalue()
