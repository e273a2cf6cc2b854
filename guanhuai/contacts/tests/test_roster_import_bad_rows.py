"""Every bad row is reported by its row number with a Chinese reason; good rows still go in."""

import pytest

from conftest import member_data
from guanhuai.contacts.importing import roster_analyse, roster_write
from guanhuai.contacts.models import Assignment
from guanhuai.lib.masking import mask_id_number

from .roster_files import roster, row


def _id(family, role="father"):
    return family.members.get(role=role).id_number


def _errors(data, prefix="510104"):
    analysis = roster_analyse(data, "名册.xlsx", prefix=prefix)
    return {r.row: r.errors for r in analysis.rows}


def test_an_unknown_id_number_is_reported_with_its_row(family):
    stranger = member_data(name="路人")["id_number"]
    errors = _errors(roster([row(1, _id(family)), row(2, stranger)]))
    assert errors[3] == []
    assert errors[4] == [f"身份证号 {mask_id_number(stranger)} 在您的辖区内没有对应的家庭档案"]


def test_a_family_outside_the_jurisdiction_gets_the_same_message_as_an_unknown_one(make_family):
    elsewhere = make_family("510105001001", head_name="南河户",
                            members=[member_data(name="南河户", area="510105")])
    number = _id(elsewhere)
    errors = _errors(roster([row(1, number)]))
    assert errors[3] == [f"身份证号 {mask_id_number(number)} 在您的辖区内没有对应的家庭档案"]
    assert "南河" not in str(errors)


def test_a_malformed_id_number_says_what_is_wrong(family):
    good = _id(family)
    bad_check = good[:17] + ("0" if good[17] != "0" else "1")
    errors = _errors(roster([row(1, bad_check), row(2, "51010419620517"), row(3, "")]))
    assert errors[3] == [f"身份证号 {mask_id_number(bad_check)}:身份证号校验位错误"]
    assert "身份证号应为18位" in errors[4][0]
    assert errors[5] == ["身份证号不能为空"]


def test_a_bad_or_missing_phone_is_reported(family):
    errors = _errors(roster([row(1, _id(family), first=("王建华", "副镇长", "1390000"  "0x01")),
                             row(2, _id(family, "mother"), second=("李秀兰", "主任", ""))]))
    assert errors[3] == ["第一联系人电话“13900000x01”不正确:应为 7–12 位数字(手机 11 位,座机可带区号)"]
    assert "第二联系人电话不能为空(联系卡上要印电话)" in errors[4]


def test_a_landline_with_area_code_is_accepted(family):
    assert _errors(roster([row(1, _id(family), first=("王建华", "副镇长", "028-8456 1234"))]))[3] == []


def test_a_contact_registered_where_the_family_is_not_is_refused(family, make_contact):
    make_contact("510104002000", name="王建华", phone="13900000001")  # 西山乡, not 东城镇
    errors = _errors(roster([row(1, _id(family))]))
    assert errors[3] == ["第一联系人王建华登记在西山乡,该区划不包含本户所在的桃园村"]


def test_a_village_cadre_cannot_be_made_first_contact(family, second_contact):
    errors = _errors(roster([row(1, _id(family), first=("李村干", "村委委员", "13900000002"),
                                 second=("赵六", "村医", "13900000007"))]))
    assert errors[3] == ["李村干登记为村居干部,不能担任第一联系人(应由乡镇干部担任)"]


def test_a_contact_who_left_cannot_be_given_families(family, first_contact, county_officer):
    from guanhuai.contacts.services import contact_update

    contact_update(acting_user=county_officer, contact=first_contact, data={"is_active": False})
    errors = _errors(roster([row(1, _id(family), first=("王乡干", "副镇长", "13900000001"))]))
    assert errors[3] == ["第一联系人王乡干已离岗,不能再分配家庭"]


def test_the_same_family_twice_is_reported_on_the_second_row(family):
    errors = _errors(roster([row(1, _id(family)), row(2, _id(family, "mother"))]))
    assert errors[3] == [] and errors[4] == ["与第 3 行是同一个家庭,每户只能填一行"]


def test_an_exited_family_gets_no_contacts(family, county_officer):
    import datetime as dt

    from guanhuai.families.services import family_exit

    family_exit(acting_user=county_officer, family=family, reason="moved_away", exit_date=dt.date(2025, 1, 1))
    assert _errors(roster([row(1, _id(family))]))[3] == ["该家庭已退出,不能再确定联系人"]


def test_a_row_without_any_contact_is_reported(family):
    errors = _errors(roster([row(1, _id(family), first=("", "", ""), second=("", "", ""))]))
    assert errors[3] == ["第一联系人和第二联系人都没有填写"]


def test_the_same_person_in_both_slots_is_refused(family):
    same = ("王建华", "副镇长", "13900000001")
    assert "第一联系人和第二联系人不能是同一个人" in _errors(roster([row(1, _id(family), first=same, second=same)]))[3]


def test_a_start_date_in_the_future_is_refused(family):
    data = roster([row(1, _id(family))])
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    sheet = book.active
    sheet["K2"], sheet["K3"] = "起始日期", "2999-01-01"
    out = io.BytesIO()
    book.save(out)
    assert _errors(out.getvalue())[3] == ["起始日期不能晚于今天"]


def test_valid_rows_are_written_and_bad_rows_skipped(family, county_officer):
    stranger = member_data(name="路人")["id_number"]
    analysis, result = roster_write(acting_user=county_officer, data=roster([row(1, stranger), row(2, _id(family))]),
                                    filename="a.xlsx")
    assert analysis.error_rows == 1 and result.families == 1
    assert Assignment.objects.filter(family=family).count() == 2


@pytest.mark.parametrize("kind, expected", [("家庭医生", "doctor"), ("计生协会员", "association")])
def test_the_second_contact_kind_column_is_used_for_new_contacts(family, county_officer, kind, expected):
    import io

    from openpyxl import load_workbook

    from guanhuai.contacts.models import ContactPerson

    book = load_workbook(io.BytesIO(roster([row(1, _id(family))])))
    sheet = book.active
    sheet["K2"], sheet["K3"] = "第二联系人类别", kind
    out = io.BytesIO()
    book.save(out)
    roster_write(acting_user=county_officer, data=out.getvalue(), filename="a.xlsx")
    assert ContactPerson.objects.get(name="李秀兰").kind == expected
