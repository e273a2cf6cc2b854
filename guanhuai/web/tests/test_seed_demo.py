"""``manage.py seed_demo``: a valid, idempotent demo that refuses to run outside DEBUG."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from guanhuai.accounts.models import User
from guanhuai.audit.models import AuditEvent
from guanhuai.families.models import Family, Member
from guanhuai.families.services import family_check, member_check
from guanhuai.lib.crypto import default_blind_index
from guanhuai.regions.models import Region
from guanhuai.web.demo import ANCHOR, DEMO_PASSWORD, USERS, _Builder

SMALL = 60


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


def test_it_refuses_to_run_when_debug_is_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", families=SMALL)
    assert not Region.objects.exists()


def test_a_second_run_duplicates_nothing(db, debug, capsys):
    call_command("seed_demo", families=SMALL)
    counts = (Region.objects.count(), Family.objects.count(), Member.objects.count(), User.objects.count())
    assert counts[:2] == (447, SMALL)
    call_command("seed_demo", families=SMALL)
    assert (Region.objects.count(), Family.objects.count(), Member.objects.count(), User.objects.count()) == counts
    assert AuditEvent.objects.filter(action="demo.seeded").count() == 1
    out = capsys.readouterr().out
    assert "未重复生成" in out and "demo_village" in out and DEMO_PASSWORD in out


def test_the_same_seed_gives_the_same_families():
    def build(seed):
        builder = _Builder(seed=seed, today=ANCHOR)
        regions = [(r.code, r.name) for r in builder.regions()]
        families, members = builder.families(SMALL)
        return regions, [(f.head_name, f.region_id, f.category, f.registered_on) for f in families], \
            [(m.name, m.id_number, m.death_date) for m in members]

    assert build(2026) == build(2026)
    assert build(2026)[1] != build(7)[1]


def test_demo_families_pass_the_archive_checks(db, debug):
    call_command("seed_demo", families=SMALL)
    for family in Family.objects.all():
        data = {name: getattr(family, name) for name in ("head_name", "category", "disability_grade", "registered_on",
                                                         "risk_flags", "bank_account")}
        assert family_check(data) == {}
        assert family.region.level == 5
        if family.bank_account:
            assert family.bank_account_bidx == default_blind_index(family.bank_account, kind="bank_account")
    for member in Member.objects.select_related("family"):
        data = {name: getattr(member, name) for name in ("role", "name", "sex", "id_number", "birth_date", "is_alive",
                                                         "death_date", "phone", "hukou", "marital")}
        check = member_check(data)
        assert check.errors == {} and check.warnings == []
        assert member.id_number[:6] == member.family.region_id[:6]  # born in the county they live in
        assert member.id_number_bidx == default_blind_index(member.id_number, kind="id_number")
    # ID numbers are unique across the whole demo.
    assert Member.objects.values("id_number_bidx").distinct().count() == Member.objects.count()


def test_every_demo_login_works_without_a_forced_password_change(db, debug):
    call_command("seed_demo", families=SMALL)
    assert User.objects.filter(username__in=[u[0] for u in USERS]).count() == len(USERS)
    for username, role, *_ in USERS:
        user = User.objects.get(username=username)
        assert user.role == role and not user.must_change_password
        response = Client().post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302 and response.url == "/", username


def test_it_will_not_mix_demo_data_into_a_real_province(db, debug):
    Region.objects.create(code="510000000000", name="四川省", level=1)
    with pytest.raises(CommandError, match="不是演示数据"):
        call_command("seed_demo", families=SMALL)
    assert not Family.objects.exists()
