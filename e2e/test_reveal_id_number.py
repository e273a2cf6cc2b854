"""The detail page masks ID numbers; revealing one takes a typed reason (htmx) and is audited."""

import pytest
from playwright.sync_api import expect

from guanhuai.audit.models import AuditEvent

from .helpers import sign_in

pytestmark = pytest.mark.e2e


def test_revealing_an_id_number_requires_a_reason_and_shows_it(page, family, village_contact):
    father = family.members.get(role="father")
    masked = father.id_number[:4] + "*" * 10 + father.id_number[-4:]
    sign_in(page, "village_contact")
    page.goto(f"/families/{family.pk}/")

    row = page.locator("tr", has_text=father.name)
    expect(row).to_contain_text(masked)
    assert father.id_number not in page.content()

    box = row.locator("details.reveal-box").first
    box.locator("summary").click()
    box.locator("button", has_text="确认查看").click()  # no reason typed: the browser refuses to send it
    page.wait_for_timeout(300)
    expect(row).to_contain_text(masked)
    assert not AuditEvent.objects.filter(action="sensitive.reveal").exists()

    box.locator("input[name=reason]").fill("上门走访前核对身份")
    box.locator("button", has_text="确认查看").click()
    expect(row).to_contain_text(father.id_number)
    expect(row).to_contain_text("已留痕")
    event = AuditEvent.objects.get(action="sensitive.reveal")
    assert event.actor == village_contact and event.reason == "上门走访前核对身份"
    assert event.object_id == str(father.pk)
