"""``make demo`` shows returns in several states."""

import pytest
from django.core.management import call_command

from guanhuai.reports.models import ReturnVersion, StatReturn


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


def test_the_demo_has_returns_in_several_states_and_a_second_run_adds_none(db, debug):
    call_command("seed_demo", families=60)
    states = set(StatReturn.objects.values_list("state", flat=True))
    assert {"accepted", "submitted", "returned"} <= states
    assert ReturnVersion.objects.filter(is_late=True).exists()
    assert ReturnVersion.objects.filter(number=2).exists()
    count = ReturnVersion.objects.count()
    call_command("seed_demo", families=60)
    assert ReturnVersion.objects.count() == count
