"""The approval steps through the API: each only by its own level within the jurisdiction, none skipped,
send-back with a reason, public notice with objections, the full history, and two officers at once."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.test import Client

from conftest import login
from guanhuai.relief.models import Application, State
from guanhuai.relief.services import StaleApplication, application_decide

URL = "/api/relief/applications/{}/"
VILLAGE_BODY = {"action": "approve", "findings": "户籍、生育、经济情况属实", "opinion": "同意上报",
                "signatory_1": "王专干", "signatory_2": "李主任"}


def act(user, app, verb="decide", **body):
    client = login(user) if user is not None else Client()
    return client.post(URL.format(app.pk) + verb, body, content_type="application/json")


def state(app):
    return Application.objects.get(pk=app.pk).state


@pytest.fixture
def at_township(comfort_app, village_contact):
    assert act(village_contact, comfort_app, **VILLAGE_BODY).status_code == 200
    return comfort_app


@pytest.fixture
def at_county(at_township, township_officer):
    assert act(township_officer, at_township, action="approve", opinion="审查无误").status_code == 200
    return at_township


@pytest.fixture
def at_notice(at_county, county_officer):
    assert act(county_officer, at_county, action="approve", opinion="认定").status_code == 200
    return at_county


STEPS = [  # (fixture with the application at that step, right persona, wrong persona, next state)
    ("comfort_app", "village_contact", "township_officer", State.TOWNSHIP),
    ("at_township", "township_officer", "county_officer", State.COUNTY),
    ("at_county", "county_officer", "township_officer", State.NOTICE),
]


@pytest.mark.parametrize(("fixture", "right", "wrong", "next_state"), STEPS)
def test_each_step_only_by_its_level_within_the_jurisdiction(request, fixture, right, wrong, next_state, outsider,
                                                             client):
    app = request.getfixturevalue(fixture)
    before = state(app)
    body = VILLAGE_BODY if before == State.VILLAGE else {"action": "approve", "opinion": "同意"}
    assert act(None, app, **body).status_code == 401
    assert act(outsider, app, **body).status_code == 404
    wrong_answer = act(request.getfixturevalue(wrong), app, **body)
    assert wrong_answer.status_code == 403 and "不能越级或代办" in wrong_answer.json()["message"]
    assert state(app) == before
    answer = act(request.getfixturevalue(right), app, **body)
    assert answer.status_code == 200, answer.json()
    assert answer.json()["state"] == next_state == state(app)


def test_a_township_officer_of_another_township_cannot_see_the_application(at_township, other_township_officer):
    assert act(other_township_officer, at_township, action="approve", opinion="x").status_code == 404


def test_the_village_step_needs_findings_two_signatories_and_every_document(bereaved, village_contact):
    from guanhuai.relief.services import application_apply

    from .conftest import item

    app = application_apply(acting_user=village_contact, family=bereaved, item=item("emergency-comfort"), reason="x")
    answer = act(village_contact, app, action="approve", opinion="同意")
    assert answer.status_code == 422
    fields = answer.json()["fields"]
    assert {"findings", "signatory_1", "signatory_2", "documents"} <= set(fields)
    assert "光荣证" in fields["documents"][0]
    assert state(app) == State.VILLAGE


def test_send_back_needs_a_reason_and_goes_one_step_back(at_county, county_officer, township_officer,
                                                         village_contact):
    assert act(county_officer, at_county, action="return").status_code == 422
    assert act(county_officer, at_county, action="return", opinion="缺死亡证明原件").json()["state"] == State.TOWNSHIP
    assert act(township_officer, at_county, action="return", opinion="请村里复核").json()["state"] == State.VILLAGE
    assert act(village_contact, at_county, action="return", opinion="请补正").json()["state"] == State.RETURNED
    again = act(village_contact, at_county, "resubmit", note="已补正")
    assert again.status_code == 200 and again.json()["state"] == State.VILLAGE
    history = [(s["action"], s["to_state"]) for s in again.json()["steps"]]
    assert history == [("apply", "village"), ("approve", "township"), ("approve", "county"), ("return", "township"),
                       ("return", "village"), ("return", "returned"), ("resubmit", "village")]


def test_reject_ends_the_application(at_township, township_officer):
    body = act(township_officer, at_township, action="reject", opinion="不符合条件").json()
    assert body["state"] == State.REJECTED
    assert act(township_officer, at_township, action="approve", opinion="x").status_code == 409


def test_no_step_can_be_skipped(comfort_app, county_officer):
    answer = act(county_officer, comfort_app, action="approve", opinion="直接认定")
    assert answer.status_code == 403
    assert state(comfort_app) == State.VILLAGE


def test_public_notice_lasts_the_items_days_and_objections_must_be_resolved(at_notice, county_officer, today,
                                                                           township_officer):
    app = Application.objects.get(pk=at_notice.pk)
    assert app.notice_end == today + dt.timedelta(days=7)
    early = act(county_officer, app, "close-notice")
    assert early.status_code == 422 and "期满后方可认定" in early.json()["message"]
    client = login(county_officer)
    objection = client.post(URL.format(app.pk) + "objections", {"content": "该户已迁出", "raised_by": "村民"},
                            content_type="application/json")
    assert objection.status_code == 201
    assert login(township_officer).post(URL.format(app.pk) + "objections", {"content": "x"},
                                        content_type="application/json").status_code == 403
    app.notice_end = today
    app.save()
    blocked = act(county_officer, app, "close-notice")
    assert blocked.status_code == 422 and "异议未处理" in blocked.json()["message"]
    resolved = client.post(f"/api/relief/objections/{objection.json()['id']}/resolve",
                           {"upheld": False, "resolution": "经核实未迁出"}, content_type="application/json")
    assert resolved.status_code == 200
    done = act(county_officer, app, "close-notice")
    assert done.status_code == 200 and done.json()["state"] == State.APPROVED
    assert done.json()["approved_on"] == today.isoformat()


def test_an_upheld_objection_refuses_the_application(at_notice, county_officer):
    client = login(county_officer)
    oid = client.post(URL.format(at_notice.pk) + "objections", {"content": "虚报"},
                      content_type="application/json").json()["id"]
    body = client.post(f"/api/relief/objections/{oid}/resolve", {"upheld": True, "resolution": "异议属实"},
                       content_type="application/json").json()
    assert body["state"] == State.REJECTED


def test_a_stale_form_is_refused_with_who_acted_first(at_township, township_officer):
    version = Application.objects.get(pk=at_township.pk).version
    first = act(township_officer, at_township, action="approve", opinion="同意", version=version)
    assert first.status_code == 200
    second = act(township_officer, at_township, action="return", opinion="退回", version=version)
    assert second.status_code == 409
    assert second.json()["code"] == "conflict" and "刚刚已由" in second.json()["message"]
    assert state(at_township) == State.COUNTY


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="real row locks between two connections: the in-memory SQLite test database has none")
@pytest.mark.django_db(transaction=True)
def test_two_officers_approving_at_once_one_wins(transactional_db, regions, make_family, village_contact,
                                                 township_officer):
    """Two threads, two connections, same version: exactly one approval, the other a clear conflict."""
    from guanhuai.accounts.models import User
    from guanhuai.accounts.roles import Role

    from .conftest import all_documents, bereaved_members, item

    colleague = User.objects.create(username="colleague", full_name="同镇干部", role=Role.TOWNSHIP,
                                    region_id="510104001000")
    family = make_family(certificate_no="GR-9", bank_account="6222000011112222", members=bereaved_members())
    from guanhuai.relief.services import application_apply

    app = application_apply(acting_user=village_contact, family=family, item=item("emergency-comfort"),
                            reason="x", documents=all_documents("emergency-comfort"))
    application_decide(acting_user=village_contact, application=app, action="approve", **{
        k: v for k, v in VILLAGE_BODY.items() if k != "action"})
    version = Application.objects.get(pk=app.pk).version
    barrier = threading.Barrier(2)
    outcomes = []

    def run(user):
        try:
            barrier.wait()
            application_decide(acting_user=user, application=app, action="approve", opinion="同意",
                               expected_version=version)
            outcomes.append("ok")
        except StaleApplication as exc:
            outcomes.append(exc.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(u,)) for u in (township_officer, colleague)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes, key=len)[0] == "ok" and outcomes.count("ok") == 1, outcomes
    assert "刚刚已由" in [o for o in outcomes if o != "ok"][0]
    fresh = Application.objects.get(pk=app.pk)
    assert fresh.state == State.COUNTY and fresh.steps.filter(action="approve").count() == 2


@pytest.mark.parametrize(("verb", "body", "right", "wrong"), [
    ("close-notice", {}, "county_officer", "township_officer"),
    ("revoke", {"reason": "虚报"}, "county_officer", "village_contact"),
    ("objections", {"content": "有异议"}, "county_officer", "township_officer"),
])
def test_notice_transitions_by_role(request, at_notice, verb, body, right, wrong, outsider, today):
    Application.objects.filter(pk=at_notice.pk).update(notice_end=today)
    assert act(None, at_notice, verb, **body).status_code == 401
    assert act(outsider, at_notice, verb, **body).status_code == 404
    assert act(request.getfixturevalue(wrong), at_notice, verb, **body).status_code == 403
    assert act(request.getfixturevalue(right), at_notice, verb, **body).status_code in (200, 201)


def test_resubmit_by_role(comfort_app, village_contact, association_worker, outsider):
    act(village_contact, comfort_app, action="return", opinion="请补正")
    assert act(None, comfort_app, "resubmit").status_code == 401
    assert act(outsider, comfort_app, "resubmit").status_code == 404
    assert act(association_worker, comfort_app, "resubmit").status_code == 403
    assert act(village_contact, comfort_app, "resubmit").json()["state"] == State.VILLAGE


def test_the_page_flow_takes_a_step_and_refuses_a_stale_form(comfort_app, village_contact):
    client = login(village_contact)
    page = client.get(f"/relief/applications/{comfort_app.pk}/")
    assert "待村(居)调查" in page.content.decode() and "计生专干签字" in page.content.decode()
    form = {**VILLAGE_BODY, "version": comfort_app.version}
    done = client.post(f"/relief/applications/{comfort_app.pk}/decide/", form, follow=True)
    assert "当前状态:待乡镇审查" in done.content.decode()
    stale = client.post(f"/relief/applications/{comfort_app.pk}/decide/", form, follow=True)
    assert "刚刚已由" in stale.content.decode()
    assert state(comfort_app) == State.TOWNSHIP


def test_applying_through_the_page_explains_a_refusal(bereaved, village_contact, comfort_app):
    response = login(village_contact).post(f"/relief/apply/?family={bereaved.pk}", {
        "item": "emergency-comfort", "reason": "再次申请", "applied_on": "2026-01-05"})
    assert response.status_code == 200 and "每户只能享受一次" in response.content.decode()
    assert Application.objects.count() == 1
