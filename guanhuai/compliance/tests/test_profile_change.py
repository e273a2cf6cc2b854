"""A policy-profile change reaches the stored obligation rows and village summaries (issue 3 §5).

The day is fixed (Wednesday 2025-03-12) so statuses do not depend on when the tests run.
"""

import copy
import datetime as dt

import pytest
from django.utils import timezone

from conftest import member_data
from guanhuai.compliance import profiles
from guanhuai.compliance.models import (
    ObligationState,
    PolicyProfile,
    ProfileVersion,
    RegionProfile,
    VillageObligationSummary,
)
from guanhuai.compliance.selectors import family_statuses
from guanhuai.compliance.services import profile_version_create, region_profile_set
from guanhuai.compliance.state import refresh_stale
from guanhuai.regions.models import Region
from guanhuai.visits.services import visit_record

D = dt.date(2025, 3, 12)
VILLAGE = "510104001001"
OTHER_COUNTY_VILLAGE = "510105001001"


@pytest.fixture(autouse=True)
def today(monkeypatch):
    day = {"value": D}
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day["value"])
    profiles.clear_cache()
    yield day
    profiles.clear_cache()


def _sichuan_with_monthly(count: int) -> list[dict]:
    obligations = copy.deepcopy(ProfileVersion.objects.get(profile__code="sichuan-2018").obligations)
    next(o for o in obligations if o["key"] == "monthly_meeting")["count"] = count
    return obligations


def _monthly(family) -> ObligationState:
    return ObligationState.objects.get(family=family, key="monthly_meeting")


def _village_face_to_face(code=VILLAGE) -> VillageObligationSummary:
    return VillageObligationSummary.objects.get(region_id=code, kind="face_to_face", period="month")


@pytest.fixture
def new_family(make_family, county_officer):
    """Entered the register on 1 March: March is its first judged month; one home visit on 10 March."""
    family = make_family(head_name="新登记户", registered_on=dt.date(2025, 3, 1))
    visit_record(acting_user=county_officer, family=family,
                 data={"visit_date": dt.date(2025, 3, 10), "channel": "home"})
    return family


@pytest.fixture
def lapsed_family(make_family, county_officer):
    """Same village; nobody met it in February, met once in March."""
    family = make_family(head_name="二月未见户", registered_on=dt.date(2025, 1, 1),
                         members=[member_data(name="二月未见户")])
    visit_record(acting_user=county_officer, family=family,
                 data={"visit_date": dt.date(2025, 3, 11), "channel": "meeting"})
    return family


def test_a_version_effective_today_turns_a_stored_met_row_open_and_updates_the_village(
        new_family, lapsed_family, admin_user, django_capture_on_commit_callbacks):
    before = _monthly(new_family)
    assert (before.base_status, before.count, before.required, before.valid_until) == (
        "met", 1, 1, dt.date(2025, 3, 31))
    assert _village_face_to_face().overdue == 0

    with django_capture_on_commit_callbacks(execute=True):
        profile_version_create(acting_user=admin_user, profile=PolicyProfile.objects.get(code="sichuan-2018"),
                               obligations=_sichuan_with_monthly(5), effective_from=D, note="每月面见5次")

    after = _monthly(new_family)
    assert (after.base_status, after.count, after.required) == ("open", 1, 5)
    assert _monthly(lapsed_family).base_status == "overdue"  # February missed, March not met under the new rule
    # The stored row agrees with the engine, and the village roll-up counts the new overdue family.
    engine = next(s for s in family_statuses(new_family) if s["key"] == "monthly_meeting")
    assert (engine["count"], engine["required"]) == (1, 5)
    assert _village_face_to_face().overdue == 1
    assert refresh_stale() == 0  # nothing left for the daily job


