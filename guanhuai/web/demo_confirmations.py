"""The annual eligibility confirmation in the demo: the demo county's window of this year, open and under way.

Written through the services (so every result is audited like a real one)
once the care layer exists; a county that already has a window is left
alone. Townships are at different stages (about 35–95% done), a few families
were changed (health, needs) or exited with a reason, and the rest of each
township's done share was confirmed unchanged in bulk. The demo township and
village keep pending families, so their worklists are not empty. An exited
family's contact assignments are ended, as the county would do next.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.utils import timezone

from guanhuai.accounts.models import User
from guanhuai.confirmations.models import ConfirmationWindow
from guanhuai.confirmations.services import (
    confirmation_bulk_confirm,
    confirmation_record,
    confirmation_window_open,
)
from guanhuai.contacts.models import Assignment
from guanhuai.contacts.services import assignment_end
from guanhuai.families.models import ExitReason, Health
from guanhuai.visits.models import MajorEvent

CHANGES = [{"health": Health.CHRONIC}, {"health": Health.SERIOUS, "need_medical": True},
           {"need_daily_care": True}, {"health": Health.BEDRIDDEN, "need_daily_care": True}]
EXITS = [(ExitReason.PARENTS_DECEASED, "夫妇均已亡故"), (ExitReason.MOVED_AWAY, "随子女迁居外省"),
         (ExitReason.NOT_ELIGIBLE, "经核实不再符合条件")]


def confirmations_seed(*, county_user, today: dt.date, seed: int) -> int:
    """Open the window and record part of it; returns the number of families recorded (0 if skipped)."""
    if county_user is None or ConfirmationWindow.objects.filter(region_id=county_user.region_id).exists():
        return 0
    rng = random.Random(seed + 5)
    window = confirmation_window_open(acting_user=county_user, region=county_user.region, year=today.year,
                                      start_date=today - dt.timedelta(days=21), end_date=today + dt.timedelta(days=9))
    locals_ = list(User.objects.filter(username__in=["demo_township", "demo_village"]).select_related("region"))
    by_township: dict[str, list] = defaultdict(list)
    for item in window.items.select_related("family").order_by("family_id"):
        by_township[item.region_id[:9]].append(item)
    latest_exit = min(today, timezone.localdate())
    with_events = set(MajorEvent.objects.values_list("family_id", flat=True))  # kept in the register
    recorded = 0
    for township in sorted(by_township):
        items = by_township[township]
        share = rng.uniform(0.35, 0.95)
        done = [i for i in items if rng.random() < share]
        if any(u.region.prefix == township for u in locals_):
            done = done[: int(len(items) * 0.6)]  # the demo township keeps a worklist
        unchanged: dict[int, list[int]] = defaultdict(list)
        for item in done:
            actor = _actor(item, locals_, county_user)
            roll = rng.random()
            change = {k: v for k, v in rng.choice(CHANGES).items() if getattr(item.family, k) != v}
            if roll < 0.02 and change:
                confirmation_record(acting_user=actor, item=item, outcome="changed", family_data=change,
                                    note="年审入户核实")
            elif roll < 0.03 and item.family_id not in with_events:
                reason, note = rng.choice(EXITS)
                exit_date = latest_exit  # on the day: the demo's visits run up to today
                confirmation_record(acting_user=actor, item=item, outcome="exited", exit_reason=reason,
                                    exit_date=exit_date, note=note)
                # As the county would next: the exited family's contacts are relieved of it.
                for assignment in Assignment.objects.filter(family_id=item.family_id, end_date__isnull=True):
                    assignment_end(acting_user=county_user, assignment=assignment,
                                   end_date=max(exit_date, assignment.start_date), reason="家庭退出")
            else:
                unchanged[actor.pk].append(item.family_id)
            recorded += 1
        for actor_id, ids in unchanged.items():
            actor = next(u for u in [*locals_, county_user] if u.pk == actor_id)
            confirmation_bulk_confirm(acting_user=actor, window=window, family_ids=ids, note="入户核实无变化")
    return recorded


def _actor(item, locals_: list, county_user):
    """The village contact for her village, the township cadre for his township, else the county officer."""
    for user in sorted(locals_, key=lambda u: -len(u.region.prefix)):
        if item.region_id.startswith(user.region.prefix):
            return user
    return county_user
