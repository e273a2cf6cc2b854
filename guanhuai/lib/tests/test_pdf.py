"""Contact cards as PDF: valid files, the CJK font embedded, text that fits."""

import datetime as dt
import re

from conftest import pdf_text
from guanhuai.lib.pdf import (
    CARD_W,
    FONT_NAME,
    Card,
    CardContact,
    card_pdf,
    cards_sheet_pdf,
    fit,
    register_font,
)

CARD = Card(family="张建国家", village="东城镇 桃园村", first=CardContact("王建华", "副镇长", "13900000001"),
            second=CardContact("李秀兰", "村委会主任", "028-84561234"), county="东城县", hotline="028-12320",
            issued_on=dt.date(2026, 3, 5))


def test_a_card_is_a_pdf_with_the_cjk_font_embedded():
    pdf = card_pdf(CARD)
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert b"/FontFile2" in pdf  # TrueType outlines embedded
    assert re.search(rb"/BaseFont /[A-Z]{6}\+WenQuanYiMicroHei", pdf)
    assert b"/Helvetica" not in pdf  # no unembedded base font


def test_a_card_says_who_to_call():
    text = pdf_text(card_pdf(CARD))
    for words in ("计划生育特殊家庭联系卡", "张建国家", "东城镇 桃园村", "第一联系人", "王建华", "副镇长", "13900000001",
                  "第二联系人", "李秀兰", "028-84561234", "东城县服务热线:028-12320", "2026年03月05日"):
        assert words in text, words


def test_a_sheet_holds_eight_cards_per_a4_page():
    pdf = cards_sheet_pdf([CARD] * 9)
    assert re.search(rb"/Count 2\b", pdf)
    text = pdf_text(pdf)
    assert text.count("张建国家") == 9
    assert text.count("\f") == 2  # two pages


def test_a_missing_contact_is_printed_as_to_be_decided():
    text = pdf_text(card_pdf(Card("某家", "某村", None, None, "某县", "", dt.date(2026, 1, 1))))
    assert text.count("(待确定)") == 2 and "服务热线" not in text


def test_long_text_shrinks_then_is_cut_to_fit():
    register_font()
    from reportlab.pdfbase.pdfmetrics import stringWidth

    text, size = fit("东城镇人民政府计划生育办公室主任兼妇联主席", 12, 80)
    assert stringWidth(text, FONT_NAME, size) <= 80 and text.endswith("…") and size == 6.5
    assert fit("镇长", 12, CARD_W) == ("镇长", 12)


def test_an_empty_sheet_says_so():
    assert "没有需要打印的联系卡" in pdf_text(cards_sheet_pdf([]))
