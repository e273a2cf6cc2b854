"""Historical visit import: dry run, row errors in Chinese, one-transaction commit, idempotent re-import."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from conftest import member_data
from guanhuai.audit.models import AuditEvent
from guanhuai.compliance.models import ObligationState
from guanhuai.contacts.services import assignment_set, contact_create
from guanhuai.families.import_jobs import job_file_set
from guanhuai.families.models import ImportJob
from guanhuai.regions.models import Region
from guanhuai.visits import importing
from guanhuai.visits.importing import UNKNOWN_FAMILY, import_check, import_commit
from guanhuai.visits.models import MajorEvent, Visit
from guanhuai.visits.services import event_report
from guanhuai.workdays.calendar import add_working_days

from .conftest import days_ago
from .import_files import HEADER, csv, row, xlsx


@pytest.fixture
def father_id(family):
    return family.members.get(role="father").id_number


@pytest.fixture
def mother_id(family):
    return family.members.get(role="mother").id_number


def _job(user, data: bytes, filename="走访.xlsx", region="510104000000") -> ImportJob:
    job = ImportJob(kind="visits", created_by=user, region=Region.objects.get(code=region), filename=filename)
    job_file_set(job, data)
    job.save()
    return job


def _errors(job) -> dict[int, list[str]]:
    return {e["row"]: e["errors"] for e in job.report if e["errors"]}


def test_a_dry_run_writes_nothing_and_a_commit_writes_every_valid_row(family, father_id, mother_id, county_officer):
    old = days_ago(60)
    data = xlsx([HEADER,
                 row(1, father_id, "2024-03-05", "上门走访", notes="春节前走访,身体尚可"),
                 row(2, mother_id, old, "电话", entry=timezone.localdate()),  # entered late
                 row(3, father_id, old, "面谈", entry=old + dt.timedelta(days=1))])  # entered in time
    job = import_check(_job(county_officer, data))
    assert job.state == "checked" and (job.total_rows, job.valid_rows, job.error_rows) == (3, 3, 0)
    assert not Visit.objects.exists()
    import_commit(job, county_officer)
    job.refresh_from_db()
    assert job.state == "committed" and job.committed_rows == 3
    backfill, late, in_time = (Visit.objects.get(channel=c) for c in ("home", "phone", "meeting"))
    assert backfill.is_backfill and not backfill.is_late and backfill.notes == "春节前走访,身体尚可"
    assert backfill.visit_date == dt.date(2024, 3, 5) and backfill.family == family
    assert not late.is_backfill and late.is_late and late.entry_date == timezone.localdate()
    assert late.entry_deadline == add_working_days(old, 5).date
    assert not in_time.is_late and in_time.entry_date == old + dt.timedelta(days=1)
    assert AuditEvent.objects.filter(action="visit.imported").count() == 3
    assert AuditEvent.objects.filter(action="visit.import_committed").exists()
    state = ObligationState.objects.get(family=family, key="monthly_meeting")
    assert state.last_visit == old


def test_reimporting_the_same_file_does_not_duplicate(family, father_id, county_officer):
    data = xlsx([HEADER, row(1, father_id, "2024-03-05", notes="走访"), row(2, father_id, "2024-04-05", "电话")])
    import_commit(import_check(_job(county_officer, data)), county_officer)
    again = import_check(_job(county_officer, data))
    assert again.valid_rows == 0 and again.error_rows == 2
    assert all("系统中已有相同的走访记录" in e[0] for e in _errors(again).values())
    with pytest.raises(ValidationError):
        import_commit(again, county_officer)
    assert Visit.objects.count() == 2


def test_a_changed_note_is_a_new_visit_not_a_duplicate(family, father_id, county_officer):
    import_commit(import_check(_job(county_officer, xlsx([HEADER, row(1, father_id, "2024-03-05", notes="甲")]))),
                  county_officer)
    job = import_check(_job(county_officer, xlsx([HEADER, row(1, father_id, "2024-03-05", notes="乙")])))
    assert job.valid_rows == 1


def test_a_visit_written_between_check_and_commit_is_not_written_twice(family, father_id, county_officer):
    data = xlsx([HEADER, row(1, father_id, "2024-03-05", notes="走访")])
    first, second = import_check(_job(county_officer, data)), import_check(_job(county_officer, data))
    import_commit(first, county_officer)
    import_commit(second, county_officer)
    second.refresh_from_db()
    assert second.committed_rows == 0 and second.error_rows == 1
    assert Visit.objects.count() == 1


def test_bad_rows_are_reported_in_chinese_and_skipped(make_family, family, father_id, county_officer, regions):
    theirs = make_family("510105001001", head_name="南河户", members=[member_data(name="南河户", area="510105")])
    outside_id = theirs.members.get().id_number
    nowhere = member_data(name="查无此人")["id_number"]
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    bad_checksum = father_id[:-1] + ("0" if father_id[-1] != "0" else "1")
    data = xlsx([HEADER,
                 row(1, father_id, "2024-03-05"),            # row 2: good
                 row(2, nowhere, "2024-03-05"),              # 3: unknown anywhere
                 row(3, outside_id, "2024-03-05"),           # 4: exists, but in another county
                 row(4, father_id, tomorrow),                # 5: future
                 row(5, father_id, "2019-12-31"),            # 6: before registration (2020-03-01)
                 row(6, father_id, "2024-05-01", "飞鸽传书"),  # 7: unknown channel
                 row(7, father_id, "2024-03-05"),            # 8: duplicate of row 2
                 row(8, bad_checksum, "2024-03-05"),         # 9: checksum
                 row(9, "5.10104E+17", "2024-03-05"),        # 10: Excel ate the digits
                 row(10, father_id, "2024-06-01", entry="2024-05-01"),  # 11: entered before the visit
                 row(11, father_id, "三月五日")])             # 12: unreadable date
    job = import_check(_job(county_officer, data))
    errors = _errors(job)
    assert job.valid_rows == 1 and set(errors) == set(range(3, 13))
    assert errors[3] == [UNKNOWN_FAMILY] and errors[4] == [UNKNOWN_FAMILY]  # never says which
    assert errors[5] == [f"走访日期 {tomorrow:%Y-%m-%d} 晚于今天"]
    assert errors[6] == ["走访日期早于该家庭纳入登记的日期(2020-03-01)"]
    assert errors[7][0].startswith("无法识别的联系方式“飞鸽传书”")
    assert errors[8] == ["与第 2 行重复(同一家庭、日期、方式、联系人和内容)"]
    assert errors[9] == ["身份证号校验位错误"]
    assert "科学计数法" in errors[10][0]
    assert errors[11] == ["录入日期早于走访日期"]
    assert errors[12][0].startswith("走访日期无法识别")
    import_commit(job, county_officer)
    assert Visit.objects.count() == 1 and not Visit.objects.filter(family=theirs).exists()


def test_a_user_of_another_county_cannot_reach_families_here(family, father_id, outsider):
    job = import_check(_job(outsider, xlsx([HEADER, row(1, father_id, "2024-03-05")]), region="510105000000"))
    assert _errors(job) == {2: [UNKNOWN_FAMILY]}


def test_an_exited_familys_visits_after_the_exit_are_refused(family, father_id, county_officer):
    from guanhuai.families.services import family_exit

    family_exit(acting_user=county_officer, family=family, reason="moved_away", exit_date=dt.date(2024, 1, 31))
    job = import_check(_job(county_officer, xlsx([HEADER, row(1, father_id, "2024-01-15"),
                                                  row(2, father_id, "2024-02-15")])))
    assert _errors(job) == {3: ["该家庭已于 2024-01-31 退出,不能导入之后的走访"]}


def test_contact_names_become_the_assigned_contact_or_a_participant(family, father_id, county_officer):
    cadre = contact_create(acting_user=county_officer, region=Region.objects.get(code="510104001001"), name="李村干",
                           kind="village_cadre")
    assignment_set(acting_user=county_officer, family=family, slot="second", contact=cadre,
                   start_date=dt.date(2023, 1, 1))
    data = xlsx([HEADER, row(1, father_id, "2024-03-05", contact="李村干"),
                 row(2, father_id, "2024-04-05", contact="老王")])
    job = import_check(_job(county_officer, data))
    assert job.valid_rows == 2 and job.warning_rows == 1
    assert "老王" in job.report[0]["warnings"][0]
    import_commit(job, county_officer)
    assert Visit.objects.get(visit_date=dt.date(2024, 3, 5)).contact == cadre
    unknown = Visit.objects.get(visit_date=dt.date(2024, 4, 5))
    assert unknown.contact is None and unknown.participants == "老王"
    again = import_check(_job(county_officer, data))
    assert again.valid_rows == 0  # both recognised as already stored


def test_a_gbk_csv_with_other_column_names_is_read(family, father_id, county_officer):
    data = csv([["证件号码", "联系日期", "联系方式", "走访人", "走访情况"],
                [father_id, "2024/3/5", "电话联系", "", "询问近况"]], encoding="gb18030")
    job = import_check(_job(county_officer, data, filename="走访.csv"))
    assert job.valid_rows == 1
    import_commit(job, county_officer)
    assert Visit.objects.get().channel == "phone"


@pytest.mark.parametrize(("data", "filename", "message"), [
    (b"", "a.xlsx", "文件为空"),
    (b"PK\x03\x04 not really a zip", "a.xlsx", "不是有效的 Excel"),
    (b"%PDF-1.4 ...", "a.pdf", "只支持 .xlsx 或 .csv 文件"),
    ("姓名,备注\r\n张三,x\r\n".encode(), "a.csv", "缺少必需的列"),
    ("随便写点什么\r\n".encode(), "a.csv", "找不到表头行"),
])
def test_a_file_that_cannot_be_read_fails_with_the_reason(county_officer, regions, data, filename, message):
    job = import_check(_job(county_officer, data, filename=filename))
    assert job.state == "failed" and message in job.message
    assert not Visit.objects.exists()


def test_a_header_only_file_has_nothing_to_import(county_officer, regions):
    job = import_check(_job(county_officer, xlsx([HEADER])))
    assert job.state == "failed" and "没有数据行" in job.message


def test_the_commit_is_one_transaction(family, father_id, county_officer, monkeypatch):
    def broken(families, *, day):
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr(importing, "families_refresh", broken)
    job = import_check(_job(county_officer, xlsx([HEADER, row(1, father_id, "2024-03-05")])))
    with pytest.raises(RuntimeError):
        import_commit(job, county_officer)
    job.refresh_from_db()
    assert job.state == "checked" and "没有写入任何数据" in job.message
    assert not Visit.objects.exists() and not AuditEvent.objects.filter(action="visit.imported").exists()


def test_the_obligation_state_is_refreshed_once_in_bulk(make_family, county_officer, monkeypatch):
    families = [make_family(head_name=f"户{i}") for i in range(3)]
    ids = [f.members.get(role="father").id_number for f in families]
    calls = []
    real = importing.families_refresh
    monkeypatch.setattr(importing, "families_refresh", lambda fs, *, day: calls.append(len(fs)) or real(fs, day=day))
    data = xlsx([HEADER] + [row(n, ids[n % 3], days_ago(n + 1), "电话", notes=str(n)) for n in range(9)])
    import_commit(import_check(_job(county_officer, data)), county_officer)
    assert calls == [3]
    assert ObligationState.objects.filter(family__in=families, key="weekly_contact").count() == 3


def test_an_imported_face_to_face_visit_answers_an_open_event(family, father_id, county_officer, village_contact):
    event = event_report(acting_user=village_contact, family=family, kind="illness", event_date=days_ago(10),
                         description="住院")
    import_commit(import_check(_job(county_officer, xlsx([HEADER, row(1, father_id, days_ago(9), "紧急上门")]))),
                  county_officer)
    event.refresh_from_db()
    assert event.responded_on == days_ago(9) and event.visits.count() == 1
    assert MajorEvent.objects.get().state == "open"  # closing still takes an officer's outcome


def test_the_error_workbook_gives_back_the_bad_rows_with_reasons(family, father_id, county_officer):
    from io import BytesIO

    from openpyxl import load_workbook

    nowhere = member_data(name="查无此人")["id_number"]
    job = import_check(_job(county_officer, xlsx([HEADER, row(1, father_id, "2024-03-05"),
                                                  row(2, nowhere, "2024-03-06", notes="没找到")])))
    sheet = load_workbook(BytesIO(importing.import_error_workbook(job))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][-2:] == ("行号", "错误原因") and "身份证号" in rows[0]
    assert len(rows) == 2
    bad = dict(zip(rows[0], rows[1], strict=True))
    assert bad["身份证号"] == nowhere and bad["行号"] == 3 and bad["错误原因"] == UNKNOWN_FAMILY
    assert bad["内容"] == "没找到"


def test_the_report_keeps_id_numbers_masked(family, father_id, county_officer):
    job = import_check(_job(county_officer, xlsx([HEADER, row(1, father_id, "2019-01-01")])))
    assert father_id not in str(job.report) and father_id[:4] in job.report[0]["summary"]
    assert father_id.encode() not in bytes(job.data)  # the stored file is encrypted


def test_only_importers_may_commit(family, father_id, county_officer, village_contact):
    job = import_check(_job(county_officer, xlsx([HEADER, row(1, father_id, "2024-03-05")])))
    with pytest.raises(ValidationError, match="没有导入走访记录的权限"):
        import_commit(job, village_contact)
    assert not Visit.objects.exists()


def test_the_system_may_import_everywhere_from_the_command_line(family, father_id, regions):
    job = ImportJob(kind="visits", region=None, filename="a.xlsx", created_by=None)
    job_file_set(job, xlsx([HEADER, row(1, father_id, "2024-03-05")]))
    import_check(job)
    assert job.valid_rows == 1
    import_commit(job, None)
    assert Visit.objects.get().recorded_by is None


def test_an_import_adds_its_visits_to_the_month_and_channel_counters(family, father_id, mother_id, county_officer):
    from guanhuai.compliance.models import VisitMonthCount
    from guanhuai.compliance.visit_counts import rebuild

    def counters():
        return sorted(VisitMonthCount.objects.exclude(visits=0).values_list("region_id", "month", "channel",
                                                                           "visits"))

    data = xlsx([HEADER, row(1, father_id, "2024-03-05", "上门走访"), row(2, mother_id, "2024-03-28", "上门走访"),
                 row(3, father_id, "2024-04-05", "电话")])
    import_commit(import_check(_job(county_officer, data)), county_officer)
    imported = counters()
    assert imported == [("510104001000", dt.date(2024, 3, 1), "home", 2),
                        ("510104001000", dt.date(2024, 4, 1), "phone", 1)]
    rebuild()
    assert counters() == imported
