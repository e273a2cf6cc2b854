"""Every page and every API endpoint, discovered from the URL configuration:
anonymous callers are sent to the login page (pages) or get 401 (API), and a
county officer of another county gets 404 for any object of 东城县.

A new route with a parameter this test does not know fails here until it is
given a sample object below, so no endpoint escapes the check.
"""

from __future__ import annotations

import json
import re

import pytest
from django.urls import URLResolver, get_resolver, reverse

from conftest import login
from guanhuai.accounts.services import api_token_create
from guanhuai.families.models import ImportJob

PUBLIC = {"accounts:login", "accounts:login_totp", "accounts:logout", "web:healthz", "api:api-root"}
DOCS = {"api:openapi-json", "api:openapi-view"}  # behave as pages: login first
METHODS = ["get", "post", "put", "patch", "delete"]


def _walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        else:
            yield prefix + str(p.pattern), f"{namespace}{p.name}"


def routes():
    seen = set()
    for pattern, name in _walk(get_resolver().url_patterns):
        if pattern in seen:
            continue  # ninja lists one URL once per HTTP method
        seen.add(pattern)
        yield pattern, name


ALL = list(routes())
API = [(p, n) for p, n in ALL if p.startswith("api/") and n not in PUBLIC | DOCS]
PAGES = [(p, n) for p, n in ALL if (not p.startswith("api/") or n in DOCS) and n not in PUBLIC]


@pytest.fixture
def samples(family, county_officer, township_officer):
    member = family.members.first()
    token, _ = api_token_create(user=township_officer, name="他人的令牌")
    job = ImportJob.objects.create(created_by=county_officer, region=family.region.parent.parent, filename="a.xlsx",
                                   data=b"x")
    visits = _visit_samples(family, township_officer)
    return {"family": family.pk, "member": member.pk, "token": token.pk, "job": job.pk, "user": county_officer.pk,
            "code": "510104001001", "kind": "id_number", **visits, **_contact_samples(family, county_officer),
            **_oversight_samples(county_officer), **_relief_samples(family, county_officer),
            **_confirmation_samples(county_officer), **_reports_samples(township_officer),
            # Policy profiles are not in any jurisdiction: only administrators may change them (others 404).
            "profile_id": _first_profile_id()}


def _first_profile_id() -> int:
    from guanhuai.compliance.models import PolicyProfile

    return PolicyProfile.objects.order_by("pk").values_list("pk", flat=True).first()


def _contact_samples(family, officer) -> dict:
    """A contact person of 东城镇 and their assignment to the family (contacts routes)."""
    from guanhuai.contacts.services import assignment_set, contact_create

    contact = contact_create(acting_user=officer, region=family.region.parent, name="王乡干", kind="township_cadre",
                             phone="13900000001")
    assignment = assignment_set(acting_user=officer, family=family, slot="first", contact=contact,
                                start_date=family.registered_on)
    return {"contact_id": contact.pk, "assignment_id": assignment.pk}


def _oversight_samples(officer) -> dict:
    """A spot check of 东城县 and its sampled family (oversight routes)."""
    import datetime as dt

    from guanhuai.accounts.models import User
    from guanhuai.oversight.services import spotcheck_plan
    from guanhuai.oversight.services_survey import survey_plan

    check = spotcheck_plan(acting_user=officer, region=officer.region, title="抽查", planned_on=dt.date.today(),
                           size=1, seed=1)
    province = User.objects.create(username="sample_province", role="province", region_id="510000000000")
    survey = survey_plan(acting_user=province, region=officer.region, title="抽样调查", year=dt.date.today().year,
                         planned_on=dt.date.today(), share=1, seed=1)
    from guanhuai.community.services import training_create

    training = training_create(acting_user=officer, region=officer.region, held_on=dt.date.today(), title="培训")
    return {"spotcheck_id": check.pk, "item_id": check.items.get().pk, "survey_id": survey.pk,
            "question_id": survey.questions.first().pk, "training_id": training.pk}


def _relief_samples(family, officer) -> dict:
    """An application of 东城县 with a document, an objection, a payment batch and a recovery (relief routes)."""
    import datetime as dt
    from decimal import Decimal

    from django.core.files.base import ContentFile

    from guanhuai.relief.models import Application, Attachment, Batch, Objection, Recovery, ReliefItem

    app = Application.objects.create(item=ReliefItem.objects.get(code="hardship"), family=family,
                                     region_id=family.region_id, event_key="event:2026-01-01", reason="受灾",
                                     applied_on=dt.date(2026, 1, 2), amount=Decimal("5000.00"), state="notice")
    att = Attachment(application=app, kind="id_card", content_type="image/png")
    att.file.save("id.png", ContentFile(b"\x89PNG\r\n\x1a\n0000"), save=False)
    att.save()
    objection = Objection.objects.create(application=app, raised_on=dt.date(2026, 1, 3), content="有异议")
    batch = Batch.objects.create(region=officer.region, period=dt.date(2026, 1, 1), title="一月发放")
    recovery = Recovery.objects.create(application=app, region_id=family.region_id, amount_due=Decimal("5000.00"),
                                       opened_on=dt.date(2026, 2, 1))
    return {"application_id": app.pk, "attachment_id": att.pk, "objection_id": objection.pk, "batch_id": batch.pk,
            "recovery_id": recovery.pk}


def _confirmation_samples(officer) -> dict:
    """An open eligibility confirmation of 东城县 (confirmations routes; the family is in its register)."""
    import datetime as dt

    from guanhuai.confirmations.services import confirmation_window_open

    today = dt.date.today()
    window = confirmation_window_open(acting_user=officer, region=officer.region, year=today.year,
                                      start_date=today, end_date=today + dt.timedelta(days=30))
    return {"window_id": window.pk}


