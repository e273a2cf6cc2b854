"""Importing a roster: a dry run writes nothing, a commit writes every valid row in one
transaction, and importing the same file again changes nothing."""

import pytest

from guanhuai.audit.models import AuditEvent
from guanhuai.contacts.importing import roster_analyse, roster_write
from guanhuai.contacts.models import Assignment, CardIssue, ContactPerson
from guanhuai.contacts.selectors import active_assignments

from .roster_files import merged_roster, roster, row


@pytest.fixture
def two_families(make_family):
    here = make_family(head_name="张建国")
    there = make_family("510104001002", head_name="王伟")
    return here, there


def _id(family, role="father"):
    return family.members.get(role=role).id_number


def test_a_dry_run_reports_the_changes_and_writes_nothing(two_families):
    here, there = two_families
    data = roster([row(1, _id(here)), row(2, _id(there, "mother"), village="李庄村", head="王伟",
                                            second=("赵大年", "村支书", "13900000003"))])
    analysis = roster_analyse(data, "名册.xlsx", prefix="510104")
    assert analysis.error_rows == 0 and len(analysis.valid) == 2
    assert analysis.rows[0].changes == ["第一联系人:(无) → 王建华", "第二联系人:(无) → 李秀兰"]
    assert not ContactPerson.objects.exists() and not Assignment.objects.exists()


def test_committing_creates_contacts_once_and_assigns_both_slots(two_families, county_officer):
    here, there = two_families
    data = roster([row(1, _id(here)), row(2, _id(there), village="李庄村", head="王伟",
                                            second=("赵大年", "村支书", "13900000003"))])
    analysis, result = roster_write(acting_user=county_officer, data=data, filename="名册.xlsx")
    assert (result.families, result.assignments, result.contacts_created) == (2, 4, 3)
    wang = ContactPerson.objects.get(name="王建华")
    assert wang.region_id == "510104001000" and wang.kind == "township_cadre" and wang.phone == "13900000001"
    li = ContactPerson.objects.get(name="李秀兰")
    assert li.region_id == "510104001001" and li.kind == "village_cadre" and li.post == "村委会主任"
    for family in (here, there):
        assert [a.contact for a in active_assignments(family)["first"]] == [wang]
    assert [a.contact.name for a in active_assignments(there)["second"]] == ["赵大年"]
    assert CardIssue.objects.filter(state="pending").count() == 2
    assert AuditEvent.objects.filter(action="assignment.set").count() == 4
    assert AuditEvent.objects.get(action="contacts.roster_imported").changes["families"] == 2


def test_importing_the_same_roster_twice_changes_nothing_the_second_time(two_families, county_officer):
    here, there = two_families
    data = roster([row(1, _id(here)), row(2, _id(there), village="李庄村", head="王伟",
                                            second=("赵大年", "村支书", "13900000003"))])
    roster_write(acting_user=county_officer, data=data, filename="名册.xlsx")
    before = (ContactPerson.objects.count(), Assignment.objects.count(), AuditEvent.objects.count())
    analysis = roster_analyse(data, "名册.xlsx", prefix="510104")
    assert analysis.error_rows == 0 and analysis.changed_rows == 0
    _, result = roster_write(acting_user=county_officer, data=data, filename="名册.xlsx")
    assert (result.families, result.assignments, result.contacts_created) == (0, 0, 0)
    assert (ContactPerson.objects.count(), Assignment.objects.count()) == before[:2]
    assert AuditEvent.objects.count() == before[2] + 1  # only the import itself is recorded


def test_a_changed_contact_replaces_the_old_one_and_keeps_history(two_families, county_officer):
    here, _ = two_families
    roster_write(acting_user=county_officer, data=roster([row(1, _id(here))]), filename="a.xlsx")
    changed = roster([row(1, _id(here), second=("周新", "村委委员", "13900000009"))])
    analysis = roster_analyse(changed, "b.xlsx", prefix="510104")
    assert analysis.rows[0].changes == ["第二联系人:李秀兰 → 周新"]
    roster_write(acting_user=county_officer, data=changed, filename="b.xlsx")
    history = list(here.assignments.filter(slot="second").order_by("id"))
    assert [(a.contact.name, a.end_date is None) for a in history] == [("李秀兰", False), ("周新", True)]
    assert [a.contact.name for a in active_assignments(here)["first"]] == ["王建华"]


def test_an_existing_contact_is_reused_by_name_and_phone(family, first_contact, county_officer):
    data = roster([row(1, _id(family), first=("王乡干", "镇长", "139 0000 0001"))])
    _, result = roster_write(acting_user=county_officer, data=data, filename="a.xlsx")
    assert result.contacts_created == 1  # only the second contact is new
    first_contact.refresh_from_db()
    assert first_contact.post == "镇长"  # the roster's post replaces the old one
    assert [a.contact for a in active_assignments(family)["first"]] == [first_contact]


def test_a_merged_two_row_header_under_title_rows_is_understood(family, county_officer):
    analysis = roster_analyse(merged_roster([row(1, _id(family))]), "名册.xlsx", prefix="510104")
    assert analysis.table.header_row == 4
    assert analysis.error_rows == 0 and analysis.rows[0].row == 5
    assert [p.phone for p in analysis.rows[0].plans] == ["13900000001", "13900000002"]


def test_a_row_may_fill_only_one_contact(family, county_officer):
    data = roster([row(1, _id(family), second=("", "", ""))])
    _, result = roster_write(acting_user=county_officer, data=data, filename="a.xlsx")
    assert result.assignments == 1
    assert not active_assignments(family)["second"]


def test_an_id_number_excel_turned_into_a_number_is_refused_with_the_reason(family):
    number = family.members.get(role="father").id_number
    analysis = roster_analyse(roster([row(1, float(number[:17] + "0"))]), "a.xlsx", prefix="510104")
    assert analysis.rows[0].errors == [
        "身份证号被 Excel 转成了科学计数法(如 5.10104E+17),后几位已经丢失;请把该列设为“文本”后重新填写"]


def test_a_township_officer_imports_within_the_township(family, township_officer):
    _, result = roster_write(acting_user=township_officer, data=roster([row(1, _id(family))]), filename="a.xlsx")
    assert result.families == 1
    assert ContactPerson.objects.get(name="王建华").region_id == "510104001000"