def test_the_refresh_waits_for_the_commit(new_family, admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        profile_version_create(acting_user=admin_user, profile=PolicyProfile.objects.get(code="sichuan-2018"),
                               obligations=_sichuan_with_monthly(5), effective_from=D)
    assert _monthly(new_family).base_status == "met"  # nothing recomputed inside the request
    for callback in callbacks:
        callback()
    assert _monthly(new_family).base_status == "open"


def test_a_future_version_expires_todays_rows_on_its_effective_date(new_family, admin_user, today,
                                                                    django_capture_on_commit_callbacks):
    effective = dt.date(2025, 3, 20)
    with django_capture_on_commit_callbacks(execute=True):
        profile_version_create(acting_user=admin_user, profile=PolicyProfile.objects.get(code="sichuan-2018"),
                               obligations=_sichuan_with_monthly(5), effective_from=effective)
    row = _monthly(new_family)
    assert (row.base_status, row.required) == ("met", 1)  # the old rule still applies today
    assert row.valid_until == effective - dt.timedelta(days=1)  # not 31 March
    assert all(r.valid_until < effective for r in ObligationState.objects.filter(family=new_family))

    # The daily job, the day before and then on the effective date.
    today["value"] = dt.date(2025, 3, 19)
    refresh_stale()
    assert _monthly(new_family).base_status == "met"
    today["value"] = effective
    assert refresh_stale() >= 1
    row = _monthly(new_family)
    assert (row.base_status, row.count, row.required) == ("open", 1, 5)


def test_families_under_another_profile_are_left_alone(new_family, make_family, admin_user,
                                                      django_capture_on_commit_callbacks):
    RegionProfile.objects.create(region_id="510105000000", profile=PolicyProfile.objects.get(code="hubei-2016"))
    profiles.clear_cache()
    elsewhere = make_family(OTHER_COUNTY_VILLAGE, head_name="南河户", registered_on=dt.date(2025, 1, 1))
    rows = set(ObligationState.objects.filter(family=elsewhere).values_list("id", "key", "base_status", "valid_until"))
    summary = set(VillageObligationSummary.objects.filter(region_id=OTHER_COUNTY_VILLAGE).values_list("id", "judged"))
    assert {key for _, key, _, _ in rows} == {"monthly_home_visit", "monthly_contact", "festival_visit"}

    with django_capture_on_commit_callbacks(execute=True):
        profile_version_create(acting_user=admin_user, profile=PolicyProfile.objects.get(code="sichuan-2018"),
                               obligations=_sichuan_with_monthly(5), effective_from=D)

    assert _monthly(new_family).required == 5
    # Not even rewritten: a recomputation would have replaced the rows (new ids).
    assert set(ObligationState.objects.filter(family=elsewhere).values_list(
        "id", "key", "base_status", "valid_until")) == rows
    assert set(VillageObligationSummary.objects.filter(region_id=OTHER_COUNTY_VILLAGE).values_list(
        "id", "judged")) == summary


def test_binding_a_county_recomputes_that_county_only(new_family, make_family, admin_user,
                                                      django_capture_on_commit_callbacks):
    elsewhere = make_family(OTHER_COUNTY_VILLAGE, head_name="南河户", registered_on=dt.date(2025, 1, 1))
    untouched = set(ObligationState.objects.filter(family=new_family).values_list("id", flat=True))
    assert ObligationState.objects.filter(family=elsewhere, key="weekly_contact").exists()

    with django_capture_on_commit_callbacks(execute=True):
        region_profile_set(acting_user=admin_user, region=Region.objects.get(code="510105000000"),
                           profile=PolicyProfile.objects.get(code="hubei-2016"))

    keys = set(ObligationState.objects.filter(family=elsewhere).values_list("key", flat=True))
    assert keys == {"monthly_home_visit", "monthly_contact", "festival_visit"}
    assert VillageObligationSummary.objects.filter(region_id=OTHER_COUNTY_VILLAGE, kind="home_visit",
                                                   period="month").exists()
    assert set(ObligationState.objects.filter(family=new_family).values_list("id", flat=True)) == untouched


def test_scopes_follow_the_nearest_binding(regions):
    sichuan = PolicyProfile.objects.get(code="sichuan-2018")  # also the default profile
    hubei = PolicyProfile.objects.get(code="hubei-2016")
    RegionProfile.objects.create(region_id="510104000000", profile=hubei)
    RegionProfile.objects.create(region_id="510104002000", profile=sichuan)
    profiles.clear_cache()
    assert profiles.profile_scopes(sichuan.pk) == [("", ("510104",)), ("510104002", ())]
    assert profiles.profile_scopes(hubei.pk) == [("510104", ("510104002",))]
    assert profiles.region_scope("510104000000") == ("510104", ("510104002",))
    assert profiles.region_scope("510105000000") == ("510105", ())


def test_with_a_queue_the_job_starts_after_every_process_saw_the_change(new_family, admin_user, monkeypatch,
                                                                        django_capture_on_commit_callbacks):
    from huey.contrib.djhuey import HUEY

    from guanhuai.compliance import tasks
    from guanhuai.workdays.generations import CHECK_INTERVAL

    scheduled = []
    monkeypatch.setattr(HUEY, "_immediate", False)  # as in production (the setter would swap the storage)
    monkeypatch.setattr(tasks.profile_change_refresh_task, "schedule", lambda **kw: scheduled.append(kw))
    with django_capture_on_commit_callbacks(execute=True):
        region_profile_set(acting_user=admin_user, region=Region.objects.get(code="510104000000"),
                           profile=PolicyProfile.objects.get(code="hubei-2016"))
    assert scheduled == [{"kwargs": {"region_code": "510104000000"}, "delay": CHECK_INTERVAL + 1}]
    assert _monthly(new_family).base_status == "met"  # not recomputed in the request
