"""Recording one family's confirmation: unchanged, changed (through the families services) or exited."""

import datetime as dt

from conftest import login
from guanhuai.audit.models import AuditEvent
from guanhuai.confirmations.models import ConfirmationItem
from guanhuai.families.models import Family, Member
from guanhuai.families.services import family_exit


def _url(window, family, suffix="/record"):
    return f"/api/confirmations/windows/{window.pk}/families/{family.pk}{suffix}"


def _post(client, window, family, **body):
    return client.post(_url(window, family), body, content_type="application/json")


def _item(window, family) -> ConfirmationItem:
    return ConfirmationItem.objects.get(window=window, family=family)


def test_a_village_contact_confirms_a_family_of_their_village(window, county_families, village_contact):
    family = county_families[0]
    response = _post(login(village_contact), window, family, outcome="confirmed", note="入户核实")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "confirmed" and data["is_late"] is False and data["recorded_by"] == "village_contact"
    item = _item(window, family)
    assert item.outcome == "confirmed" and item.entry_deadline == window.deadline.date and item.note == "入户核实"
    assert AuditEvent.objects.filter(action="confirmation.recorded", object_id=str(item.pk)).count() == 1


def test_officers_confirm_only_their_own_families(window, county_families, village_contact, township_officer,
                                                 other_township_officer, county_officer):
    lizhuang, shiqiao = county_families[3], county_families[4]
    assert _post(login(village_contact), window, lizhuang, outcome="confirmed").status_code == 404
    assert _post(login(other_township_officer), window, lizhuang, outcome="confirmed").status_code == 404
    assert _post(login(township_officer), window, shiqiao, outcome="confirmed").status_code == 404
    assert not ConfirmationItem.objects.exclude(outcome="").exists()
    assert _post(login(township_officer), window, lizhuang, outcome="confirmed").status_code == 200
    assert _post(login(county_officer), window, shiqiao, outcome="confirmed").status_code == 200


def test_readers_outsiders_and_anonymous_callers_cannot_record(window, county_families, city_officer, auditor,
                                                               association_worker, outsider, client):
    family = county_families[0]
    for user in (city_officer, auditor, association_worker, outsider):
        assert _post(login(user), window, family, outcome="confirmed").status_code == 404, user.username
        assert login(user).post(f"/confirmations/{window.pk}/families/{family.pk}/",
                                {"outcome": "confirmed"}).status_code == 404, user.username
    assert _post(client, window, family, outcome="confirmed").status_code == 401
    assert login(city_officer).get(_url(window, family, "")).status_code == 200  # readers may look
    assert login(outsider).get(_url(window, family, "")).status_code == 404
    assert not ConfirmationItem.objects.exclude(outcome="").exists()


def test_a_change_is_written_through_the_families_services(window, county_families, township_officer):
    family = county_families[0]
    father = family.members.get(role="father")
    response = _post(login(township_officer), window, family, outcome="changed",
                     changes={"health": "serious", "need_medical": True},
                     deceased=[{"member_id": father.pk, "death_date": "2026-01-10"}])
    assert response.status_code == 200, response.content
    family.refresh_from_db()
    father.refresh_from_db()
    assert family.health == "serious" and family.need_medical is True
    assert father.is_alive is False and father.death_date == dt.date(2026, 1, 10)
    changes = response.json()["changes"]
    assert changes["身体状况"] == ["良好", "重病"] and "张建国(父亲)2026-01-10 亡故" in changes["成员"]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"family.updated", "member.updated", "confirmation.recorded"} <= actions
    assert family.history.count() >= 2  # the archive's own change history has the edit


def test_a_change_without_any_change_is_refused_and_changes_nothing(window, county_families, township_officer):
    family = county_families[0]
    response = _post(login(township_officer), window, family, outcome="changed", changes={"health": "good"})
    assert response.status_code == 422 and "没有填写任何变化" in response.json()["message"]
    assert _item(window, family).outcome == ""


def test_a_bad_change_rolls_back_everything(window, county_families, township_officer):
    family = county_families[0]
    response = _post(login(township_officer), window, family, outcome="changed",
                     changes={"health": "serious", "category": "disabled"})  # disabled needs a grade
    assert response.status_code == 422
    family.refresh_from_db()
    assert family.health == "good" and _item(window, family).outcome == ""


def test_a_member_of_another_family_cannot_be_marked_deceased(window, county_families, township_officer):
    other = county_families[1]
    response = login(township_officer).post(
        _url(window, other), {"outcome": "changed", "changes": {"health": "serious"}, "deceased": [
            {"member_id": county_families[0].members.first().pk, "death_date": "2026-01-01"}]},
        content_type="application/json")
    assert response.status_code == 422 and Member.objects.filter(is_alive=False).count() == 0


