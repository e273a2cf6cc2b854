import datetime as dt

import pytest
from django.urls import reverse

from conftest import login, member_data
from guanhuai.audit.models import AuditEvent
from guanhuai.families.models import Family, Status


def test_anonymous_is_redirected_to_login(family, client):
    for name, args in [("families:list", []), ("families:detail", [family.pk]), ("families:create", []),
                       ("families:edit", [family.pk]), ("families:history", [family.pk]),
                       ("families:export", [])]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]


def test_a_county_officer_sees_the_family_and_its_masked_id_number(family, county_officer):
    member = family.members.get(role="father")
    response = login(county_officer).get(reverse("families:detail", args=[family.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "张建国家" in html
    assert member.id_number_masked in html
    assert member.id_number not in html


@pytest.mark.parametrize("name", ["families:detail", "families:edit", "families:history", "families:member_add"])
def test_a_user_of_another_county_gets_404(family, outsider, name):
    assert login(outsider).get(reverse(name, args=[family.pk])).status_code == 404


def test_the_list_shows_only_families_in_jurisdiction(make_family, other_township_officer, township_officer):
    mine = make_family("510104001001", head_name="王一")
    theirs = make_family("510104002001", head_name="赵二", members=[member_data(name="赵二")])
    html = login(township_officer).get(reverse("families:list")).content.decode()
    assert mine.head_name in html and theirs.head_name not in html
    html = login(other_township_officer).get(reverse("families:list")).content.decode()
    assert theirs.head_name in html and mine.head_name not in html


def test_creating_a_family_through_the_page_writes_family_members_and_audit(village_contact):
    number = member_data()["id_number"]
    response = login(village_contact).post(reverse("families:create"), {
        "region": "510104001001", "head_name": "陈立", "category": "disabled", "disability_grade": "2",
        "registered_on": "2021-04-01", "health": "chronic", "mental": "stable", "living": "with_spouse",
        "income": "low", "housing": "own", "pension": "resident", "medical": "resident", "needs": ["need_medical"],
        "m0-role": "father", "m0-name": "陈立", "m0-id_number": number, "m0-is_alive": "1",
        "m1-role": "mother", "m2-role": "child", "m3-role": "other",
    })
    family = Family.objects.get(head_name="陈立")
    assert response.status_code == 302 and response["Location"] == reverse("families:detail", args=[family.pk])
    assert family.need_medical and family.disability_grade == 2
    member = family.members.get()
    assert member.id_number == number and member.birth_date == dt.date(1962, 5, 17)
    assert AuditEvent.objects.filter(action="family.created", object_id=str(family.pk)).exists()


def test_a_bad_checksum_is_refused_with_a_chinese_message_and_nothing_is_written(village_contact):
    number = member_data()["id_number"]
    bad = number[:-1] + ("0" if number[-1] != "0" else "1")
    response = login(village_contact).post(reverse("families:create"), {
        "region": "510104001001", "head_name": "陈立", "category": "deceased", "registered_on": "2021-04-01",
        "health": "good", "mental": "stable", "living": "alone", "income": "low", "housing": "own",
        "pension": "resident", "medical": "resident",
        "m0-role": "father", "m0-name": "陈立", "m0-id_number": bad, "m0-is_alive": "1",
    })
    assert response.status_code == 200
    assert "校验位错误" in response.content.decode()
    assert not Family.objects.exists()


def test_exiting_a_family_records_reason_and_date(family, township_officer):
    response = login(township_officer).post(reverse("families:exit", args=[family.pk]),
                                            {"reason": "moved_away", "exit_date": "2025-06-30", "note": ""})
    assert response.status_code == 302
    family.refresh_from_db()
    assert family.status == Status.EXITED and family.exit_reason == "moved_away"
    assert family.exit_date == dt.date(2025, 6, 30)


def test_an_outsider_cannot_exit_a_family(family, outsider):
    response = login(outsider).post(reverse("families:exit", args=[family.pk]),
                                    {"reason": "moved_away", "exit_date": "2025-06-30"})
    assert response.status_code == 404
    family.refresh_from_db()
    assert family.status == Status.ACTIVE
