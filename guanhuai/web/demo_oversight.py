"""Oversight in the demo: one completed spot check of the demo county this year and one in progress.

Written through the services (so they are audited like real checks) once the
care layer exists; a database that already has a check for the county is
left alone. In the completed check one family denies a recorded visit, so
the contact's 疑似虚报 page has a row; with only one completed check the
county home page still shows the "fewer than two checks" warning.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from guanhuai.oversight.models import SpotCheck
from guanhuai.oversight.selectors import visits_to_verify
from guanhuai.oversight.services import spotcheck_complete, spotcheck_plan, spotcheck_record_family

PROBLEMS = ["", "", "", "希望多打电话", "不清楚村里联系人姓名", "反映看病报销慢"]


def oversight_seed(*, county_user, today: dt.date, seed: int) -> int:
    if county_user is None or SpotCheck.objects.filter(region_id=county_user.region_id).exists():
        return 0
    rng = random.Random(seed)
    done = spotcheck_plan(acting_user=county_user, region=county_user.region, title="上半年双岗联系制度抽查",
                          planned_on=today - dt.timedelta(days=30), size=12, seed=seed)
    denied_once = False
    for item in done.items.select_related("family", "spot_check"):
        reached = rng.random() > 0.15
        answers = {}
        if reached:
            for visit in visits_to_verify(item)[:4]:
                ok = denied_once or rng.random() > 0.2
                denied_once = denied_once or not ok
                answers[visit.pk] = ok
        spotcheck_record_family(acting_user=county_user, item=item, reached=reached,
                                knows_first=reached and rng.random() > 0.1,
                                knows_second=(rng.random() > 0.25) if reached else None,
                                satisfaction=rng.choice([3, 4, 4, 5, 5]) if reached else None,
                                problems=rng.choice(PROBLEMS) if reached else "", visits=answers)
    spotcheck_complete(acting_user=county_user, check=done, completed_on=today - dt.timedelta(days=20))
    running = spotcheck_plan(acting_user=county_user, region=county_user.region, title="下半年双岗联系制度抽查",
                             planned_on=today, share=Decimal("0.02"), seed=seed + 1)
    for item in list(running.items.select_related("family", "spot_check"))[:3]:
        spotcheck_record_family(acting_user=county_user, item=item, reached=True, knows_first=True,
                                knows_second=True, satisfaction=5, visits={})
    return 2
