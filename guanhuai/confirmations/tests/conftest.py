import datetime as dt

import pytest
from django.utils import timezone

from guanhuai.confirmations.services import confirmation_window_open


@pytest.fixture
def county_families(make_family):
    """Six families in 东城县 — 桃园村 ×3 and 李庄村 ×1 (东城镇), 石桥村 ×2 (西山乡) — and one in 南河县."""
    own = [make_family("510104001001", head_name=f"张{i}") for i in range(3)]
    own.append(make_family("510104001002", head_name="李庄赵"))
    own += [make_family("510104002001", head_name=f"石{i}") for i in range(2)]
    make_family("510105001001", head_name="南河王")
    return own


@pytest.fixture
def window(county_families, county_officer):
    """An open confirmation of 东城县 that started five days ago."""
    today = timezone.localdate()
    return confirmation_window_open(acting_user=county_officer, region=county_officer.region, year=today.year,
                                    start_date=today - dt.timedelta(days=5), end_date=today + dt.timedelta(days=20))


@pytest.fixture
def on_day(monkeypatch):
    """Make "today" (China time) a given date for the services and pages."""

    def set_day(day: dt.date) -> None:
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)

    return set_day


@pytest.fixture(autouse=True)
def _fresh_profile_cache():
    """Profile bindings are cached per process; some tests bind the county to another profile."""
    from guanhuai.compliance import profiles

    profiles.clear_cache()
    yield
    profiles.clear_cache()
