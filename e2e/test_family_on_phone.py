"""A village contact records a new family on a phone (375 px) through the form."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from guanhuai.families.models import Family
from guanhuai.lib.idnumber import make_id_number

from .helpers import sign_in

pytestmark = pytest.mark.e2e


def test_a_village_contact_creates_a_family_on_a_phone(phone, village_contact):
    father_id = make_id_number("510104", dt.date(1958, 4, 12), 101, "M")
    mother_id = make_id_number("510104", dt.date(1960, 9, 3), 102, "F")
    child_id = make_id_number("510104", dt.date(1985, 1, 20), 103, "M")

    sign_in(phone, "village_contact")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375  # nothing wider than the phone
    phone.click("text=新建家庭档案")
    expect(phone.locator("h1")).to_have_text("新建家庭档案")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375

    expect(phone.locator("select[name=region]")).to_have_value("510104001001")  # their own village, preselected
    phone.fill("input[name=head_name]", "赵建国")
    phone.fill("input[name=address]", "桃园村2组7号")
    phone.select_option("select[name=category]", "deceased")
    phone.fill("input[name=registered_on]", "2019-06-01")
    phone.check("input[name=needs][value=need_comfort]")

    phone.fill("input[name=m0-name]", "赵建国")
    phone.fill("input[name=m0-id_number]", father_id)
    phone.fill("input[name=m0-phone]", "13800001111")
    phone.fill("input[name=m1-name]", "孙秀兰")
    phone.fill("input[name=m1-id_number]", mother_id)
    phone.fill("input[name=m2-name]", "赵明")
    phone.fill("input[name=m2-id_number]", child_id)
    phone.select_option("select[name=m2-is_alive]", "0")
    phone.fill("input[name=m2-death_date]", "2012-08-15")
    phone.click("button:has-text('保存')")

    expect(phone).to_have_url(re.compile(r"/families/\d+/$"))
    expect(phone.locator(".alert-success")).to_contain_text("已建档")
    expect(phone.locator("h1")).to_contain_text("赵建国家")
    family = Family.objects.get(head_name="赵建国")
    assert family.region_id == "510104001001" and family.created_by == village_contact
    assert family.need_comfort and family.living == "with_spouse"  # untouched selects keep the model defaults
    members = {m.role: m for m in family.members.all()}
    assert members["father"].id_number == father_id and members["father"].phone == "13800001111"
    assert members["child"].is_alive is False and members["child"].death_date == dt.date(2012, 8, 15)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
