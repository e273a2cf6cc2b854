"""Confirming many families unchanged at once: one transaction, one audit event per family."""

from conftest import login
from guanhuai.audit.models import AuditEvent
from guanhuai.confirmations.models import ConfirmationItem


def _bulk(client, window, ids, **body):
    return client.post(f"/api/confirmations/windows/{window.pk}/bulk-confirm", {"family_ids": ids, **body},
                       content_type="application/json")


def test_a_township_officer_confirms_the_selected_families(window, county_families, township_officer):
    ids = [f.pk for f in county_families[:4]]
    response = _bulk(login(township_officer), window, ids, note="入户核实无变化")
    assert response.status_code == 200, response.content
    assert response.json()["confirmed"] == 4 and response.json()["late"] == 0
    assert set(ConfirmationItem.objects.filter(outcome="confirmed").values_list("family_id", flat=True)) == set(ids)
    events = AuditEvent.objects.filter(action="confirmation.recorded")
    assert events.count() == 4 and all(e.changes["bulk"] is True for e in events)
    assert {e.changes["family"] for e in events} == set(ids)


def test_a_selection_reaching_outside_the_user_s_region_changes_nothing(window, county_families, township_officer):
    ids = [county_families[0].pk, county_families[4].pk]  # 石桥村 belongs to 西山乡
    response = _bulk(login(township_officer), window, ids)
    assert response.status_code == 422 and "不在您的辖区" in response.json()["message"]
    assert not ConfirmationItem.objects.exclude(outcome="").exists()
    assert not AuditEvent.objects.filter(action="confirmation.recorded").exists()


def test_a_selection_with_an_already_confirmed_family_changes_nothing(window, county_families, village_contact):
    first, second = county_families[0], county_families[1]
    assert _bulk(login(village_contact), window, [first.pk]).status_code == 200
    response = _bulk(login(village_contact), window, [first.pk, second.pk])
    assert response.status_code == 422 and "不能重复提交" in response.json()["message"]
    assert not ConfirmationItem.objects.get(family=second).outcome
    assert AuditEvent.objects.filter(action="confirmation.recorded").count() == 1


def test_an_empty_selection_is_refused(window, county_families, village_contact):
    response = _bulk(login(village_contact), window, [])
    assert response.status_code == 422 and response.json()["fields"]["family_ids"] == ["请至少选择一户家庭"]


def test_readers_outsiders_and_anonymous_callers_cannot_bulk_confirm(window, county_families, city_officer,
                                                                     outsider, client):
    ids = [county_families[0].pk]
    assert _bulk(login(city_officer), window, ids).status_code == 404
    assert _bulk(login(outsider), window, ids).status_code == 404
    assert _bulk(client, window, ids).status_code == 401
    assert login(outsider).post(f"/confirmations/{window.pk}/bulk-confirm/", {"family_ids": ids}).status_code == 404
    assert not ConfirmationItem.objects.exclude(outcome="").exists()


def test_the_worklist_form_bulk_confirms(window, county_families, village_contact):
    client = login(village_contact)
    page = client.get(f"/confirmations/{window.pk}/families/").content.decode()
    assert "所选家庭确认无变化" in page and "李庄赵" not in page and "石0" not in page  # own village only
    ids = [str(f.pk) for f in county_families[:2]]
    response = client.post(f"/confirmations/{window.pk}/bulk-confirm/", {"family_ids": ids,
                                                                        "query": "status=pending"})
    assert response.status_code == 302 and response["Location"].endswith("/families/?status=pending")
    assert ConfirmationItem.objects.filter(outcome="confirmed").count() == 2
