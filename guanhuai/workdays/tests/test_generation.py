"""Per-process caches (the calendar, the policy profiles) follow changes made by other processes.

"Another process" is simulated by writing through a path that does not empty this process's cache;
time is moved on with a patched clock, never by sleeping.
"""

import copy
import datetime as dt
import time
from pathlib import Path

import pytest
from django.core.management import call_command

from guanhuai.compliance import profiles
from guanhuai.compliance.models import PolicyProfile, ProfileVersion
from guanhuai.workdays import calendar, generations
from guanhuai.workdays.calendar import add_working_days
from guanhuai.workdays.generations import CALENDAR, PROFILES, generation_bump, stored_generation
from guanhuai.workdays.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db

# Synthetic 2027 Spring Festival: 5–11 February off, Sunday 14 February worked.
CALENDAR_2027 = "date,kind,name\n" + "".join(f"2027-02-{d:02d},休,春节\n" for d in range(5, 12)) + "2027-02-14,班,春节\n"
START = dt.date(2027, 2, 4)  # a Thursday


@pytest.fixture
def clock(monkeypatch):
    """A clock the test moves on by hand; both caches start freshly checked."""
    now = {"value": time.monotonic()}
    monkeypatch.setattr(generations, "_clock", lambda: now["value"])
    calendar.generation.check(force=True)
    profiles.generation.check(force=True)

    def advance(seconds: float) -> None:
        now["value"] += seconds

    yield advance
    profiles.clear_cache()


def _load_2027_elsewhere(monkeypatch) -> None:
    """``workdays_load`` as run by another process: its commit does not empty this process's cache."""
    from guanhuai.workdays import services

    with monkeypatch.context() as patch:
        patch.setattr(services.calendar, "clear_cache", lambda: None)
        services.calendar_load(acting_user=None, data=CALENDAR_2027.encode(), filename="2027.csv")


def test_a_calendar_loaded_by_another_process_is_used_after_the_check_interval(clock, monkeypatch):
    stale = add_working_days(START, 3)
    assert (stale.date, stale.provisional) == (dt.date(2027, 2, 9), True)

    _load_2027_elsewhere(monkeypatch)
    assert add_working_days(START, 3).date == dt.date(2027, 2, 9)  # not re-checked yet

    clock(generations.CHECK_INTERVAL)
    fresh = add_working_days(START, 3)
    assert (fresh.date, fresh.provisional) == (dt.date(2027, 2, 15), False)


def test_a_forced_check_sees_the_change_at_once(clock, monkeypatch):
    assert add_working_days(START, 3).provisional
    _load_2027_elsewhere(monkeypatch)
    calendar.generation.check(force=True)
    assert add_working_days(START, 3).date == dt.date(2027, 2, 15)


def test_the_cache_reads_the_counter_at_most_once_per_interval(clock, django_assert_num_queries):
    add_working_days(START, 3)  # the years are cached
    with django_assert_num_queries(0):
        for n in range(50):
            add_working_days(START, n % 7)
    clock(generations.CHECK_INTERVAL)
    with django_assert_num_queries(1):  # one counter read, unchanged: the cached years stay
        for n in range(50):
            add_working_days(START, n % 7)


def test_loading_a_calendar_bumps_the_counter_in_its_transaction(tmp_path: Path):
    before = stored_generation(CALENDAR)
    path = tmp_path / "2027.csv"
    path.write_text(CALENDAR_2027, encoding="utf-8")
    call_command("workdays_load", str(path))
    assert stored_generation(CALENDAR) == before + 1
    assert CalendarYear.objects.filter(year=2027).exists() and CalendarDay.objects.filter(date__year=2027).count() == 8


def test_a_refused_calendar_file_bumps_nothing(tmp_path: Path):
    from django.core.management.base import CommandError

    before = stored_generation(CALENDAR)
    path = tmp_path / "bad.csv"
    path.write_text("2027-02-05,放风筝\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("workdays_load", str(path))
    assert stored_generation(CALENDAR) == before


def test_a_profile_version_added_by_another_process_is_seen_after_the_check_interval(clock,
                                                                                     django_assert_num_queries):
    sichuan = PolicyProfile.objects.get(code="sichuan-2018")
    assert len(profiles.rules_for_region("510104001001").versions) == 1
    with django_assert_num_queries(0):
        for _ in range(50):
            profiles.rules_for_region("510104001001")

    # Another process: the version and the counter, in one transaction; this process's cache is not cleared.
    obligations = copy.deepcopy(ProfileVersion.objects.get(profile=sichuan).obligations)
    ProfileVersion.objects.create(profile=sichuan, effective_from=dt.date(2027, 1, 1), obligations=obligations)
    generation_bump(PROFILES)
    assert len(profiles.rules_for_region("510104001001").versions) == 1

    clock(generations.CHECK_INTERVAL)
    assert profiles.rules_for_region("510104001001").next_change_after(dt.date(2026, 12, 31)) == dt.date(2027, 1, 1)


def test_the_profile_services_bump_the_counter(regions, admin_user, django_capture_on_commit_callbacks):
    from guanhuai.compliance.services import profile_version_create, region_profile_set
    from guanhuai.regions.models import Region

    sichuan = PolicyProfile.objects.get(code="sichuan-2018")
    before = stored_generation(PROFILES)
    with django_capture_on_commit_callbacks(execute=True):
        profile_version_create(acting_user=admin_user, profile=sichuan, effective_from=dt.date(2027, 1, 1),
                               obligations=ProfileVersion.objects.get(profile=sichuan).obligations)
        region_profile_set(acting_user=admin_user, region=Region.objects.get(code="510105000000"),
                           profile=PolicyProfile.objects.get(code="hubei-2016"))
    assert stored_generation(PROFILES) == before + 2
