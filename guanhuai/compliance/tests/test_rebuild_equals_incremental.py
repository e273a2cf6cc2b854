"""Incremental updates (visit recorded / edited / deleted) and a full rebuild
must leave identical obligation state, for any visit history."""

import datetime as dt

from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import family_data, member_data
from guanhuai.compliance.models import ObligationState
from guanhuai.families.services import family_create, family_exit
from guanhuai.regions.models import Region
from guanhuai.visits.models import Visit
from guanhuai.visits.services import visit_delete, visit_record, visit_update

CHANNELS = ["phone", "online", "meeting", "home", "festival", "emergency"]
FIELDS = ["family_id", "region_id", "key", "base_status", "period_start", "period_end", "period_label", "required",
          "count", "prev_met", "due_soon_from", "valid_until", "computed_on", "last_visit"]


def snapshot():
    return sorted(ObligationState.objects.values_list(*FIELDS))


operation = st.one_of(
    st.tuples(st.just("record"), st.integers(0, 500), st.sampled_from(CHANNELS)),
    st.tuples(st.just("update"), st.integers(0, 500), st.sampled_from(CHANNELS)),
    st.tuples(st.just("delete"), st.integers(0, 10), st.just("")),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(registered_days_ago=st.integers(10, 480), ops=st.lists(operation, min_size=1, max_size=12),
       exit_days_ago=st.one_of(st.none(), st.integers(0, 9)))
def test_incremental_state_equals_a_full_rebuild(county_officer, registered_days_ago, ops, exit_days_ago):
    today = timezone.localdate()
    with transaction.atomic():
        family = family_create(acting_user=county_officer, region=Region.objects.get(code="510104001001"),
                               data=family_data(registered_on=today - dt.timedelta(days=registered_days_ago)),
                               members=[member_data()], confirm_duplicates=True)
        for kind, days_ago, channel in ops:
            visits = list(Visit.objects.filter(family=family).order_by("id"))
            day = today - dt.timedelta(days=min(days_ago, registered_days_ago))
            if kind == "record":
                visit_record(acting_user=county_officer, family=family, data={"visit_date": day, "channel": channel})
            elif kind == "update" and visits:
                visit_update(acting_user=county_officer, visit=visits[days_ago % len(visits)],
                             data={"visit_date": day, "channel": channel})
            elif kind == "delete" and visits:
                visit_delete(acting_user=county_officer, visit=visits[days_ago % len(visits)], reason="测试")
        if exit_days_ago is not None and exit_days_ago < registered_days_ago:
            family_exit(acting_user=county_officer, family=family, reason="moved_away",
                        exit_date=today - dt.timedelta(days=exit_days_ago))
            from guanhuai.compliance.state import family_refresh

            family_refresh(family)
        incremental = snapshot()
        assert incremental, "every family in a region with a profile has obligation rows"
        ObligationState.objects.all().delete()
        call_command("compliance_rebuild", verbosity=0)
        assert snapshot() == incremental
        transaction.set_rollback(True)
