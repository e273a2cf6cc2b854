"""The annual evaluation report as xlsx and PDF (embedded CJK font)."""

import io

from openpyxl import load_workbook

from conftest import login

URL = "/oversight/assessment/report/"


def test_the_xlsx_has_the_ranking_awards_trainings_and_survey_sheets(visited_family, make_family, province_officer):
    make_family("510105001001", head_name="南河王")
    response = login(province_officer).get(URL, {"region": "510100000000", "format": "xlsx"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["区域考核", "联系人评选", "培训", "抽样调查", "未参训联系人"]
    counties = [row[1] for row in book["区域考核"].iter_rows(min_row=2, values_only=True)]
    assert set(counties) == {"东城县", "南河县"}
    assert {row[1] for row in book["联系人评选"].iter_rows(min_row=2, values_only=True)} == {"王乡干", "赵村干"}


def test_the_pdf_embeds_the_cjk_font(visited_family, province_officer):
    response = login(province_officer).get(URL, {"region": "510100000000", "format": "pdf"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and b"WenQuanYiMicroHei" in response.content
    assert b"/FontFile2" in response.content  # embedded, not referenced


def test_outsiders_and_wrong_roles_get_404(visited_family, outsider, township_officer):
    assert login(outsider).get(URL, {"region": "510104000000"}).status_code == 404
    assert login(township_officer).get(URL).status_code == 404


def test_the_api_returns_the_same_files(visited_family, province_officer, outsider):
    client = login(province_officer)
    pdf = client.get("/api/oversight/assessment/report", {"region": "510100000000", "format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xlsx = client.get("/api/oversight/assessment/report", {"region": "510100000000"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert login(outsider).get("/api/oversight/assessment/report", {"region": "510104000000"}).status_code == 404
