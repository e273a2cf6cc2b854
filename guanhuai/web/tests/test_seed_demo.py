"""``manage.py seed_demo``: a valid, idempotent demo that refuses to run outside DEBUG.

The register (families, members) and the care layer (contacts, assignments,
visits, events, obligation state) are both checked against what the
services would have written.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client
from django.utils import timezone

from guanhuai.accounts.models import User
from guanhuai.audit.models import AuditEvent
from guanhuai.compliance.models import (
    ObligationState,
    RegionProfile,
    VillageObligationSummary,
    VillageSummary,
)
from guanhuai.compliance.periods import festival_windows
from guanhuai.compliance.selectors import status_on
from guanhuai.contacts.models import SLOT_KINDS, Assignment, CardIssue, ContactKind, ContactPerson, Slot
from guanhuai.families.models import Family, Member, Status
from guanhuai.families.services import family_check, member_check
from guanhuai.inbox.models import Notification
from guanhuai.lib.crypto import default_blind_index
from guanhuai.regions.models import Region
from guanhuai.visits.models import FACE_TO_FACE, Channel, EventKind, MajorEvent, PetitionLevel, Visit
from guanhuai.visits.services import TRUSTED_KEYS
from guanhuai.web.demo import ANCHOR, DEMO_PASSWORD, PROVINCE_CODE, USERS, _Builder, demo_seed
from guanhuai.workdays.calendar import add_working_days

SMALL = 60
TOWNSHIPS, VILLAGES = 40, 400
PERIODIC_KEYS = {"weekly_contact", "monthly_meeting", "home_visits", "festival_visit"}


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


@pytest.fixture
def demo(db, debug) -> dt.date:
    """Seeds the small demo; gives the day the seeding started (a run may cross midnight)."""
    started_on = timezone.localdate()
    call_command("seed_demo", families=SMALL)
    return started_on


def _counts() -> dict[str, int]:
    models = {"regions": Region, "families": Family, "members": Member, "users": User, "contacts": ContactPerson,
              "contact_history": ContactPerson.history.model, "assignments": Assignment, "cards": CardIssue,
              "visits": Visit, "events": MajorEvent, "notifications": Notification, "states": ObligationState,
              "village_summaries": VillageSummary, "village_obligations": VillageObligationSummary,
              "profile_bindings": RegionProfile}
    return {name: model.objects.count() for name, model in models.items()}


def _in_register(day: dt.date):
    return Family.objects.filter(registered_on__lte=day, status=Status.ACTIVE)


def test_it_refuses_to_run_when_debug_is_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", families=SMALL)
    assert not Region.objects.exists()


def test_a_second_run_duplicates_nothing(db, debug, capsys):
    call_command("seed_demo", families=SMALL)
    counts = _counts()
    assert (counts["regions"], counts["families"]) == (447, SMALL)
    assert counts["contacts"] and counts["assignments"] and counts["visits"] and counts["events"]
    call_command("seed_demo", families=SMALL)
    assert _counts() == counts
    assert AuditEvent.objects.filter(action="demo.seeded").count() == 1
    out = capsys.readouterr().out
    assert "未重复生成" in out and "demo_village" in out and DEMO_PASSWORD in out
    assert "走访记录" in out  # the first run reported the care layer


def test_the_same_seed_gives_the_same_families():
    def build(seed):
        builder = _Builder(seed=seed, today=ANCHOR)
        regions = [(r.code, r.name) for r in builder.regions()]
        families, members = builder.families(SMALL)
        return regions, [(f.head_name, f.region_id, f.category, f.registered_on) for f in families], \
            [(m.name, m.id_number, m.death_date) for m in members]

    assert build(2026) == build(2026)
    assert build(2026)[1] != build(7)[1]


def test_the_same_seed_and_day_give_the_same_contacts_and_visits(db, debug):
    def build():
        with transaction.atomic():
            demo_seed(families=SMALL, today=dt.date(2026, 11, 20))
            contacts = sorted(ContactPerson.objects.values_list("region_id", "name", "kind", "post", "is_active"))
            visits = sorted(Visit.objects.values_list("family__head_name", "visit_date", "channel", "contact__name",
                                                      "entry_date", "is_late"))
            events = sorted(MajorEvent.objects.values_list("family__head_name", "kind", "event_date", "state"))
            transaction.set_rollback(True)
        return contacts, visits, events

    first = build()
    assert first[1] and first == build()


def test_demo_families_pass_the_archive_checks(demo):
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


def test_every_demo_login_works_without_a_forced_password_change(demo):
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
    assert not Family.objects.exists() and not ContactPerson.objects.exists()


# ---------------------------------------------------------------- care layer

def test_the_demo_province_follows_the_sichuan_profile(demo):
    binding = RegionProfile.objects.get(region_id=PROVINCE_CODE)
    assert binding.profile.code == "sichuan-2018"


def test_every_township_and_village_has_one_contact_in_post(demo):
    in_post = ContactPerson.objects.filter(is_active=True)
    township = Counter(in_post.filter(kind=ContactKind.TOWNSHIP_CADRE).values_list("region_id", flat=True))
    assert len(township) == TOWNSHIPS and set(township.values()) == {1}
    assert all(Region.objects.get(code=code).level == 4 for code in township)
    second_kinds = SLOT_KINDS[Slot.SECOND]
    village = Counter(in_post.filter(kind__in=second_kinds).values_list("region_id", flat=True))
    assert len(village) == VILLAGES and set(village.values()) == {1}
    kinds = Counter(in_post.filter(kind__in=second_kinds).values_list("kind", flat=True))
    assert kinds[ContactKind.VILLAGE_CADRE] > VILLAGES * 0.7
    assert kinds[ContactKind.ASSOCIATION] and kinds[ContactKind.DOCTOR] and kinds[ContactKind.VOLUNTEER]
    assert in_post.filter(kind=ContactKind.LEADER).count() == 2
    assert all(c.phone and c.phone_bidx == default_blind_index(c.phone, kind="phone") for c in in_post)
    # Contacts who left handed every family over; their ended assignments stay in the history.
    for left in ContactPerson.objects.filter(is_active=False):
        assert left.left_on and not left.assignments.filter(end_date__isnull=True).exists()


def test_about_97_percent_of_the_register_has_both_contacts(demo):
    today = timezone.localdate()
    active = _in_register(today)
    both = [f for f in active if {a.slot for a in f.assignments.all() if a.end_date is None} >= {"first", "second"}]
    missing = active.count() - len(both)
    assert 2 <= missing <= max(2, round(active.count() * 0.05))
    for a in Assignment.objects.select_related("contact", "family"):
        assert a.contact.kind in SLOT_KINDS[a.slot]
        assert a.region_id == a.family.region_id
        assert a.entry_deadline == add_working_days(a.start_date, 5).date
        assert a.is_late == (timezone.localtime(a.entered_at).date() > a.entry_deadline)
        if a.slot != Slot.LEADER:
            assert a.family.region_id.startswith(a.contact.region.prefix)
        if a.end_date is None and a.slot != Slot.LEADER:
            assert a.contact.is_active and a.family.status == Status.ACTIVE
    ended = Assignment.objects.filter(end_date__isnull=False)
    assert ended.exists() and all(a.end_reason for a in ended)
    assert Assignment.objects.filter(slot=Slot.LEADER, end_date__isnull=True).count() >= 2
    assert CardIssue.objects.filter(state=CardIssue.State.ISSUED).exists()


def test_demo_logins_are_the_contacts_of_their_village_and_township(demo):
    village_user = User.objects.get(username="demo_village")
    township_user = User.objects.get(username="demo_township")
    assert village_user.contact_person.region_id == village_user.region_id
    assert village_user.contact_person.kind == ContactKind.VILLAGE_CADRE
    assert village_user.contact_person.name == village_user.full_name
    assert township_user.contact_person.region_id == township_user.region_id
    assert township_user.contact_person.kind == ContactKind.TOWNSHIP_CADRE


def test_visits_are_what_visit_record_would_have_written(demo):
    today = timezone.localdate()
    visits = list(Visit.objects.select_related("family", "contact"))
    year_ago = today - dt.timedelta(days=365 + 6)  # from the Monday of the week a year ago
    recent = [v for v in visits if not v.is_backfill]
    assert len(recent) > 20 * Family.objects.filter(status=Status.ACTIVE).count()
    windows = festival_windows(today.year - 2, today.year, 15, 5)
    for visit in visits:
        family = visit.family
        assert visit.region_id == family.region_id
        assert visit.visit_date <= visit.entry_date <= today
        assert family.registered_on <= visit.visit_date
        if family.status == Status.EXITED:
            assert visit.visit_date <= family.exit_date
        deadline = add_working_days(visit.visit_date, 5)
        assert (visit.entry_deadline, visit.entry_deadline_provisional) == (deadline.date, deadline.provisional)
        if visit.is_backfill:  # the paper ledger before the year of visits, imported without entry dates
            assert dt.date(year_ago.year, 1, 1) <= visit.visit_date < year_ago + dt.timedelta(days=6)
            assert visit.channel in FACE_TO_FACE and not visit.is_late and visit.recorded_by is None
        else:
            assert visit.visit_date >= year_ago
            assert visit.is_late == (visit.entry_date > visit.entry_deadline)
        assert timezone.localtime(visit.entered_at).date() == visit.entry_date
        if visit.follow_up_due:
            assert visit.follow_up and visit.follow_up_due >= visit.visit_date
        if visit.channel == Channel.FESTIVAL:
            assert any(w.contains(visit.visit_date) for w in windows)
        if visit.contact is not None:
            assert family.region_id.startswith(visit.contact.region.prefix)
    for visit in visits[::25]:
        visit.full_clean(exclude=TRUSTED_KEYS)
    channels = Counter(v.channel for v in visits)
    assert {Channel.PHONE, Channel.MEETING, Channel.HOME, Channel.FESTIVAL, Channel.EMERGENCY} <= set(channels)
    assert channels[Channel.PHONE] > channels[Channel.MEETING] > channels[Channel.FESTIVAL]
    late = sum(v.is_late for v in recent)
    assert 0 < late < len(recent) * 0.1
    assert len(visits) > len(recent)


def test_major_events_are_open_and_closed_and_answered_by_visits(demo):
    events = list(MajorEvent.objects.all())
    assert Counter(e.state for e in events) .keys() == {MajorEvent.State.OPEN, MajorEvent.State.CLOSED}
    petition = MajorEvent.objects.get(kind=EventKind.PETITION, petition_level=PetitionLevel.PROVINCE)
    assert petition.family.status == Status.ACTIVE
    for event in events:
        assert event.response_due == event.event_date + dt.timedelta(days=3)
        answer = (Visit.objects.filter(family=event.family, channel__in=FACE_TO_FACE, visit_date__gte=event.event_date)
                  .order_by("visit_date").first())
        assert event.responded_on == (answer.visit_date if answer else None)
        if answer is not None:
            assert answer.event_id == event.pk
        if event.state == MajorEvent.State.CLOSED:
            assert event.responded_on and event.outcome and event.closed_at
    assert MajorEvent.objects.filter(state=MajorEvent.State.OPEN, responded_on__isnull=True).exists()
    county = User.objects.get(username="demo_county")
    assert Notification.objects.filter(user=county, dedupe_key=f"event:{petition.pk}").exists()


def test_every_family_in_the_register_has_its_state_rows(demo):
    today = timezone.localdate()
    keys: dict[int, set[str]] = {}
    for family_id, key in ObligationState.objects.values_list("family_id", "key"):
        keys.setdefault(family_id, set()).add(key)
    for family in Family.objects.all():
        assert keys.get(family.pk) == PERIODIC_KEYS, family
    assert VillageSummary.objects.count() == VILLAGES
    # Every village was summarised by this seeding (on its day, or the next if it ran past midnight).
    assert VillageSummary.objects.filter(computed_on__gte=demo, computed_on__lte=today).count() == VILLAGES
    statuses = Counter(status_on(row, today) for row in ObligationState.objects.all())
    assert statuses["met"] > statuses["overdue"] > 0


def test_demo_village_sees_their_families_on_the_worklist(demo):
    user = User.objects.get(username="demo_village")
    mine = Family.objects.filter(assignments__contact=user.contact_person, assignments__end_date__isnull=True,
                                 status=Status.ACTIVE)
    assert mine.count() >= 5
    client = Client()
    client.force_login(user)
    response = client.get("/compliance/mine/")
    html = response.content.decode()
    assert response.status_code == 200 and "我联系的家庭" in html
    for family in mine:
        assert f"?family={family.pk}" in html and f"{family.head_name}家" in html
    assert "逾期" in html and html.count("记录走访") >= mine.count()


def test_an_older_demo_gets_contacts_and_visits_on_its_next_run(demo):
    # As if the demo had been built before contacts, visits and profiles existed.
    Notification.objects.all().delete()
    Visit.objects.all().delete()
    MajorEvent.objects.all().delete()
    CardIssue.objects.all().delete()
    Assignment.objects.all().delete()
    ContactPerson.objects.all().delete()
    ObligationState.objects.all().delete()
    RegionProfile.objects.all().delete()
    call_command("seed_demo", families=SMALL)
    assert ContactPerson.objects.filter(kind=ContactKind.TOWNSHIP_CADRE, is_active=True).count() == TOWNSHIPS
    assert Visit.objects.exists() and RegionProfile.objects.filter(region_id=PROVINCE_CODE).exists()
    assert Family.objects.count() == SMALL
    assert list(AuditEvent.objects.filter(action="demo.seeded").values_list("object_repr", flat=True)
                .order_by("id"))[-1].startswith("补充演示数据")
