"""Annual returns in the demo: the current statistical year in several states, level by level.

Written through the services (frozen snapshots, audited like real submissions).
Each township, county and city that reports gets a statistics clerk (统计员)
account without a usable password; the demo logins review and submit as themselves:

* 白鹤县: every township accepted (one after a send-back and a second version),
  the county's return submitted and accepted by 云山市;
* 桃源县 (demo_county): six townships accepted, one awaiting review, 龙岭镇
  (demo_township) sent back with a reason, two not yet submitted, so the county
  page lists who is missing; 龙岭镇's return of the year before was filed late;
* 清江市: both counties complete and accepted, the city's return awaiting the
  province's review (demo_province).

A database that already has a return in the demo province is left alone.
"""

from __future__ import annotations

import random

from django.contrib.auth.hashers import make_password
from faker import Faker

from guanhuai.accounts.models import User
from guanhuai.accounts.roles import Role
from guanhuai.regions.codes import CITY, COUNTY, TOWNSHIP
from guanhuai.regions.models import Region
from guanhuai.reports.models import StatReturn
from guanhuai.reports.selectors import default_year
from guanhuai.reports.services import return_accept, return_send_back, return_submit

ROLE_OF_LEVEL = {TOWNSHIP: Role.TOWNSHIP, COUNTY: Role.COUNTY, CITY: Role.CITY}
REASONS = ["表5 诉求户数与走访记录反映的情况不符,请核实后重报", "表6 缺联系人户数偏高,请补充联系人分工后重报"]


def _clerk(region: Region, fake: Faker, demo_users: dict[int, User]) -> User:
    """The demo login bound to the region, else the region's statistics clerk (created once)."""
    own = demo_users.get(region.level)
    if own is not None and own.region_id == region.code:
        return own
    user, _ = User.objects.get_or_create(
        username=f"tj_{region.code}",
        defaults={"full_name": fake.name(), "role": ROLE_OF_LEVEL[region.level], "region": region,
                  "password": make_password(None)})
    return user


def returns_seed(*, province_code: str, seed: int, today) -> int:
    """Seed the returns; the number of versions written (0 when the demo already has returns)."""
    if StatReturn.objects.filter(region__code__startswith=province_code[:2]).exists():
        return 0
    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    year = default_year(today)
    logins = {u.username: u for u in User.objects.filter(username__in=["demo_township", "demo_county", "demo_city"])}
    if len(logins) < 3:
        return 0
    demo_users = {TOWNSHIP: logins["demo_township"], COUNTY: logins["demo_county"], CITY: logins["demo_city"]}
    county = logins["demo_county"].region
    city = logins["demo_city"].region
    written = 0

    def submit(region: Region, y: int = year):
        nonlocal written
        written += 1
        return return_submit(acting_user=_clerk(region, fake, demo_users), region=region, year=y)

    def reviewer(region: Region) -> User:
        return _clerk(region.parent, fake, demo_users)

    counties = list(Region.objects.filter(parent__parent__code=province_code, level=COUNTY).order_by("code"))
    sibling = next(c for c in counties if c.parent_id == city.code and c.code != county.code)
    other_city_county = next(c for c in counties if c.parent_id != city.code)

    # 白鹤县: complete, accepted by the city.
    for i, town in enumerate(Region.objects.filter(parent=sibling).order_by("code")):
        version = submit(town)
        if i == 3:
            return_send_back(acting_user=reviewer(town), version=version, reason=rng.choice(REASONS))
            version = submit(town)
        return_accept(acting_user=reviewer(town), version=version)
    return_accept(acting_user=reviewer(sibling), version=submit(sibling))

    # 桃源县: in progress.
    own_town = logins["demo_township"].region
    towns = [t for t in Region.objects.filter(parent=county).order_by("code") if t.code != own_town.code]
    for town in towns[:6]:
        return_accept(acting_user=reviewer(town), version=submit(town))
    submit(towns[6])
    last_year = submit(own_town, year - 1)  # after 15 May: flagged late
    return_accept(acting_user=reviewer(own_town), version=last_year)
    return_send_back(acting_user=reviewer(own_town), version=submit(own_town), reason=REASONS[0])

    # 清江市: both counties complete and accepted, the city's return awaiting the province (demo_province).
    other_city = other_city_county.parent
    for other_county in Region.objects.filter(parent=other_city).order_by("code"):
        for town in Region.objects.filter(parent=other_county).order_by("code"):
            return_accept(acting_user=reviewer(town), version=submit(town))
        return_accept(acting_user=reviewer(other_county), version=submit(other_county))
    submit(other_city)
    return written