def test_an_exit_goes_through_the_families_exit_service(window, county_families, village_contact):
    family = county_families[1]
    response = _post(login(village_contact), window, family, outcome="exited", exit_reason="parents_deceased",
                     exit_date="2026-02-01", note="夫妇均已亡故")
    assert response.status_code == 200, response.content
    family.refresh_from_db()
    assert family.status == "exited" and family.exit_reason == "parents_deceased"
    assert family.exit_date == dt.date(2026, 2, 1)
    assert AuditEvent.objects.filter(action="family.exited", object_id=str(family.pk)).exists()
    assert _item(window, family).exit_reason == "parents_deceased"


def test_an_exit_without_a_reason_is_refused(window, county_families, village_contact):
    family = county_families[1]
    response = _post(login(village_contact), window, family, outcome="exited")
    assert response.status_code == 422 and response.json()["fields"]["exit_reason"] == ["请选择退出原因"]
    family.refresh_from_db()
    assert family.status == "active"


def test_a_second_submission_is_refused(window, county_families, village_contact, township_officer):
    family = county_families[0]
    assert _post(login(village_contact), window, family, outcome="confirmed").status_code == 200
    again = _post(login(township_officer), window, family, outcome="exited", exit_reason="moved_away")
    assert again.status_code == 422 and "不能重复提交" in again.json()["message"]
    family.refresh_from_db()
    assert family.status == "active" and _item(window, family).recorded_by == village_contact
    assert AuditEvent.objects.filter(action="confirmation.recorded").count() == 1


def test_a_family_exited_during_the_confirmation_is_not_pending(window, county_families, county_officer,
                                                                village_contact):
    family = county_families[2]
    family_exit(acting_user=county_officer, family=family, reason="moved_away", exit_date=dt.date(2026, 1, 20))
    client = login(county_officer)
    detail = client.get(f"/api/confirmations/windows/{window.pk}").json()
    assert detail["progress"]["exited"] == 1 and detail["progress"]["pending"] == 5
    pending = client.get(f"/api/confirmations/windows/{window.pk}/families?status=pending").json()
    assert family.pk not in [r["family_id"] for r in pending["results"]] and pending["count"] == 5
    item = client.get(_url(window, family, "")).json()
    assert item["status"] == "exited" and item["outcome"] == ""
    response = _post(login(village_contact), window, family, outcome="confirmed")
    assert response.status_code == 422 and "已于 2026-01-20 退出" in response.json()["message"]
    assert Family.objects.get(pk=family.pk).status == "exited"


def test_nothing_is_recorded_before_the_window_starts(county_families, county_officer, village_contact):
    from django.utils import timezone

    from guanhuai.confirmations.services import confirmation_window_open

    today = timezone.localdate()
    window = confirmation_window_open(acting_user=county_officer, region=county_officer.region, year=today.year + 1,
                                      start_date=today + dt.timedelta(days=40),
                                      end_date=today + dt.timedelta(days=60))
    response = _post(login(village_contact), window, county_families[0], outcome="confirmed")
    assert response.status_code == 422 and "尚未到确认期" in response.json()["message"]


def test_the_page_form_records_a_confirmation(window, county_families, village_contact):
    family = county_families[0]
    client = login(village_contact)
    url = f"/confirmations/{window.pk}/families/{family.pk}/"
    page = client.get(url)
    assert page.status_code == 200 and "提交确认" in page.content.decode()
    response = client.post(url, {"outcome": "changed", "category": "deceased", "health": "chronic",
                                 "mental": "stable", "living": "with_spouse", "income": "middle", "housing": "own",
                                 "pension": "resident", "medical": "resident", "address": family.address})
    assert response.status_code == 302, response.content.decode()[:2000]
    item = _item(window, family)
    assert item.outcome == "changed" and item.changes == {"身体状况": ["良好", "慢性病"]}
    shown = client.get(url).content.decode()
    assert "有变化" in shown and "提交确认" not in shown


def test_the_page_shows_a_missing_change_as_an_error(window, county_families, village_contact):
    family = county_families[0]
    response = login(village_contact).post(
        f"/confirmations/{window.pk}/families/{family.pk}/",
        {"outcome": "changed", "category": "deceased", "health": "good", "mental": "stable", "living": "with_spouse",
         "income": "middle", "housing": "own", "pension": "resident", "medical": "resident",
         "address": family.address})
    assert response.status_code == 200 and "没有填写任何变化" in response.content.decode()
    assert _item(window, family).outcome == ""
