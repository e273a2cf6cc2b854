"""The contact-person ranking for the annual awards (评选表彰).

Per contact person in the region: the families they serve now (first or second contact), the on-track
rate of those families' periodic obligations (today's state rows: obligations not overdue ÷ obligations
judged, festivals excluded — the same counting rule as the compliance rates), visits they recorded in the
year (home visits, late entries), suspected false reports (虚报) found against them in the year's spot
checks, and trainings attended in the year. A contact with a false report or without the year's training
is marked as not recommended. Every figure is one grouped query over all contacts of the region.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from guanhuai.community.models import REQUIRED_TRAININGS_PER_YEAR
from guanhuai.community.selectors import trainings_per_contact
from guanhuai.compliance.engine import EXITED, NOT_JUDGED, OVERDUE
from guanhuai.contacts.models import Assignment, ContactPerson, Slot
from guanhuai.contacts.selectors import contacts_for_user
from guanhuai.regions.models import Region
from guanhuai.visits.models import Visit

from .models import SpotCheckVisit

HOME_CHANNELS = ("home", "festival", "emergency")
SORT_KEYS = {
    "name": "姓名", "on_track": "按期率", "families": "联系户数", "visits": "走访次数", "home_visits": "上门走访",
    "late": "迟报次数", "false_reports": "疑似虚报", "trainings": "参训次数",
}
HEADERS = ["名次", "姓名", "类别", "职务", "所在区划", "联系户数", "按期率", "走访次数", "其中上门", "迟报次数",
           "疑似虚报", "参训次数", "评选建议"]


@dataclass
class ContactRow:
    contact: ContactPerson
    families: int = 0
    judged: int = 0
    overdue: int = 0
    visits: int = 0
    home_visits: int = 0
    late: int = 0
    false_reports: int = 0
    trainings: int = 0
    rank: int = 0

    @property
    def on_track(self) -> float | None:
        return None if not self.judged else round((self.judged - self.overdue) / self.judged, 4)

    @property
    def recommended(self) -> bool:
        return not self.false_reports and self.trainings >= REQUIRED_TRAININGS_PER_YEAR and self.families > 0

    @property
    def remark(self) -> str:
        reasons = []
        if self.false_reports:
            reasons.append("有疑似虚报")
        if self.trainings < REQUIRED_TRAININGS_PER_YEAR:
            reasons.append("未参加培训")
        if not self.families:
            reasons.append("无联系家庭")
        return "可推荐" if not reasons else "不建议:" + "、".join(reasons)


def _contacts(user, region: Region) -> QuerySet[ContactPerson]:
    # The phone (encrypted) is not shown: deferring it saves a decryption per contact.
    return (contacts_for_user(user).filter(region__code__startswith=region.prefix, is_active=True)
            .select_related("region", "region__parent").defer("phone"))


def contact_ranking(user, region: Region, year: int, *, sort: str = "on_track", descending: bool = True
                    ) -> list[ContactRow]:
    contacts = _contacts(user, region)
    rows = {c.pk: ContactRow(c) for c in contacts}
    ids = contacts.values("pk")
    active = Assignment.objects.filter(contact_id__in=ids, end_date__isnull=True, slot__in=[Slot.FIRST, Slot.SECOND])
    for cid, n in active.values("contact_id").annotate(n=Count("family_id", distinct=True)).values_list(
            "contact_id", "n"):
        rows[cid].families = n
    periodic = (~Q(family__obligations__kind="festival")
                & ~Q(family__obligations__base_status__in=[NOT_JUDGED, EXITED]))
    for r in active.values("contact_id").annotate(
            judged=Count("family__obligations", filter=periodic),
            overdue=Count("family__obligations", filter=periodic & Q(family__obligations__base_status=OVERDUE))):
        row = rows[r["contact_id"]]
        row.judged, row.overdue = r["judged"], r["overdue"]
    for r in (Visit.objects.filter(contact_id__in=ids, visit_date__year=year).values("contact_id")
              .annotate(n=Count("id"), home=Count("id", filter=Q(channel__in=HOME_CHANNELS)),
                        late=Count("id", filter=Q(is_late=True)))):
        row = rows[r["contact_id"]]
        row.visits, row.home_visits, row.late = r["n"], r["home"], r["late"]
    for cid, n in (SpotCheckVisit.objects.filter(contact_id__in=ids, confirmed=False,
                                                 item__spot_check__planned_on__year=year)
                   .values("contact_id").annotate(n=Count("id")).values_list("contact_id", "n")):
        rows[cid].false_reports = n
    for cid, n in trainings_per_contact(ids, year).items():
        rows[cid].trainings = n
    return rank_contacts(list(rows.values()), sort=sort, descending=descending)


def rank_contacts(rows: list[ContactRow], *, sort: str = "on_track", descending: bool = True) -> list[ContactRow]:
    """Rank by the award order (recommended first, on-track rate, home visits, visits), then sort for display."""
    rows.sort(key=lambda r: (not r.recommended, -(r.on_track or 0), -r.home_visits, -r.visits, r.contact.pk))
    for i, r in enumerate(rows):
        r.rank = i + 1
    if sort == "name":
        rows.sort(key=lambda r: r.contact.name, reverse=descending)
    elif sort in SORT_KEYS and sort != "on_track":
        rows.sort(key=lambda r: getattr(r, sort), reverse=descending)
    elif sort == "on_track" and not descending:
        rows.sort(key=lambda r: r.rank, reverse=True)
    return rows


def ranking_rows(rows: list[ContactRow]) -> list[list]:
    out = []
    for r in rows:
        c = r.contact
        place = f"{c.region.parent.name} {c.region.name}" if c.region.parent_id else c.region.name
        out.append([r.rank, c.name, c.get_kind_display(), c.post, place, r.families,
                    "" if r.on_track is None else f"{r.on_track:.1%}", r.visits, r.home_visits, r.late,
                    r.false_reports, r.trainings, r.remark])
    return out
