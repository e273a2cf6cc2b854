"""A real-looking roster: two title rows, a merged two-row header, IDs stored as
numbers, dates written every way townships write them, full-width characters."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import login, member_data
from guanhuai.audit.models import AuditEvent
from guanhuai.families.models import Category, Family, ImportJob, Member

from .import_files import ref, xlsx

GROUP = ["序号", "乡镇", "村(居)", "户主姓名", "家庭类别", "伤残等级", "独生子女父母光荣证号", "纳入登记日期",
         "父亲", None, "母亲", None, "子女", None, None, "联系电话", "住址"]
SUB = [None] * 8 + ["姓名", "身份证号", "姓名", "身份证号", "姓名", "身份证号", "死亡日期", None, None]
MERGES = ["A1:Q1", "A2:Q2", *[f"{c}3:{c}4" for c in "ABCDEFGH"], "I3:J3", "K3:L3", "M3:O3", "P3:P4", "Q3:Q4"]


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "0" <= c <= "9" else c for c in text)


def digits_only(role, **kwargs) -> dict:
    """A member whose ID number has no X, so it can be stored as a number."""
    while True:
        data = member_data(role, **kwargs)
        if data["id_number"].isdigit():
            return data


@pytest.fixture
def people():
    return {
        "zhang_f": digits_only("father", name="张建国"),
        "zhang_m": member_data("mother", sex="F", birth=dt.date(1964, 8, 2), name="李秀英"),
        "wang_f": member_data("father", birth=dt.date(1958, 1, 9), name="王伟"),
        "wang_m": digits_only("mother", sex="F", birth=dt.date(1960, 3, 3), name="周芳"),
        "zhang_c": member_data("child", birth=dt.date(1986, 4, 4), name="张小明"),
        "wang_c": member_data("child", birth=dt.date(1988, 7, 7), name="王小军"),
        "chen_c": member_data("child", sex="M", birth=dt.date(1990, 9, 9), name="陈亮"),
        "zhao_f": member_data("father", birth=dt.date(1955, 2, 2), name="赵大山"),
        "chen_m": member_data("mother", sex="F", birth=dt.date(1966, 6, 6), name="陈桂兰"),
        "liu_f": member_data("father", birth=dt.date(1961, 12, 1), name="刘洪"),
    }


@pytest.fixture
def roster(people):
    p = {k: v["id_number"] for k, v in people.items()}
    rows = [
        ["东城县计划生育特殊家庭花名册(表一)"],
        ["填报单位:东城县卫生健康局            填报日期:2025年3月"],
        GROUP,
        SUB,
        [1, "东城镇", "桃园村", "张建国", "独生子女死亡", None, "光荣证001", "2020-1-5",
         "张建国", "NUMERIC", "李秀英", p["zhang_m"], "张小明", p["zhang_c"], dt.datetime(2012, 6, 1), 13812345678,
         "桃园村" + full_width("3") + "组" + full_width("12") + "号"],
        [2, "东城镇", "李庄村", "王\u3000伟", "伤残", "二级", "光荣证002", "2020/01/05",
         "王伟", full_width(p["wang_f"]), "周芳", "NUMERIC", "王小军", p["wang_c"], None, "13900001111", "李庄村"],
        [3, "西山乡", "石桥村", "赵大山", "手术并发症", None, None, "2020年1月5日",
         "赵大山", p["zhao_f"], None, None, None, None, None, None, "石桥村5组"],
        [4, None, "桃园村", "陈桂兰", "死亡", None, None, dt.datetime(2021, 4, 1),
         None, None, "陈桂兰", p["chen_m"].lower(), "陈亮", p["chen_c"], "2019.3.2", None, None],
        [5, "东城镇", "李庄村", "刘洪", "独生子女伤残家庭", "3级", None, 43835,
         "刘洪", " " + p["liu_f"] + " ", None, None, None, None, None, "0838-1234567", None],
    ]
    exact = {ref(5, 10): p["zhang_f"], ref(6, 12): p["wang_m"]}
    return xlsx(rows, merges=MERGES, exact=exact)


def upload(client, data, name="东城县花名册.xlsx", region="510104000000"):
    return client.post(reverse("families:import"), {"region": region, "file": SimpleUploadedFile(name, data)})


def test_the_dry_run_accepts_every_row_and_writes_nothing(county_officer, roster, django_capture_on_commit_callbacks):
    client = login(county_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, roster)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("families:import_job", args=[job.pk])
    assert job.state == ImportJob.State.CHECKED, job.message
    assert (job.total_rows, job.valid_rows, job.error_rows) == (5, 5, 0), job.report
    assert not Family.objects.exists() and not Member.objects.exists()
    assert not AuditEvent.objects.filter(action="family.imported").exists()
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "确认导入 5 户" in page.content.decode()


def test_confirming_writes_all_families_members_history_and_audit(county_officer, roster, people,
                                                                   django_capture_on_commit_callbacks):
    client = login(county_officer)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, roster)
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("families:import_commit", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.state == ImportJob.State.COMMITTED and job.committed_rows == 5, job.message
    assert Family.objects.count() == 5 and Member.objects.count() == 10

    zhang = Family.objects.get(head_name="张建国")
    assert zhang.region_id == "510104001001" and zhang.category == Category.CHILD_DECEASED
    assert zhang.registered_on == dt.date(2020, 1, 5) and zhang.address == "桃园村3组12号"
    assert zhang.created_by == county_officer
    father = zhang.members.get(role="father")
    assert father.id_number == people["zhang_f"]["id_number"] and father.birth_date == dt.date(1962, 5, 17)
    assert father.sex == "M" and father.phone == "13812345678"
    child = zhang.members.get(role="child")
    assert not child.is_alive and child.death_date == dt.date(2012, 6, 1)

    wang = Family.objects.get(head_name="王伟")
    assert wang.category == Category.CHILD_DISABLED and wang.disability_grade == 2
    assert wang.registered_on == dt.date(2020, 1, 5)
    assert wang.members.get(role="father").id_number == people["wang_f"]["id_number"]
    assert wang.members.get(role="mother").id_number == people["wang_m"]["id_number"]
    assert Family.objects.get(head_name="赵大山").region_id == "510104002001"
    assert Family.objects.get(head_name="赵大山").registered_on == dt.date(2020, 1, 5)
    chen = Family.objects.get(head_name="陈桂兰")
    assert chen.registered_on == dt.date(2021, 4, 1)
    assert chen.members.get(role="child").death_date == dt.date(2019, 3, 2)
    liu = Family.objects.get(head_name="刘洪")
    assert liu.disability_grade == 3 and liu.registered_on == dt.date(2020, 1, 5)
    assert liu.members.get().phone == "08381234567"

    events = AuditEvent.objects.filter(action="family.imported")
    assert events.count() == 5
    assert set(events.values_list("object_id", flat=True)) == {str(pk) for pk in Family.objects.values_list("pk", flat=True)}
    assert all(e.actor_id == county_officer.pk for e in events)
    assert people["zhang_f"]["id_number"] not in str(list(events.values_list("changes", flat=True)))
    assert AuditEvent.objects.filter(action="family.import_committed", object_id=str(job.pk)).exists()
    assert zhang.history.count() == 1 and father.history.count() == 1
