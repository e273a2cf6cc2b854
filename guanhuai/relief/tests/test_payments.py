"""Batches: one-off and monthly 特别扶助 lines, bank file encrypted with a one-time password, reconciliation,
re-batching of failed lines, notification of the family's contacts, totals that reconcile exactly;
then revocation and recovery."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.contrib.auth.hashers import check_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from conftest import login, member_data
from guanhuai.contacts.services import assignment_set, contact_create
from guanhuai.inbox.models import Notification
from guanhuai.lib.excel_password import decrypt_xlsx, encrypt_xlsx
from guanhuai.relief.models import Application, Batch, Line, Recovery, State
from guanhuai.relief.payments import batch_create, batch_export, batch_reconcile
from guanhuai.relief.services import application_revoke, repayment_record

from .conftest import item


def approved(family, code, user, today, **extra) -> Application:
    """An application at 已认定待发放 (the steps themselves are tested in test_workflow)."""
    it = item(code)
    app = Application.objects.create(item=it, family=family, region_id=family.region_id, reason="x",
                                     event_key=extra.pop("event_key", "family"), applied_on=today,
                                     amount=extra.pop("amount", it.amount), state=State.APPROVED,
                                     approved_on=extra.pop("approved_on", today), created_by=user, **extra)
    return app


def month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def return_file(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["明细编号", "户名", "金额(元)", "回盘结果", "失败原因"])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def contact_user(bereaved, county_officer, village_contact):
    contact = contact_create(acting_user=county_officer, region=bereaved.region, name="周小梅", kind="village_cadre",
                             phone="13900000002")
    contact.user = village_contact
    contact.save()
    assignment_set(acting_user=county_officer, family=bereaved, slot="second", contact=contact,
                   start_date=bereaved.registered_on)
    return village_contact


def test_a_batch_holds_one_offs_and_monthly_special_assistance_per_person(bereaved, county_officer, today):
    comfort = approved(bereaved, "emergency-comfort", county_officer, today)
    special = approved(bereaved, "special-assistance", county_officer, today.replace(day=1), amount=Decimal("680.00"))
    approved(bereaved, "insurance", county_officer, today, event_key=f"year:{today.year}")  # paid by the county
    result = batch_create(acting_user=county_officer, region=county_officer.region, period=today)
    batch = result.batch
    lines = list(batch.lines.order_by("pk"))
    assert [(ln.application_id, ln.kind, ln.amount) for ln in lines] == [
        (comfort.pk, "one_off", Decimal("3000.00")), (special.pk, "monthly", Decimal("680.00")),
        (special.pk, "monthly", Decimal("680.00"))]
    assert {ln.payee_name for ln in lines} == {"李秀英"}  # the card holder
    assert {ln.member.role for ln in lines if ln.kind == "monthly"} == {"father", "mother"}
    assert batch.total == Decimal("4360.00") == sum(ln.amount for ln in lines) and batch.line_count == 3
    with pytest.raises(ValidationError, match="本月没有需要发放的款项"):
        batch_create(acting_user=county_officer, region=county_officer.region, period=today)


def test_monthly_lines_start_the_month_after_the_mother_turns_49_mid_month(make_family, county_officer):
    family = make_family(bank_account="6222000011112222", members=[
        member_data("father", name="钱军", birth=dt.date(1975, 1, 1)),
        member_data("mother", sex="F", name="孙丽", birth=dt.date(1977, 3, 15))])
    special = approved(family, "special-assistance", county_officer, dt.date(2026, 1, 10), amount=Decimal("680.00"),
                       approved_on=dt.date(2026, 1, 10))
    from guanhuai.relief.eligibility import monthly_payees

    assert monthly_payees(special, dt.date(2026, 3, 1)) == []
    assert len(monthly_payees(special, dt.date(2026, 4, 1))) == 2
    father = family.members.get(role="father")
    father.is_alive, father.death_date = False, dt.date(2026, 5, 20)
    father.save()
    assert len(monthly_payees(special, dt.date(2026, 5, 1))) == 2  # alive on 1 May
    assert [m.name for m in monthly_payees(special, dt.date(2026, 6, 1))] == ["孙丽"]
    family.status, family.exit_reason, family.exit_date = "exited", "moved_away", dt.date(2026, 6, 30)
    family.save()
    assert len(monthly_payees(special, dt.date(2026, 6, 1))) == 1
    assert monthly_payees(special, dt.date(2026, 7, 1)) == []


def test_no_monthly_line_before_the_month_of_approval(bereaved, county_officer, today):
    special = approved(bereaved, "special-assistance", county_officer, today, amount=Decimal("680.00"))
    from guanhuai.relief.eligibility import monthly_payees

    previous = (month(today) - dt.timedelta(days=1)).replace(day=1)
    assert monthly_payees(special, previous) == []


def test_families_without_a_bank_account_are_skipped_and_named(make_family, county_officer, today):
    family = make_family(head_name="无卡户")
    approved(family, "hardship", county_officer, today, event_key="event:2026-01-01")
    with pytest.raises(ValidationError, match="缺少银行账号"):
        batch_create(acting_user=county_officer, region=county_officer.region, period=today)


def test_only_the_countys_payer_builds_batches(township_officer, outsider, county_officer, bereaved, today):
    approved(bereaved, "emergency-comfort", county_officer, today)
    for user in (township_officer, outsider):
        with pytest.raises(PermissionDenied):
            batch_create(acting_user=user, region=county_officer.region, period=today)
    assert login(township_officer).post("/api/relief/batches", {"period": today.isoformat()},
                                         content_type="application/json").status_code == 404
    answer = login(county_officer).post("/api/relief/batches", {"period": today.isoformat()},
                                        content_type="application/json")
    assert answer.status_code == 201 and answer.json()["total"] == "3000.00"


def test_export_encrypts_the_bank_file_with_a_password_shown_once(bereaved, county_officer, today):
    approved(bereaved, "emergency-comfort", county_officer, today)
    batch = batch_create(acting_user=county_officer, region=county_officer.region, period=today).batch
    answer = login(county_officer).post(f"/api/relief/batches/{batch.pk}/export")
    assert answer.status_code == 200
    password = answer.json()["password"]
    batch.refresh_from_db()
    assert password not in batch.password_hash and check_password(password, batch.password_hash)
    data = login(county_officer).get(answer.json()["download_url"]).content
    sheet = load_workbook(io.BytesIO(decrypt_xlsx(data, password))).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    assert rows[0][1:6] == ["李秀英", bereaved.members.get(role="mother").id_number, "农村信用社",
                            "6222021234567890123", 3000]
    assert rows[0][8] == "紧急慰藉"
    assert rows[-1][0] == "合计" and rows[-1][5] == 3000
    assert batch.state == Batch.BatchState.EXPORTED


def test_reconciliation_marks_lines_and_failed_lines_are_rebatched(bereaved, make_family, county_officer,
                                                                   contact_user, today):
    comfort = approved(bereaved, "emergency-comfort", county_officer, today)
    other = make_family(head_name="赵家", bank_account="6222000099998888")
    hardship = approved(other, "hardship", county_officer, today, event_key="event:2026-02-01")
    batch = batch_create(acting_user=county_officer, region=county_officer.region, period=today).batch
    password = batch_export(acting_user=county_officer, batch=batch)
    first, second = batch.lines.order_by("pk")
    bad = return_file([[first.pk, "", "3000", "成功", ""], [second.pk, "", "5000", "失败", ""]])
    with pytest.raises(ValidationError, match="须写明银行给出的原因"):
        batch_reconcile(acting_user=county_officer, batch=batch, data=bad, filename="r.xlsx")
    assert not batch.lines.exclude(state="pending").exists()  # bad input changes nothing
    wrong_amount = return_file([[first.pk, "", "300", "成功", ""]])
    with pytest.raises(ValidationError, match="不符"):
        batch_reconcile(acting_user=county_officer, batch=batch, data=wrong_amount, filename="r.xlsx")
    good = return_file([[first.pk, "", "3000", "成功", ""], [second.pk, "", "5000", "失败", "账户已销户"]])
    result = batch_reconcile(acting_user=county_officer, batch=batch, data=encrypt_xlsx(good, password),
                             filename="r.xlsx", password=password)
    assert (result.paid, result.failed, result.pending) == (1, 1, 0)
    batch.refresh_from_db()
    assert batch.state == Batch.BatchState.RECONCILED
    assert Application.objects.get(pk=comfort.pk).state == State.PAID
    assert Application.objects.get(pk=hardship.pk).state == State.APPROVED
    assert Line.objects.get(pk=second.pk).bank_reason == "账户已销户"
    note = Notification.objects.get(user=contact_user, kind="relief_paid")
    assert "3000.00 元已到账" in note.title
    again = batch_reconcile(acting_user=county_officer, batch=batch, data=good, filename="r.xlsx")
    assert again.unchanged == 2 and Notification.objects.filter(kind="relief_paid").count() == 1
    other.bank_account = "6222000077776666"
    other.save()
    retry = batch_create(acting_user=county_officer, region=county_officer.region, period=today).batch
    line = retry.lines.get()
    assert (line.retry_of_id, line.amount, line.bank_account) == (second.pk, Decimal("5000.00"), "6222000077776666")
    assert retry.total == Decimal("5000.00")


def test_revocation_computes_what_was_paid_and_recovery_runs_until_settled(bereaved, county_officer, today,
                                                                          township_officer):
    special = approved(bereaved, "special-assistance", county_officer, today.replace(day=1),
                       amount=Decimal("680.00"))
    batch = batch_create(acting_user=county_officer, region=county_officer.region, period=today).batch
    batch_export(acting_user=county_officer, batch=batch)
    lines = list(batch.lines.order_by("pk"))
    with pytest.raises(ValidationError, match="正在发放中"):
        application_revoke(acting_user=county_officer, application=special, reason="虚报")
    batch_reconcile(acting_user=county_officer, batch=batch, filename="r.xlsx",
                    data=return_file([[ln.pk, "", str(ln.amount), "成功", ""] for ln in lines]))
    with pytest.raises(PermissionDenied):
        application_revoke(acting_user=township_officer, application=special, reason="虚报")
    answer = login(county_officer).post(f"/api/relief/applications/{special.pk}/revoke",
                                        {"reason": "查实虚报独生子女死亡"}, content_type="application/json")
    assert answer.status_code == 200 and answer.json()["state"] == State.REVOKED
    recovery = Recovery.objects.get(application=special)
    assert recovery.amount_due == Decimal("1360.00")
    client = login(county_officer)
    too_much = client.post(f"/api/relief/recoveries/{recovery.pk}/repayments", {"amount": "2000"},
                           content_type="application/json")
    assert too_much.status_code == 422 and "超过尚未追回的 1360.00 元" in too_much.json()["message"]
    part = client.post(f"/api/relief/recoveries/{recovery.pk}/repayments", {"amount": "1000.00"},
                       content_type="application/json").json()
    assert (part["outstanding"], part["settled_on"]) == ("360.00", None)
    rest = client.post(f"/api/relief/recoveries/{recovery.pk}/repayments", {"amount": "360.00"},
                       content_type="application/json").json()
    assert rest["outstanding"] == "0.00" and rest["settled_on"] == today.isoformat()
    with pytest.raises(ValidationError, match="已全部追回"):
        repayment_record(acting_user=county_officer, recovery=recovery, amount=Decimal("1"))
    # No more monthly lines for a revoked application.
    from guanhuai.relief.eligibility import monthly_payees

    assert monthly_payees(Application.objects.get(pk=special.pk), month(today)) == []


def test_revoking_withdraws_unsent_lines_and_keeps_the_batch_total_exact(bereaved, make_family, county_officer, today):
    comfort = approved(bereaved, "emergency-comfort", county_officer, today)
    other = make_family(head_name="赵家", bank_account="6222000099998888")
    approved(other, "hardship", county_officer, today, event_key="event:2026-02-01")
    batch = batch_create(acting_user=county_officer, region=county_officer.region, period=today).batch
    assert batch.total == Decimal("8000.00")
    application_revoke(acting_user=county_officer, application=comfort, reason="不符合条件")
    batch.refresh_from_db()
    assert (batch.line_count, batch.total) == (1, Decimal("5000.00"))
    assert not Recovery.objects.exists()


def test_pages_render_for_the_county(bereaved, county_officer, today):
    comfort = approved(bereaved, "emergency-comfort", county_officer, today)
    batch = batch_create(acting_user=county_officer, region=county_officer.region, period=today).batch
    client = login(county_officer)
    for url in ("/relief/", "/relief/items/", "/relief/batches/", f"/relief/batches/{batch.pk}/",
                f"/relief/applications/{comfort.pk}/", "/relief/recoveries/", f"/relief/apply/?q={bereaved.head_name}",
                f"/relief/apply/?family={bereaved.pk}"):
        assert client.get(url).status_code == 200, url
    page = client.post(f"/relief/batches/{batch.pk}/export/")
    assert page.status_code == 200 and "密码只显示这一次" in page.content.decode()
    assert page["Cache-Control"] == "no-store"
    pdf = client.get(f"/relief/applications/{comfort.pk}/form.pdf")
    assert pdf.content.startswith(b"%PDF") and b"WenQuanYi" in pdf.content
    roster = client.get("/relief/rosters/table6.xlsx")
    sheet = load_workbook(io.BytesIO(roster.content)).active
    assert sheet["A1"].value == "表六 特殊救助花名册" and sheet["E3"].value == "张建国"
    assert "*" in sheet["I3"].value  # ID numbers masked in the roster


def test_documents_and_the_return_file_upload_through_the_api(comfort_app, bereaved, county_officer,
                                                              village_contact, today):
    from .conftest import scan

    client = login(village_contact)
    answer = client.post(f"/api/relief/applications/{comfort_app.pk}/documents", {"kind": "other", "file": scan()})
    assert answer.status_code == 201 and answer.json()["kind_label"] == "其他材料"
    assert client.get(f"/api/relief/documents/{answer.json()['id']}").content.startswith(b"\x89PNG")
    bad = client.post(f"/api/relief/applications/{comfort_app.pk}/documents",
                      {"kind": "other", "file": SimpleUploadedFile("a.txt", b"hello")})
    assert bad.status_code == 422 and "JPEG、PNG 照片或 PDF" in bad.json()["message"]
    approved(bereaved, "hardship", county_officer, today, event_key="event:2026-03-01")
    batch = batch_create(acting_user=county_officer, region=county_officer.region, period=today).batch
    officer = login(county_officer)
    password = officer.post(f"/api/relief/batches/{batch.pk}/export").json()["password"]
    line = batch.lines.get()
    data = encrypt_xlsx(return_file([[line.pk, "", "5000.00", "成功", ""]]), password)
    wrong = officer.post(f"/api/relief/batches/{batch.pk}/reconcile",
                         {"file": SimpleUploadedFile("r.xlsx", data), "password": "wrong"})
    assert wrong.status_code == 422 and "密码不正确" in wrong.json()["message"]
    done = officer.post(f"/api/relief/batches/{batch.pk}/reconcile",
                        {"file": SimpleUploadedFile("r.xlsx", data), "password": password})
    assert done.status_code == 200 and done.json()["paid"] == 1 and done.json()["batch"]["state"] == "reconciled"
