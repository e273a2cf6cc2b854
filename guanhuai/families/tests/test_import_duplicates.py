"""An ID number is never imported twice: not within one file, not over one already stored,
and never by importing the same file again."""

import datetime as dt

from django.urls import reverse

from conftest import login, member_data
from guanhuai.audit.models import AuditEvent
from guanhuai.families.import_jobs import job_file_set
from guanhuai.families.importing import import_check, import_commit
from guanhuai.families.models import Family, ImportJob, Member

from .import_files import confirm, errors_of, family_row, roster, upload


def test_a_later_row_repeating_an_id_number_is_an_error_naming_the_earlier_row(county_officer,
                                                                              django_capture_on_commit_callbacks):
    father = member_data("father", name="张建国")
    rows = [family_row(1, father=father), family_row(2, head="张建国", father=father)]
    upload(login(county_officer), django_capture_on_commit_callbacks, roster(rows))
    job = ImportJob.objects.get()
    assert (job.valid_rows, job.error_rows) == (1, 1)
    assert errors_of(job, 4) == "父亲身份证号与第 3 行父亲的身份证号重复"


def test_the_same_id_number_twice_in_one_row_is_an_error(county_officer, django_capture_on_commit_callbacks):
    father = member_data("father", name="张建国")
    child = dict(father, name="张小明")
    row = family_row(1, father=father, child_name="张小明", child_id=child["id_number"])
    upload(login(county_officer), django_capture_on_commit_callbacks, roster([row]))
    assert "子女身份证号与本行父亲的身份证号相同" in errors_of(ImportJob.objects.get(), 3)


def test_an_id_number_already_stored_in_jurisdiction_is_a_possible_duplicate_naming_the_family(
        county_officer, family, django_capture_on_commit_callbacks):
    stored = family.members.get(role="father")
    father = {"name": stored.name, "id_number": stored.id_number}
    upload(login(county_officer), django_capture_on_commit_callbacks, roster([family_row(1, father=father)]))
    job = ImportJob.objects.get()
    assert errors_of(job, 3) == f"父亲身份证号可能重复:已登记在张建国家(档案号 {family.pk})"
    assert job.valid_rows == 0


def test_a_duplicate_outside_the_users_jurisdiction_is_reported_without_any_detail(
        make_family, other_township_officer, django_capture_on_commit_callbacks):
    elsewhere = make_family("510104001001", head_name="钱秘密")  # 东城镇, not 西山乡
    stored = elsewhere.members.get(role="father")
    row = family_row(1, village="石桥村", father={"name": "某某", "id_number": stored.id_number})
    upload(login(other_township_officer), django_capture_on_commit_callbacks, roster([row]), region="510104002000")
    job = ImportJob.objects.get()
    reason = errors_of(job, 3)
    assert reason == "父亲身份证号可能重复:已登记在您辖区以外的另一个家庭"
    assert "钱秘密" not in str(job.report) and str(elsewhere.pk) not in reason


def test_importing_the_same_file_twice_writes_nothing_the_second_time(county_officer,
                                                                       django_capture_on_commit_callbacks):
    client = login(county_officer)
    data = roster([family_row(1), family_row(2, head="王伟", father=member_data("father", name="王伟"))])
    upload(client, django_capture_on_commit_callbacks, data)
    confirm(client, django_capture_on_commit_callbacks, ImportJob.objects.get())
    assert Family.objects.count() == 2 and Member.objects.count() == 6

    upload(client, django_capture_on_commit_callbacks, data)
    second = ImportJob.objects.order_by("-pk").first()
    assert second.state == ImportJob.State.CHECKED and second.valid_rows == 0 and second.error_rows == 2
    assert "可能重复" in errors_of(second, 3)
    response = confirm(client, django_capture_on_commit_callbacks, second)
    assert response.status_code == 302
    assert Family.objects.count() == 2 and Member.objects.count() == 6


def test_two_checked_jobs_of_the_same_file_write_it_once(county_officer, regions):
    """The race: both dry runs pass, the second commit re-checks under the lock and writes nothing."""
    data = roster([family_row(1), family_row(2, head="王伟", father=member_data("father", name="王伟"))])
    jobs = []
    for _ in range(2):
        job = ImportJob(created_by=county_officer, region=regions["510104000000"], filename="a.xlsx")
        job_file_set(job, data)
        job.save()
        import_check(job)
        assert job.valid_rows == 2
        jobs.append(job)
    import_commit(jobs[0], county_officer)
    import_commit(jobs[1], county_officer)
    assert Family.objects.count() == 2
    jobs[1].refresh_from_db()
    assert jobs[1].state == ImportJob.State.COMMITTED and jobs[1].committed_rows == 0 and jobs[1].error_rows == 2
    assert "可能重复" in errors_of(jobs[1], 3)
    assert AuditEvent.objects.filter(action="family.imported").count() == 2


def test_confirming_twice_writes_once(county_officer, django_capture_on_commit_callbacks):
    client = login(county_officer)
    upload(client, django_capture_on_commit_callbacks, roster([family_row(1, registered=dt.date(2021, 1, 1))]))
    job = ImportJob.objects.get()
    confirm(client, django_capture_on_commit_callbacks, job)
    response = client.post(reverse("families:import_commit", args=[job.pk]), follow=True)
    assert "检查完成且至少有一行有效数据后才能确认导入" in response.content.decode()
    assert Family.objects.count() == 1