def _reports_samples(officer) -> dict:
    """东城镇's submitted annual return and an encrypted export of it (reports routes)."""
    from django.utils import timezone

    from guanhuai.reports.services import return_submit
    from guanhuai.reports.transfer import return_export

    version = return_submit(acting_user=officer, region=officer.region, year=timezone.localdate().year)
    export, _ = return_export(acting_user=officer, version=version)
    return {"version_id": version.pk, "export_id": export.pk}


def _visit_samples(family, officer) -> dict:
    """A visit with a photo, an open event and a notification of 东城县 (visits and inbox routes)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from guanhuai.inbox.models import Notification
    from guanhuai.visits.services import event_report, visit_record

    today = timezone.localdate()
    photo = SimpleUploadedFile("p.png", b"\x89PNG\r\n\x1a\n" + b"0" * 32, content_type="image/png")
    visit = visit_record(acting_user=officer, family=family, data={"visit_date": today, "channel": "phone"},
                         photos=[photo])
    event = event_report(acting_user=officer, family=family, kind="illness", event_date=today, description="住院")
    note = Notification.objects.create(user=officer, kind="event", title="东城县的通知")
    return {"visit_id": visit.pk, "event_id": event.pk, "photo_id": visit.photos.get().pk,
            "notification_id": note.pk}


def _fill(pattern: str, name: str, samples: dict) -> str:
    def value(match):
        param = match.group(2)
        if param in ("family_id",) or (param == "pk" and name.startswith(("families:", "compliance:family"))
                                       and "member" not in name):
            return str(samples["family"])
        if param == "member_id" or (param == "pk" and "member" in name):
            return str(samples["member"])
        if param == "pk" and name == "families:reveal":
            return str(samples["member"])
        if param in ("token_id",) or (param == "pk" and "token" in name):
            return str(samples["token"])
        if param == "job_id":
            return str(samples["job"])
        if param == "pk" and name.startswith("accounts:user"):
            return str(samples["user"])
        if param in samples:
            return str(samples[param])
        raise AssertionError(f"route {pattern} ({name}) has an unknown parameter {param!r}: add a sample")

    path = re.sub(r"<(?:(\w+):)?(\w+)>", value, pattern)
    return "/" + path


@pytest.mark.parametrize(("pattern", "name"), PAGES, ids=[n for _, n in PAGES])
def test_every_page_sends_anonymous_users_to_login(pattern, name, samples, client):
    url = _fill(pattern, name, samples)
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        assert response.status_code == 302, (method, url, response.status_code)
        assert response["Location"].startswith(reverse("accounts:login")), url


@pytest.mark.parametrize(("pattern", "name"), API, ids=[p for p, _ in API])
def test_every_api_endpoint_answers_401_to_anonymous_callers(pattern, name, samples, client):
    url = _fill(pattern, name, samples)
    statuses = {}
    for method in METHODS:
        response = _call(client, method, url, "{}")
        statuses[method] = response.status_code
        assert response.status_code in (401, 405), (method, url, response.status_code)
    assert 401 in statuses.values(), statuses


def _call(client, method: str, url: str, body: str):
    if method == "get":
        return client.get(url)
    return getattr(client, method)(url, data=body, content_type="application/json")


OBJECT_PAGES = [(p, n) for p, n in PAGES if "<" in p]
OBJECT_API = [(p, n) for p, n in API if "<" in p]

# Valid bodies, so that a 404 is the access check speaking, not input validation.
BODIES = {
    "versions": {"effective_from": "2030-01-01", "obligations": []},
    "exit": {"reason": "other", "exit_date": "2024-01-01", "note": "x"},
    "reinstate": {"note": "x"},
    "members": {"role": "other", "name": "某某", "birth_date": "1990-01-01", "sex": "M"},
    "reveal": {"field": "id_number", "reason": "核对信息"},
    "revoke": {},
    "commit": {},
    "close": {"outcome": "已上门,协调就医"},
    "read": {},
    "assignments": {"slot": "first", "contact_id": 1, "start_date": "2024-01-01"},
    "end": {"end_date": "2024-01-01", "reason": "x"},
    "result": {"reached": False},
}


def _body(url: str) -> str:
    last = url.rstrip("/").split("/")[-1]
    return json.dumps(BODIES.get(last, {"reason": "核对信息", "name": "某某", "head_name": "某某"}))


@pytest.mark.parametrize(("pattern", "name"), OBJECT_PAGES, ids=[n for _, n in OBJECT_PAGES])
def test_every_object_page_is_404_for_a_user_of_another_county(pattern, name, samples, outsider):
    client = login(outsider)
    url = _fill(pattern, name, samples)
    get = client.get(url)
    post = client.post(url, {"reason": "核对信息", "note": "x", "exit_date": "2024-01-01", "name": "某某"})
    assert get.status_code in (404, 405) and post.status_code == 404, (url, get.status_code, post.status_code)


@pytest.mark.parametrize(("pattern", "name"), OBJECT_API, ids=[p for p, _ in OBJECT_API])
def test_every_object_endpoint_is_404_for_a_user_of_another_county(pattern, name, samples, outsider):
    client = login(outsider)
    url = _fill(pattern, name, samples)
    statuses = {}
    for method in METHODS:
        response = _call(client, method, url, _body(url))
        statuses[method] = response.status_code
    allowed = {m: s for m, s in statuses.items() if s != 405}
    assert allowed and set(allowed.values()) == {404}, (url, statuses)
