from guanhuai.lib.pdf_tables import tables_pdf


def test_a_long_table_spans_pages_with_the_cjk_font_embedded():
    rows = [[i, f"联系人{i}", "乡镇干部"] for i in range(200)]
    pdf = tables_pdf("考评报告", "示范省", [("一、排名", ["名次", "姓名", "类别"], rows, "说明"),
                                         ("二、空表", ["甲"], [], "")])
    assert pdf.startswith(b"%PDF") and b"WenQuanYiMicroHei" in pdf and b"/FontFile2" in pdf
    assert pdf.count(b"/Type /Page\n") >= 2 or pdf.count(b"/Type /Page ") >= 2 or pdf.count(b"/Page") >= 3
