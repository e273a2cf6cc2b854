"""Correcting and deleting a visit: its recorder or a township/county officer; a reason to delete."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import _user, login
from guanhuai.accounts.roles import Role
from guanhuai.audit.models import AuditEvent
from guanhuai.compliance.models import ObligationState
from guanhuai.visits.models import Visit
from guanhuai.visits.services import visit_record

from .conftest import days_ago, png


@pytest.fixture
def visit(family, village_contact, record):
    return record(village_contact, family, channel="phone", needs_raised="想咨询养老补贴")


def _form(visit, **changes):
    data = {"visit_date": visit.visit_date.isoformat(), "channel": visit.channel, "needs_raised": visit.needs_raised}
    data.update(changes)
    return data


def test_the_recorder_corrects_a_visit(visit, village_contact):
    client = login(village_contact)
    page = client.get(reverse("visits:edit", args=[visit.pk]))
    assert page.status_code == 200 and "想咨询养老补贴" in page.content.decode()
    response = client.post(reverse("visits:edit", args=[visit.pk]), _form(visit, channel="meeting"))
    assert response.status_code == 302 and response["Location"] == reverse("visits:detail", args=[visit.pk])
    visit.refresh_from_db()
    assert visit.channel == "meeting"
    assert ObligationState.objects.get(family=visit.family, key="monthly_meeting").base_status == "met"
    assert AuditEvent.objects.filter(action="visit.updated", object_id=str(visit.pk)).exists()


def test_moving_a_visit_back_in_time_flags_it_late(visit, village_contact):
    login(village_contact).post(reverse("visits:edit", args=[visit.pk]), _form(visit, visit_date=days_ago(40)))
    visit.refresh_from_db()
    assert visit.is_late


def test_an_edit_into_the_future_is_refused(visit, village_contact):
    response = login(village_contact).post(reverse("visits:edit", args=[visit.pk]),
                                           _form(visit, visit_date=timezone.localdate() + dt.timedelta(days=2)))
    assert response.status_code == 200 and "走访日期不能晚于今天" in response.content.decode()
    visit.refresh_from_db()
    assert visit.visit_date == timezone.localdate()


def test_a_township_officer_may_correct_a_village_cadres_visit(visit, township_officer):
    response = login(township_officer).post(reverse("visits:edit", args=[visit.pk]), _form(visit, notes="已核实"))
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.notes == "已核实"


def test_another_village_cadre_may_see_but_not_change_it(visit, regions):
    colleague = _user("colleague", Role.VILLAGE, "510104001001")
    client = login(colleague)
    assert client.get(reverse("visits:detail", args=[visit.pk])).status_code == 200
    assert client.get(reverse("visits:edit", args=[visit.pk])).status_code == 404
    assert client.post(reverse("visits:delete", args=[visit.pk]), {"reason": "x"}).status_code == 404
    assert Visit.objects.filter(pk=visit.pk).exists()


@pytest.mark.parametrize("persona", ["city_officer", "auditor"])
def test_readers_see_the_visit_but_cannot_change_it(visit, persona, request):
    client = login(request.getfixturevalue(persona))
    assert client.get(reverse("visits:detail", args=[visit.pk])).status_code == 200
    assert client.post(reverse("visits:edit", args=[visit.pk]), _form(visit, notes="x")).status_code == 404
    assert client.post(reverse("visits:delete", args=[visit.pk]), {"reason": "x"}).status_code == 404
    visit.refresh_from_db()
    assert visit.notes == ""


def test_deleting_needs_a_reason(visit, village_contact):
    response = login(village_contact).post(reverse("visits:delete", args=[visit.pk]), {"reason": ""})
    assert response.status_code == 200 and "请填写删除理由" in response.content.decode()
    assert Visit.objects.filter(pk=visit.pk).exists()


def test_deleting_with_a_reason_removes_it_audits_it_and_refreshes_the_state(visit, village_contact):
    client = login(village_contact)
    assert client.get(reverse("visits:delete", args=[visit.pk])).status_code == 200
    response = client.post(reverse("visits:delete", args=[visit.pk]), {"reason": "重复录入"})
    assert response.status_code == 302 and response["Location"] == reverse("visits:family", args=[visit.family_id])
    assert not Visit.objects.filter(pk=visit.pk).exists()
    assert AuditEvent.objects.filter(action="visit.deleted", reason="重复录入").exists()
    assert ObligationState.objects.get(family=visit.family, key="weekly_contact").count == 0


def test_a_visit_of_another_county_is_404_on_every_page(visit, outsider):
    client = login(outsider)
    for name in ("visits:detail", "visits:edit", "visits:delete"):
        assert client.get(reverse(name, args=[visit.pk])).status_code == 404
        assert client.post(reverse(name, args=[visit.pk]), {"reason": "x"}).status_code == 404
    assert Visit.objects.filter(pk=visit.pk).exists()


def test_photos_are_served_only_inside_the_jurisdiction(family, village_contact, outsider):
    visit = visit_record(acting_user=village_contact, family=family, photos=[png()],
                         data={"visit_date": timezone.localdate(), "channel": "home"})
    photo = visit.photos.get()
    url = reverse("visits:photo", args=[photo.pk])
    response = login(village_contact).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert login(outsider).get(url).status_code == 404
    detail = login(village_contact).get(reverse("visits:detail", args=[visit.pk])).content.decode()
    assert url in detail
