"""A village contact works through "走访待办" on a phone (375 px): records a call, the weekly contact is met."""

import datetime as dt
import importlib
import re

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import expect

from guanhuai.compliance import profiles
from guanhuai.compliance.models import ObligationState
from guanhuai.contacts.services import assignment_set, contact_create
from guanhuai.regions.models import Region
from guanhuai.visits.models import Visit

from .helpers import sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def shipped_profiles():
    """The live server's database is flushed between browser tests, data migrations included: put the
    shipped policy profiles back (the same function the migration runs)."""
    migration = importlib.import_module("guanhuai.compliance.migrations.0002_shipped_profiles")
    migration.create(apps, None)
    profiles.clear_cache()
    yield
    profiles.clear_cache()


def test_a_village_contact_records_a_call_from_the_worklist(phone, shipped_profiles, make_family, county_officer,
                                                            village_contact):
    contact = contact_create(acting_user=county_officer, region=Region.objects.get(code="510104001001"),
                             name="周小梅", kind="village_cadre", post="村计生专干", phone="13900000001")
    contact.user = village_contact
    contact.save(update_fields=["user"])
    families = {}
    for name in ("赵建国", "钱德明"):
        families[name] = make_family(head_name=name, registered_on=dt.date(2024, 1, 1))
        assignment_set(acting_user=county_officer, family=families[name], slot="second", contact=contact,
                       start_date=dt.date(2024, 1, 1))
    family = families["赵建国"]
    weekly = ObligationState.objects.get(family=family, key="weekly_contact")
    assert weekly.base_status == "overdue"  # never contacted since 2024

    sign_in(phone, "village_contact")
    phone.click("button.navbar-toggler")  # the menu is folded at phone width
    phone.locator("#nav").get_by_role("link", name="走访待办").click()
    expect(phone).to_have_url(re.compile(r"/compliance/mine/$"))
    expect(phone.locator("h1")).to_have_text("我联系的家庭")
    row = phone.locator(".list-group-item", has_text="赵建国家")
    expect(row).to_contain_text("每周联系")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375

    row.get_by_role("link", name="记录走访").click()
    expect(phone.locator("h1")).to_have_text("记录走访")
    expect(phone.locator(".visit-form")).to_contain_text("赵建国")
    phone.locator("fieldset").get_by_text("电话", exact=True).click()  # the channel buttons
    expect(phone.locator("input[name=channel][value=phone]")).to_be_checked()
    phone.fill("textarea[name=needs_raised]", "希望家庭医生下周上门量血压")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.get_by_role("button", name="保存走访记录").click()

    expect(phone).to_have_url(re.compile(r"/compliance/mine/$"))  # back where the contact came from
    expect(phone.locator(".alert-success")).to_contain_text("已记录 赵建国家")
    expect(phone.locator(".alert-success")).to_contain_text("按时录入")
    expect(phone.locator(".list-group-item", has_text="赵建国家")).not_to_contain_text("每周联系")
    expect(phone.locator(".list-group-item", has_text="钱德明家")).to_contain_text("每周联系")

    visit = Visit.objects.get(family=family)
    today = timezone.localdate()
    assert (visit.channel, visit.visit_date, visit.entry_date) == ("phone", today, today)
    assert visit.contact == contact and visit.recorded_by == village_contact and not visit.is_late
    assert visit.region_id == family.region_id and visit.needs_raised == "希望家庭医生下周上门量血压"
    weekly = ObligationState.objects.get(family=family, key="weekly_contact")
    assert (weekly.base_status, weekly.count, weekly.last_visit) == ("met", 1, today)
    assert not Visit.objects.filter(family=families["钱德明"]).exists()
