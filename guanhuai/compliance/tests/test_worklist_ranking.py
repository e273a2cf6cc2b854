""""My families": every family is ranked before the list is cut into pages; counts cover the whole list."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import login, member_data
from guanhuai.compliance import selectors, views
from guanhuai.compliance.selectors import WORKLIST_PAGE_SIZE, families_of_contact, worklist
from guanhuai.contacts.services import assignment_set, contact_create
from guanhuai.families.models import Family
from guanhuai.regions.models import Region

QUIET = WORKLIST_PAGE_SIZE  # families registered today: not judged yet, so never urgent
LATE = 2  # families registered long ago with no visit at all: overdue


@pytest.fixture
def cadre(county_officer, village_contact):
    contact = contact_create(acting_user=county_officer, region=Region.objects.get(code="510104001001"),
                             name="排序村干", kind="village_cadre", phone="13900000051")
    contact.user = village_contact
    contact.save(update_fields=["user"])
    return contact


def _serve(contact, county_officer, family):
    assignment_set(acting_user=county_officer, family=family, slot="second", contact=contact,
                   start_date=family.registered_on)
    return family


@pytest.fixture
def long_list(make_family, cadre, county_officer):
    """More families than fit on a page; the overdue ones are created last, so they have the highest ids."""
    today = timezone.localdate()
    for i in range(QUIET):
        _serve(cadre, county_officer, make_family(head_name=f"新登记户{i:02d}", registered_on=today,
                                                  members=[member_data(name=f"新登记户{i:02d}")]))
    late = [_serve(cadre, county_officer, make_family(head_name=f"久未联系户{i}", registered_on=dt.date(2024, 1, 1),
                                                       members=[member_data(name=f"久未联系户{i}")]))
            for i in range(LATE)]
    make_family(head_name="别人负责户", registered_on=dt.date(2024, 1, 1))  # overdue, but not the cadre's
    return late


def test_an_overdue_family_with_the_highest_id_is_first_on_page_one(long_list, village_contact):
    late_ids = {f.pk for f in long_list}
    assert late_ids == set(Family.objects.order_by("-id").values_list("id", flat=True)[1:LATE + 1])
    html = login(village_contact).get(reverse("compliance:mine")).content.decode()
    families = re.findall(r'href="/families/(\d+)/"', html)
    assert len(families) == WORKLIST_PAGE_SIZE  # one page, not the whole list
    assert {int(pk) for pk in families[:LATE]} == late_ids
    assert html.index("久未联系户") < html.index("新登记户") and "别人负责户" not in html


def test_the_counts_cover_the_whole_list_not_just_the_page(long_list, village_contact):
    client = login(village_contact)
    html = client.get(reverse("compliance:mine")).content.decode()
    counts = re.sub(r"<[^>]+>", "", re.search(r'id="worklist-counts">(.*?)</span>', html, flags=re.S).group(1))
    assert f"共 {QUIET + LATE} 户" in counts and f"逾期 {LATE}" in counts and "即将到期 0" in counts
    assert f"本页第 1–{WORKLIST_PAGE_SIZE} 户" in counts and "第 1 / 2 页" in html and "?page=2" in html
    second = client.get(reverse("compliance:mine") + "?page=2").content.decode()
    assert "久未联系户" not in second and len(re.findall(r'href="/families/(\d+)/"', second)) == LATE
    assert "第 2 / 2 页" in second and f"逾期 <b class=\"text-danger\">{LATE}</b>" in second


def test_a_page_number_that_is_not_a_number_shows_the_first_page(long_list, village_contact):
    response = login(village_contact).get(reverse("compliance:mine") + "?page=abc")
    assert response.status_code == 200 and "第 1 / 2 页" in response.content.decode()


def test_the_api_ranks_everything_then_pages(long_list, village_contact):
    client = login(village_contact)
    body = client.get("/api/compliance/mine?per_page=3").json()
    assert body["count"] == QUIET + LATE and body["overdue"] == LATE and body["due_soon"] == 0
    assert body["pages"] == -(-(QUIET + LATE) // 3) and body["page"] == 1 and not body["urgent_only"]
    assert [i["status"] for i in body["items"]][:LATE] == ["overdue"] * LATE
    assert body["items"][LATE]["status"] not in {"overdue", "due_soon"}
    assert {i["family"] for i in body["items"][:LATE]} == {f.pk for f in long_list}
    last = client.get(f"/api/compliance/mine?per_page=3&page={body['pages']}").json()
    assert last["overdue"] == LATE and all(i["status"] != "overdue" for i in last["items"])
    assert client.get("/api/compliance/mine?per_page=0").status_code == 422


def test_the_query_count_does_not_grow_with_the_families(make_family, cadre, county_officer, village_contact):
    client = login(village_contact)
    url = reverse("compliance:mine")

    def queries() -> int:
        client.get(url)  # brings state rows up to date first
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    for i in range(2):
        _serve(cadre, county_officer, make_family(head_name=f"少户{i}", registered_on=dt.date(2024, 1, 1),
                                                  members=[member_data(name=f"少户{i}")]))
    few = queries()
    for i in range(6):
        _serve(cadre, county_officer, make_family(head_name=f"多户{i}", registered_on=dt.date(2024, 1, 1),
                                                  members=[member_data(name=f"多户{i}")]))
    assert queries() == few


def test_the_selector_reads_the_page_families_in_full(long_list, cadre):
    ranked = worklist(families_of_contact(cadre), per_page=5, page=1)
    assert ranked.total == QUIET + LATE and len(ranked.items) == 5
    assert ranked.items[0].family.region.parent.name == "东城镇"  # selected with the page, no extra query


def test_a_large_jurisdiction_without_a_contact_card_lists_only_urgent_families(long_list, township_officer,
                                                                                monkeypatch):
    monkeypatch.setattr(selectors, "WORKLIST_RANK_LIMIT", 10)
    monkeypatch.setattr(views, "WORKLIST_RANK_LIMIT", 10)  # the page's note names the limit
    html = login(township_officer).get(reverse("compliance:mine")).content.decode()
    assert "只列出逾期" in html and "久未联系户0" in html and "别人负责户" in html and "新登记户" not in html


def test_another_countys_officer_sees_none_of_these_families(long_list, outsider):
    client = login(outsider)
    html = client.get(reverse("compliance:mine")).content.decode()
    assert "久未联系户" not in html and "新登记户" not in html and "暂无需要联系的家庭" in html
    assert client.get("/api/compliance/mine").json()["count"] == 0


def test_another_countys_officer_gets_404_for_a_contacts_worklist(long_list, cadre, outsider, township_officer):
    url = f"/api/compliance/contacts/{cadre.pk}/worklist?per_page=5"
    assert login(outsider).get(url).status_code == 404
    body = login(township_officer).get(url).json()
    assert body["count"] == QUIET + LATE and body["items"][0]["head_name"].startswith("久未联系户")


def test_anonymous_users_are_sent_to_log_in(long_list, client):
    response = client.get(reverse("compliance:mine"))
    assert response.status_code == 302 and "login" in response["Location"]
    assert client.get("/api/compliance/mine").status_code == 401
