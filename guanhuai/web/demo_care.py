"""The care layer of the demo: 双岗 contacts, assignments, a year of visits, major events.

Built on the demo families (``demo.py``) after they exist, so an older demo
database that has families but no contacts gets this layer on the next
``seed_demo`` run; a database that already has it is left alone.

What the data is meant to show (all of it made up):

* the demo province is bound to the shipped profile ``sichuan-2018``;
* one township cadre per township (第一联系人) and one second contact per
  village — mostly a village cadre, in some villages an association member,
  family doctor or volunteer; a few villages (and one township) handed their
  families over to a successor during the year, so ended assignments and
  pending contact cards exist; two leaders pair with families in difficulty;
* about 3% of the families in the register lack a first or second contact,
  so the coverage pages have red rows;
* a year of visits up to today that roughly follow the profile — a phone call
  most weeks, a face-to-face meeting each month, a home visit each quarter,
  a condolence visit inside each festival window — while about one family in
  ten has fallen behind (stopped contact, phone calls only, or irregular), so
  worklists show overdue and due-soon items; entries are mostly on time and a
  few late (迟报), measured exactly as ``visit_record`` does; before that year,
  back to 1 January, the face-to-face visits of the paper ledger imported as
  补录 (the yearly home-visit count and the family history pages need them);
* a handful of open and closed major events, one of them a petition tendency
  at province level (信访倾向·省级), each answered (or not) by the visits.

Rows go in with ``bulk_create``; the obligation state and village summaries
are then recomputed with ``compliance.state.rebuild`` so every page reads
current rows.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone
from faker import Faker
from simple_history.utils import bulk_create_with_history

from guanhuai.accounts.models import User
from guanhuai.accounts.roles import Role
from guanhuai.compliance import profiles
from guanhuai.compliance.models import PolicyProfile, RegionProfile
from guanhuai.compliance.periods import Span, festival_windows, next_period, period_of
from guanhuai.compliance.state import rebuild
from guanhuai.compliance.summary import villages_refresh
from guanhuai.contacts.models import Assignment, CardIssue, ContactKind, ContactPerson, Slot
from guanhuai.families.models import Family, Health, MemberRole, Mental, RiskFlag, Status
from guanhuai.inbox.models import Notification
from guanhuai.lib.bulk import insert_instances
from guanhuai.lib.crypto import default_blind_index
from guanhuai.regions.codes import CITY, COUNTY, TOWNSHIP, VILLAGE, ancestor_code
from guanhuai.regions.models import Region
from guanhuai.visits.models import (
    FACE_TO_FACE,
    Channel,
    EventKind,
    MajorEvent,
    PetitionLevel,
    Referral,
    Visit,
)
from guanhuai.workdays.calendar import Deadline, add_working_days

PROFILE_CODE = "sichuan-2018"
UNCOVERED_SHARE = 0.03  # families in the register without a full pair of contacts
BEHIND_SHARE = 0.10  # families whose contacts have fallen behind
HANDOVER_VILLAGES = 6
LATE_SHARE = 0.035  # visits entered after the deadline

PHONE_PREFIXES = ["138", "139", "135", "150", "151", "158", "187", "188", "133", "153", "180", "189", "177", "199"]
TOWNSHIP_POSTS = ["社会事务办主任", "计生办主任", "包村干部", "社会事务办干事", "党政办副主任"]
VILLAGE_POSTS = ["村委会主任", "村党支部书记", "村计生专干", "村妇联主席"]
COMMUNITY_POSTS = ["社区居委会主任", "社区计生专干", "社区网格员"]
SECOND_KINDS = [(ContactKind.VILLAGE_CADRE, 85), (ContactKind.ASSOCIATION, 7), (ContactKind.DOCTOR, 5),
                (ContactKind.VOLUNTEER, 3)]

PHONE_NOTES = ["电话问候,身体情况稳定", "电话了解近况,无特殊诉求", "提醒按时服药、注意保暖", "电话联系,老人情绪较好",
               "询问扶助金是否到账,已到账", "电话告知近期义诊活动时间", "了解就医情况,近期无住院"]
ONLINE_NOTES = ["微信视频通话,了解生活情况", "微信语音问候,家中一切正常", "通过微信发送扶助政策解读"]
MEETING_NOTES = ["在村委会面谈,了解近期困难", "赶集时见面交谈,精神状态良好", "在卫生室陪同体检时面谈"]
POLICIES = ["讲解特别扶助金标准及发放时间", "宣传城乡居民医保和大病保险政策", "介绍长期护理保险政策",
            "告知就医绿色通道和家庭医生签约服务", "宣传养老机构优先入住政策", "讲解住院护理补贴申领办法",
            "介绍计生协“暖心家园”活动安排"]
NEEDS = ["希望每月有人上门看看", "需要协助办理慢性病门诊报销", "老伴住院,需要临时照料", "希望入住乡镇敬老院",
         "房屋漏雨,需要协调修缮", "想参加计生协组织的集体活动", "希望家庭医生定期上门体检", "夜间独处害怕,想装一键呼叫电话"]
SOLVED = ["协助预约县医院专家门诊", "帮助办理慢性病门诊卡", "代办医保年度缴费", "联系维修人员修缮房屋",
          "送去米、油等生活用品", "协助申请临时救助", "帮助预约家庭医生上门体检"]
REFERRALS = [(Referral.CIVIL, "申请临时救助"), (Referral.HEALTH, "纳入慢病随访管理"), (Referral.HOUSING, "危房改造评估"),
             (Referral.HRSS, "核对养老保险待遇"), (Referral.ASSOCIATION, "纳入暖心家园结对活动")]
FOLLOW_UPS = [("两周内反馈临时救助申请进度", 14), ("下次走访带回体检报告并解读", 30), ("月底前落实住院护理补贴", 20)]


@dataclass
class CareResult:
    contacts: int = 0
    assignments: int = 0
    ended_assignments: int = 0
    visits: int = 0
    backfilled_visits: int = 0
    late_visits: int = 0
    events: int = 0
    cards: int = 0
    families_rebuilt: int = 0


@dataclass
class _Term:
    contact: ContactPerson
    start: dt.date
    end: dt.date | None = None


@dataclass
class _Fam:
    id: int
    region_id: str
    head_name: str
    registered_on: dt.date
    status: str
    exit_date: dt.date | None
    health: str
    mental: str
    risk_flags: list[str]
    first: list[_Term] = field(default_factory=list)
    second: list[_Term] = field(default_factory=list)
    pattern: str = "good"
    cutoff: dt.date | None = None  # when a family that fell behind stopped getting (face-to-face) visits

    @property
    def active(self) -> bool:
        return self.status == Status.ACTIVE


@dataclass
class _Event:
    fam: _Fam
    kind: str
    event_date: dt.date
    description: str
    respond_on: dt.date | None  # the emergency visit (None: nobody has gone yet)
    petition_level: str = ""
    closed_on: dt.date | None = None
    outcome: str = ""


# Skip probabilities per pattern: (weekly contact, monthly meeting, quarterly home visit, festival visit).
PATTERNS = {
    "good": (0.025, 0.03, 0.05, 0.03),
    "lapsed": (0.025, 0.03, 0.05, 0.03),  # as good until ``cutoff``, then nothing
    "phone_only": (0.1, 0.03, 0.05, 0.03),  # as good until ``cutoff``, then phone calls only
    "irregular": (0.45, 0.35, 0.45, 0.5),
    "none": (1, 1, 1, 1),
}


def care_exists(province_code: str) -> bool:
    return ContactPerson.objects.filter(region__code__startswith=province_code[:2]).exists()


def care_seed(*, province_code: str, seed: int, today: dt.date, demo_users: dict[str, User],
              say: Callable[[str], None]) -> CareResult:
    """Build the care layer for the demo province (call inside the seeding transaction)."""
    builder = _CareBuilder(province_code=province_code, seed=seed, today=today, demo_users=demo_users)
    return builder.build(say)


class _CareBuilder:
    def __init__(self, *, province_code: str, seed: int, today: dt.date, demo_users: dict[str, User]):
        # Its own random stream: the care layer comes out the same whether or not the families
        # were created in the same run.
        self.rng = random.Random(seed * 1009 + 17)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed + 1)
        self.province_code = province_code
        self.prefix = province_code[:2]
        self.today = today
        self.now = timezone.now()
        self.zone = timezone.get_current_timezone()
        self.users = demo_users
        self.user_of_contact: dict[int, User] = {}  # contact pk → the demo login that is this contact
        self.links: list[tuple[ContactPerson, User]] = []
        self.deadlines: dict[dt.date, Deadline] = {}
        self.result = CareResult()

    # ------------------------------------------------------------------ helpers
    def _day(self, lo: dt.date, hi: dt.date) -> dt.date:
        return lo if hi <= lo else lo + dt.timedelta(days=self.rng.randint(0, (hi - lo).days))

    def _ago(self, days: int) -> dt.date:
        return self.today - dt.timedelta(days=days)

    def _at(self, day: dt.date, hour_from: int = 8, hour_to: int = 20) -> dt.datetime:
        moment = dt.datetime.combine(day, dt.time(self.rng.randint(hour_from, hour_to), self.rng.randint(0, 59)),
                                     tzinfo=self.zone)
        return min(moment, self.now)

    def _deadline(self, day: dt.date) -> Deadline:
        if day not in self.deadlines:
            self.deadlines[day] = add_working_days(day, self.entry_days)
        return self.deadlines[day]

    def _phone(self) -> str:
        return self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randint(0, 99_999_999):08d}"

    def _person(self, region: Region, kind: str, post: str, unit: str, name: str | None = None) -> ContactPerson:
        phone = self._phone()
        return ContactPerson(region=region, name=name or self.fake.name(), kind=kind, post=post, unit=unit,
                             phone=phone, phone_bidx=default_blind_index(phone, kind="phone"))

    # ------------------------------------------------------------------ build
    def build(self, say: Callable[[str], None]) -> CareResult:
        self._bind_profile()
        self._load()
        self._contacts()
        say(f"联系人:{self.result.contacts} 人(每个乡镇 1 名乡镇干部,每个村(居)1 名第二联系人,含交接和领导干部)")
        self._assign()
        self._plan_events()
        self._visits()
        self._events()
        self._cards()
        say(f"联系人分工:{self.result.assignments} 条(其中已结束 {self.result.ended_assignments} 条);"
            f"走访记录:{self.result.visits} 条(其中补录历史台账 {self.result.backfilled_visits} 条,"
            f"迟报 {self.result.late_visits} 条);重大事件:{self.result.events} 件")
        self.result.families_rebuilt = rebuild(prefix=self.prefix, day=self.today)
        villages_refresh([v.code for v in self.villages], self.today)  # villages without families too
        say(f"合规状态:已按“{self.profile.name}”重算 {self.result.families_rebuilt} 户")
        return self.result

    def _bind_profile(self) -> None:
        self.profile = PolicyProfile.objects.get(code=PROFILE_CODE)
        RegionProfile.objects.update_or_create(region_id=self.province_code, defaults={"profile": self.profile})
        profiles.clear_cache()
        rules = profiles.rules_for_region(self.province_code)
        entry = rules.first_of_kind("entry_deadline", self.today)
        emergency = rules.first_of_kind("emergency", self.today)
        festival = rules.first_of_kind("festival", self.today)
        self.entry_days = entry.working_days if entry else 5
        self.emergency_days = emergency.days if emergency else 3
        before, after = (festival.window_before, festival.window_after) if festival else (15, 5)
        self.festival_after = after
        self.windows: tuple[Span, ...] = festival_windows(self.today.year - 2, self.today.year, before, after)

    def _load(self) -> None:
        regions = list(Region.objects.filter(code__startswith=self.prefix).order_by("code"))
        self.region = {r.code: r for r in regions}
        self.townships = [r for r in regions if r.level == TOWNSHIP]
        self.villages = [r for r in regions if r.level == VILLAGE]
        self.families = [
            _Fam(**row) for row in Family.objects.filter(region__code__startswith=self.prefix).order_by("id").values(
                "id", "region_id", "head_name", "registered_on", "status", "exit_date", "health", "mental",
                "risk_flags")]
        self.by_village: dict[str, list[_Fam]] = defaultdict(list)
        for fam in self.families:
            self.by_village[fam.region_id].append(fam)
        demo_village = self.users.get("demo_village")
        self.demo_village = demo_village.region_id if demo_village else ""
        self.demo_township = self.demo_village[:9] + "000" if self.demo_village else ""
        self.demo_county = self.demo_village[:6] + "000000" if self.demo_village else ""

    # ------------------------------------------------------------------ contacts
    def _contacts(self) -> None:
        rng = self.rng
        rows: list[ContactPerson] = []
        self.township_terms: dict[str, list[_Term]] = {}
        self.village_terms: dict[str, list[_Term]] = {}
        roster_start = dt.date(self.today.year - 1, 3, 1)  # the 双岗 roster was set up in spring last year
        self.roster_start: dict[str, dt.date] = {}
        for township in self.townships:
            start = roster_start + dt.timedelta(days=rng.randint(0, 75))
            self.roster_start[township.code] = start
            demo = township.code == self.demo_township
            person = self._person(township, ContactKind.TOWNSHIP_CADRE,
                                  "社会事务办主任" if demo else rng.choice(TOWNSHIP_POSTS), f"{township.name}人民政府",
                                  name=self.users["demo_township"].full_name if demo else None)
            if demo:
                self.links.append((person, self.users["demo_township"]))
            rows.append(person)
            self.township_terms[township.code] = [_Term(person, start)]
        for village in self.villages:
            township = self.region[village.parent_id]
            demo = village.code == self.demo_village
            kind = ContactKind.VILLAGE_CADRE if demo else _pick(rng, SECOND_KINDS)
            person = self._second_contact(village, township, kind,
                                          name=self.users["demo_village"].full_name if demo else None,
                                          post="村计生专干" if demo else None)
            if demo:
                self.links.append((person, self.users["demo_village"]))
            rows.append(person)
            self.village_terms[village.code] = [_Term(person, self.roster_start[township.code])]

        # Hand-overs during the year: the old contact left, a successor took every family over.
        candidates = [v for v in self.villages if v.code != self.demo_village and self.by_village.get(v.code)]
        for village in sorted(rng.sample(candidates, min(HANDOVER_VILLAGES, len(candidates))), key=lambda v: v.code):
            township = self.region[village.parent_id]
            change = self._ago(rng.choice([18, 26, 40, 95, 160, 240]))
            old = self.village_terms[village.code][0]
            old.contact.is_active, old.contact.left_on, old.end = False, change, change
            successor = self._second_contact(village, township, _pick(rng, SECOND_KINDS))
            rows.append(successor)
            self.village_terms[village.code].append(_Term(successor, change))
        others = [t for t in self.townships if t.code != self.demo_township]
        if others:
            township = rng.choice(others)
            change = self._ago(130)
            old = self.township_terms[township.code][0]
            old.contact.is_active, old.contact.left_on, old.end = False, change, change
            successor = self._person(township, ContactKind.TOWNSHIP_CADRE, "社会事务办干事", f"{township.name}人民政府")
            rows.append(successor)
            self.township_terms[township.code].append(_Term(successor, change))

        # Leaders pairing with families in special difficulty (领导干部联系帮扶).
        county = self.region.get(self.demo_county) or next(r for r in self.region.values() if r.level == COUNTY)
        city = self.region[ancestor_code(county.code, CITY)]
        self.leaders = [
            self._person(county, ContactKind.LEADER, "县卫生健康局局长", f"{county.name}卫生健康局"),
            self._person(city, ContactKind.LEADER, "市卫生健康委副主任", f"{city.name}卫生健康委员会"),
        ]
        rows.extend(self.leaders)
        created = bulk_create_with_history(rows, ContactPerson, batch_size=500, default_change_reason="演示数据")
        if not all(c.pk for c in rows):  # visits and assignments below refer to them by key
            raise RuntimeError("bulk_create did not return the contacts' primary keys")
        for person, user in self.links:
            person.user = user
            self.user_of_contact[person.pk] = user
        ContactPerson.objects.bulk_update([person for person, _ in self.links], ["user"])
        self.result.contacts = len(created)

    def _second_contact(self, village: Region, township: Region, kind: str, *, name: str | None = None,
                        post: str | None = None) -> ContactPerson:
        community = village.name.endswith("社区")
        if kind == ContactKind.VILLAGE_CADRE:
            post = post or self.rng.choice(COMMUNITY_POSTS if community else VILLAGE_POSTS)
            unit = f"{village.name}{'居民' if community else '村民'}委员会"
        elif kind == ContactKind.ASSOCIATION:
            post, unit = self.rng.choice(["村计生协会长", "计生协会员"]), f"{township.name}计划生育协会"
        elif kind == ContactKind.DOCTOR:
            post, unit = "家庭医生", f"{township.name}卫生院"
        else:
            post, unit = "志愿者", f"{township.name}“暖心家园”志愿服务队"
        return self._person(village, kind, post, unit, name=name)

    # ------------------------------------------------------------------ assignments
    def _assign(self) -> None:
        rng = self.rng
        active = [f for f in self.families if f.active]
        # Families without a full pair (coverage gaps) and families that fell behind; the demo
        # village's families are chosen by hand below so its worklist always shows both kinds.
        pool = [f for f in active if f.region_id != self.demo_village]
        gaps = max(2, round(len(active) * UNCOVERED_SHARE)) if len(active) >= 10 else 0
        uncovered = rng.sample(pool, min(gaps, len(pool)))
        for index, fam in enumerate(uncovered):
            fam.pattern = "none" if index % 2 == 0 else "irregular"
        uncovered_ids = {f.id for f in uncovered}
        for fam in rng.sample([f for f in pool if f.id not in uncovered_ids],
                              min(len(pool) - len(uncovered), round(len(active) * BEHIND_SHARE))):
            fam.pattern = _pick(rng, [("lapsed", 45), ("phone_only", 35), ("irregular", 20)])
        demo = [f for f in active if f.region_id == self.demo_village]
        for index, pattern in ((2, "lapsed"), (5, "phone_only")):
            if len(demo) > index:
                demo[index].pattern = pattern
        # This week's call still to come: "due soon" on the demo contact's list from Thursday on.
        self.call_pending = {demo[index].id for index in (7,) if len(demo) > index}
        for fam in self.families:
            if fam.pattern == "lapsed":
                fam.cutoff = self._ago(rng.randint(9, 45))
            elif fam.pattern == "phone_only":
                fam.cutoff = self._ago(rng.randint(45, 130))

        rows: list[Assignment] = []
        for fam in self.families:
            township = fam.region_id[:9] + "000"
            start = max(self.roster_start[township], fam.registered_on + dt.timedelta(days=rng.randint(0, 7)))
            end = fam.exit_date if not fam.active else None
            if end is not None and end < start:
                continue  # left the register before the roster existed
            slots = [(Slot.FIRST, self.township_terms[township]), (Slot.SECOND, self.village_terms[fam.region_id])]
            if fam.id in uncovered_ids:
                slots = [] if fam.pattern == "none" else slots[:1]
            for slot, terms in slots:
                mine = self._terms_for(terms, start, end)
                setattr(fam, slot.value, mine)
                for term in mine:
                    rows.append(self._assignment(fam, slot, term, reason="确定双岗联系人" if term is mine[0]
                                                 else "原联系人工作调动,批量交接"))
        # Families the leaders and the major events are about: in the register for over a year, fully
        # covered and well looked after (so what happens to them is the event, not neglect).
        self.eligible = [f for f in self.families if f.active and f.first and f.second and f.pattern == "good"
                         and f.registered_on < self._ago(400) and f.region_id != self.demo_village]
        county_prefix, city_prefix = self.demo_county[:6], self.demo_county[:4]
        hard = sorted((f for f in self.eligible if f.region_id.startswith(county_prefix)),
                      key=lambda f: (RiskFlag.PETITION.value not in f.risk_flags, f.health != Health.BEDRIDDEN, f.id))
        in_city = [f for f in self.eligible if f.region_id.startswith(city_prefix)
                   and not f.region_id.startswith(county_prefix)
                   and (f.mental in (Mental.DEPRESSED, Mental.CRISIS) or f.health == Health.BEDRIDDEN)]
        self.petition_family = hard[0] if hard else None
        self.leader_families = {f.id for f in hard[:3] + in_city[:1]}
        county_leader, city_leader = self.leaders
        pairings = []
        if hard:
            pairings.append((hard[0], county_leader, self._ago(8), None, "信访倾向,县领导联系帮扶"))
        if len(hard) > 1:
            pairings.append((hard[1], county_leader, self._ago(200), None, f"{_difficulty(hard[1])},县领导联系帮扶"))
        if len(hard) > 2:
            pairings.append((hard[2], county_leader, self._ago(330), self._ago(60), "大病治疗期间县领导联系帮扶"))
        if in_city:
            pairings.append((in_city[0], city_leader, self._ago(150), None, f"{_difficulty(in_city[0])},市领导联系帮扶"))
        for fam, leader, start, end, reason in pairings:
            start = max(start, fam.registered_on)
            rows.append(self._assignment(fam, Slot.LEADER, _Term(leader, start, end), reason=reason,
                                         end_reason="病情稳定,帮扶结束" if end else ""))
        insert_instances(rows)
        self.result.assignments = len(rows)
        self.result.ended_assignments = sum(1 for a in rows if a.end_date)

    @staticmethod
    def _terms_for(terms: list[_Term], start: dt.date, end: dt.date | None) -> list[_Term]:
        """The family's own terms with the village's (or township's) contacts between ``start`` and ``end``."""
        mine = []
        for term in terms:
            t_start = max(term.start, start)
            t_end = term.end
            if end is not None and (t_end is None or end < t_end):
                t_end = end
            if t_end is not None and t_end < t_start:
                continue
            if t_end is not None and t_end == t_start and term.end is not None:
                continue  # handed over on the very day the family was assigned
            mine.append(_Term(term.contact, t_start, t_end))
        return mine

    def _assignment(self, fam: _Fam, slot: str, term: _Term, *, reason: str, end_reason: str = "") -> Assignment:
        deadline_at = self._deadline(term.start)  # contact changes have the profile's entry deadline too
        deadline = deadline_at.date
        entered = term.start + dt.timedelta(days=self.rng.randint(0, 4))
        if self.rng.random() < 0.02:
            entered = deadline + dt.timedelta(days=self.rng.randint(1, 10))
        entered = min(entered, self.today)
        if term.end is not None and not end_reason:
            end_reason = "家庭退出" if not fam.active and term.end == fam.exit_date else "原联系人工作调动"
        return Assignment(family_id=fam.id, contact=term.contact, slot=slot, region_id=fam.region_id,
                          start_date=term.start, end_date=term.end, reason=reason, end_reason=end_reason,
                          entered_at=self._at(entered), entry_deadline=deadline,
                          entry_deadline_provisional=deadline_at.provisional, is_late=entered > deadline,
                          created_by=self.user_of_contact.get(term.contact.pk) if slot == Slot.FIRST else None)

    # ------------------------------------------------------------------ events
    def _plan_events(self) -> None:
        """Pick the families of the major events first: their visits are shaped around the events."""
        rng = self.rng
        in_demo_county = [f for f in self.eligible if f.region_id.startswith(self.demo_county[:6])
                          and f.id not in self.leader_families]
        used: set[int] = set(self.leader_families)

        def take(candidates: list[_Fam]) -> _Fam | None:
            for fam in candidates:
                if fam.id not in used:
                    used.add(fam.id)
                    return fam
            return None

        events: list[_Event] = []
        petition = self.petition_family or take(in_demo_county) or take(self.eligible)
        if petition is not None:
            day = self._ago(9)
            events.append(_Event(petition, EventKind.PETITION, day,
                                 "对扶助金调整后的发放时间有意见,情绪激动,表示要到省里反映", day + dt.timedelta(days=1),
                                 petition_level=PetitionLevel.PROVINCE))
        demo_village = [f for f in self.families if f.region_id == self.demo_village and f.active and f.first
                        and f.second and f.pattern == "good" and f.registered_on < self._ago(60)]
        fam = take(demo_village)
        if fam is not None:
            day = self._ago(2)
            events.append(_Event(fam, EventKind.ILLNESS, day, "户主突发脑梗,已送县人民医院住院治疗",
                                 day + dt.timedelta(days=1)))
        shuffled = self.eligible[:]
        rng.shuffle(shuffled)
        # Nobody has gone yet: overdue on the lists of the township, county and up.
        fam = take([f for f in in_demo_county if f.region_id.startswith(self.demo_township[:9])]) \
            or take(in_demo_county) or take(shuffled)
        if fam is not None:
            events.append(_Event(fam, EventKind.ACCIDENT, self._ago(6), "在家中摔倒,右腿骨折,独自在家无人照料", None))
        for kind, ago, delay, closed_after, description, outcome, level in [
            (EventKind.ILLNESS, 120, 1, 19, "确诊肺部肿瘤,需手术治疗,费用压力大",
             "已协调县人民医院绿色通道住院手术,医保报销后自付部分由计生协救助 2000 元", ""),
            (EventKind.DISASTER, 130, 0, 12, "暴雨导致房屋后墙垮塌,暂住邻居家",
             "已协调民政临时救助 3000 元,房屋纳入危房改造", ""),
            (EventKind.ACCIDENT, 75, 2, 15, "骑电动车摔伤,左臂骨折",
             "已协助办理住院和医保报销,家庭医生每周上门随访", ""),
            (EventKind.PETITION, 150, 5, 20, "因养老保险待遇问题,表示要到县信访局反映",
             "经县人社局现场解释政策并补发待遇,家庭表示理解", PetitionLevel.COUNTY),
        ]:
            fam = take(shuffled)
            if fam is None:
                break
            day = self._ago(ago)
            events.append(_Event(fam, kind, day, description, day + dt.timedelta(days=delay), petition_level=level,
                                 closed_on=day + dt.timedelta(days=closed_after), outcome=outcome))
        # A parent who died during the year (亡故), when the register has one.
        died = self._parent_deaths({f.id for f in self.eligible} - used)
        if died:
            fam, day = died
            events.append(_Event(fam, EventKind.DEATH, day, "户主配偶病故,在世一方独居,情绪低落",
                                 day + dt.timedelta(days=1), closed_on=day + dt.timedelta(days=10),
                                 outcome="已上门慰问并协助办理丧葬事宜,安排村医每周上门,纳入重点关注"))
        self.planned_events = events
        self.event_of: dict[int, list[_Event]] = defaultdict(list)
        for event in events:
            self.event_of[event.fam.id].append(event)

    def _parent_deaths(self, candidate_ids: set[int]) -> tuple[_Fam, dt.date] | None:
        from guanhuai.families.models import Member

        lo, hi = self._ago(330), self._ago(40)
        row = (Member.objects.filter(family_id__in=candidate_ids, role__in=[MemberRole.FATHER, MemberRole.MOTHER],
                                     death_date__gte=lo, death_date__lte=hi)
               .order_by("family_id").values_list("family_id", "death_date").first())
        if row is None:
            return None
        fam = next(f for f in self.families if f.id == row[0])
        return fam, row[1]

    # ------------------------------------------------------------------ visits
    def _plan(self, fam: _Fam, start: dt.date, end: dt.date, *, ledger: bool = False) -> list[tuple[dt.date, str]]:
        """(date, channel) pairs for one family: festivals, quarterly home visits, monthly meetings, weekly calls.

        ``ledger``: the paper ledger before the year of visits — face-to-face visits only, as
        the family was looked after then (falling behind is recent)."""
        rng = self.rng
        weekly_skip, meeting_skip, home_skip, festival_skip = PATTERNS["good" if ledger else fam.pattern]
        face: list[tuple[dt.date, str]] = []
        for window in self.windows:
            if window.end < start or window.start > end or rng.random() < festival_skip:
                continue
            festival = window.end - dt.timedelta(days=self.festival_after)
            lo = max(window.start, start, festival - dt.timedelta(days=12))
            hi = min(window.end, festival + dt.timedelta(days=1))
            if lo <= hi:
                face.append((self._day(lo, hi), Channel.FESTIVAL))
        quarter = period_of("quarter", start)
        while quarter.start <= end:
            if rng.random() >= home_skip:
                face.append((self._day(max(quarter.start, start), quarter.end), Channel.HOME))
            quarter = next_period("quarter", quarter)
        month = period_of("month", start)
        while month.start <= end:
            if not any(month.contains(d) for d, _ in face) and rng.random() >= meeting_skip:
                face.append((self._day(max(month.start, start), month.end), Channel.MEETING))
            month = next_period("month", month)
        cutoff = fam.cutoff
        if fam.pattern in ("lapsed", "phone_only") and cutoff:
            face = [(d, c) for d, c in face if d <= cutoff]
        visits = [(d, c) for d, c in face if start <= d <= end]
        if ledger:
            return sorted(visits)
        week = period_of("week", start)
        while week.start <= end:
            stopped = fam.pattern == "lapsed" and cutoff and week.start > cutoff
            # The current week's call may still be to come: that is what "due soon" shows.
            still_to_come = week.contains(self.today) and (fam.id in self.call_pending or rng.random() < 0.12)
            if not stopped and not still_to_come and rng.random() >= weekly_skip \
                    and not any(week.contains(d) for d, _ in visits):
                day = week.start + dt.timedelta(days=_pick(rng, [(0, 22), (1, 22), (2, 20), (3, 18), (4, 13), (5, 5)]))
                if start <= day <= end and not (fam.pattern == "lapsed" and cutoff and day > cutoff):
                    visits.append((day, Channel.ONLINE if rng.random() < 0.12 else Channel.PHONE))
            week = next_period("week", week)
        for event in self.event_of.get(fam.id, []):
            # Nobody went to the home before the emergency visit (or at all, when unanswered).
            until = event.respond_on or dt.date.max
            visits = [(d, Channel.PHONE if c in FACE_TO_FACE and event.event_date <= d < until else c)
                      for d, c in visits]
            if event.respond_on is not None and event.respond_on <= end:
                visits.append((event.respond_on, Channel.EMERGENCY))
        visits.sort()
        return visits

    def _visits(self) -> None:
        self.visit_fields = [f.attname for f in Visit._meta.concrete_fields]
        self.visit_defaults = {f.attname: f.get_default() for f in Visit._meta.concrete_fields}
        rows: list[Visit] = []
        self.visit_rows: dict[int, list[Visit]] = {}
        # A year of visits, from the Monday of the week a year ago (so that week is judged whole).
        year_ago = period_of("week", self._ago(365)).start
        # Before the year of visits: the paper ledger (纸质台账) back to 1 January, imported without
        # entry dates (补录) as the visit import does; the yearly home-visit count needs the whole year.
        ledger_from = dt.date(year_ago.year, 1, 1)
        imported_on = {county: year_ago + dt.timedelta(days=self.rng.randint(0, 10))
                       for county in sorted({f.region_id[:6] for f in self.families})}
        for fam in self.families:
            if fam.pattern == "none":
                continue  # never looked after (漏管): the coverage and overdue lists show them
            end = self.today if fam.active else min(fam.exit_date or self.today, self.today)
            mine = []
            start = max(fam.registered_on + dt.timedelta(days=7), ledger_from)
            ledger_end = min(end, year_ago - dt.timedelta(days=1))
            if start <= ledger_end:
                imported = imported_on[fam.region_id[:6]]
                mine += [self._visit(fam, day, channel, imported_on=imported)
                         for day, channel in self._plan(fam, start, ledger_end, ledger=True)]
            start = max(fam.registered_on + dt.timedelta(days=7), year_ago)
            if start <= end:
                mine += [self._visit(fam, day, channel) for day, channel in self._plan(fam, start, end)]
            self.visit_rows[fam.id] = mine
            rows.extend(mine)
        insert_instances(rows)
        self.result.visits = len(rows)
        self.result.backfilled_visits = sum(1 for v in rows if v.is_backfill)
        self.result.late_visits = sum(1 for v in rows if v.is_late)

    def _contact_on(self, terms: list[_Term], day: dt.date) -> ContactPerson | None:
        for term in reversed(terms):
            if term.start <= day:
                return term.contact
        return terms[0].contact if terms else None

    def _visit(self, fam: _Fam, day: dt.date, channel: str, *, imported_on: dt.date | None = None) -> Visit:
        rng = self.rng
        first, second = self._contact_on(fam.first, day), self._contact_on(fam.second, day)
        if channel in (Channel.PHONE, Channel.ONLINE, Channel.MEETING):
            contact = second if (second and rng.random() < 0.75) or not first else first
        elif channel == Channel.HOME:
            contact = first if (first and rng.random() < 0.5) or not second else second
        else:
            contact = first or second
        other = second if contact is first else first
        v = dict(self.visit_defaults)
        v.update(family_id=fam.id, region_id=fam.region_id, contact_id=contact.pk if contact else None,
                 visit_date=day, channel=channel,
                 recorded_by_id=self.user_of_contact[contact.pk].pk
                 if contact and contact.pk in self.user_of_contact else None)
        if channel in FACE_TO_FACE:
            v["health_observed"], v["mental_observed"] = fam.health, fam.mental
            if other is not None and channel != Channel.MEETING:
                v["participants"] = other.name + ("、乡镇分管领导" if channel == Channel.FESTIVAL else "")
            if channel == Channel.FESTIVAL:
                festival = next((w.label[4:] for w in self.windows if w.contains(day)), "节日")
                v["notes"] = f"{festival}慰问,送去慰问金 500 元及米、油等节日物品"
                v["policies_explained"] = rng.choice(POLICIES)
            elif channel == Channel.HOME:
                v["policies_explained"] = rng.choice(POLICIES)
                if rng.random() < 0.3:
                    v["needs_raised"] = rng.choice(NEEDS)
                    if rng.random() < 0.6:
                        v["problems_solved"] = rng.choice(SOLVED)
                if rng.random() < 0.06:
                    v["referred_to"], v["referral_note"] = rng.choice(REFERRALS)
                if rng.random() < 0.05:
                    text, days = rng.choice(FOLLOW_UPS)
                    v["follow_up"], v["follow_up_due"] = text, day + dt.timedelta(days=days)
            elif channel == Channel.MEETING:
                v["notes"] = rng.choice(MEETING_NOTES)
                if rng.random() < 0.15:
                    v["needs_raised"] = rng.choice(NEEDS)
        else:
            if rng.random() < 0.5:
                v["mental_observed"] = fam.mental
            if rng.random() < 0.45:
                v["notes"] = rng.choice(ONLINE_NOTES if channel == Channel.ONLINE else PHONE_NOTES)
        # Entry: mostly the same day or within a few days, a few after the deadline (迟报) —
        # measured as visit_record does: entry date later than add_working_days(visit date, N).
        deadline = self._deadline(day)
        if imported_on is not None:
            v.update(recorded_by_id=None, entry_date=imported_on, entered_at=self._at(imported_on, 9, 17),
                     entry_deadline=deadline.date, entry_deadline_provisional=deadline.provisional,
                     is_late=False, is_backfill=True)
            if not v["notes"]:
                v["notes"] = "据纸质走访台账补录"
            return Visit(*[v[name] for name in self.visit_fields])
        roll = rng.random()
        if roll < LATE_SHARE:
            entry = deadline.date + dt.timedelta(days=rng.randint(1, 9))
        elif roll < 0.3:
            entry = day + dt.timedelta(days=rng.randint(1, 3))
        else:
            entry = day
        entry = min(entry, self.today)
        v.update(entry_date=entry, entered_at=self._at(entry, 8, 21), entry_deadline=deadline.date,
                 entry_deadline_provisional=deadline.provisional, is_late=entry > deadline.date)
        # Positional arguments take Model.__init__'s fast path (about 140,000 rows are built here).
        return Visit(*[v[name] for name in self.visit_fields])

    def _events(self) -> None:
        rows, answers = [], []
        for planned in self.planned_events:
            fam = planned.fam
            answer = next((v for v in self.visit_rows.get(fam.id, [])
                           if v.channel in FACE_TO_FACE and v.visit_date >= planned.event_date), None)
            reporter = self._officer(fam, planned.event_date)
            event = MajorEvent(family_id=fam.id, region_id=fam.region_id, kind=planned.kind,
                               petition_level=planned.petition_level, event_date=planned.event_date,
                               description=planned.description,
                               response_due=planned.event_date + dt.timedelta(days=self.emergency_days),
                               responded_on=answer.visit_date if answer else None, reported_by=reporter)
            if planned.closed_on is not None and answer is not None:
                event.state = MajorEvent.State.CLOSED
                event.outcome = planned.outcome
                event.closed_by = self.users.get("demo_county") if fam.region_id.startswith(
                    self.demo_county[:6]) else None
                event.closed_at = self._at(min(planned.closed_on, self.today), 9, 17)
            rows.append(event)
            answers.append(answer)
        MajorEvent.objects.bulk_create(rows)
        for event, planned, answer in zip(rows, self.planned_events, answers, strict=True):
            event.reported_at = self._at(planned.event_date, 8, 18)
            if answer is not None:
                answer.event_id = event.pk
                answer.notes = "接报后上门了解情况:" + planned.description
        MajorEvent.objects.bulk_update(rows, ["reported_at"])
        Visit.objects.bulk_update([a for a in answers if a is not None], ["event", "notes"])
        self._notify(rows)
        self.result.events = len(rows)

    def _officer(self, fam: _Fam, day: dt.date) -> User | None:
        for contact in (self._contact_on(fam.second, day), self._contact_on(fam.first, day)):
            if contact is not None and contact.pk in self.user_of_contact:
                return self.user_of_contact[contact.pk]
        county = self.users.get("demo_county")
        return county if county and fam.region_id.startswith(county.region_id[:6]) else None

    def _notify(self, events: list[MajorEvent]) -> None:
        """The inbox notices ``event_report`` would have sent (county; city for province or Beijing level)."""
        officers = list(User.objects.filter(role__in=[Role.COUNTY, Role.CITY], is_active=True,
                                            region__code__startswith=self.prefix))
        fams = {f.id: f for f in self.families}
        notes = []
        for event in events:
            fam = fams[event.family_id]
            label = event.get_kind_display() + (f"({event.get_petition_level_display()})"
                                                if event.petition_level else "")
            village = self.region[fam.region_id]
            title = f"{village.name}{fam.head_name}家发生{label},请于 {event.response_due:%m月%d日} 前上门"
            for user in officers:
                wants_city = event.petition_level in (PetitionLevel.PROVINCE, PetitionLevel.BEIJING)
                if (user.role == Role.COUNTY and user.region_id == ancestor_code(fam.region_id, COUNTY)) or (
                        user.role == Role.CITY and wants_city and user.region_id == ancestor_code(fam.region_id, CITY)):
                    notes.append(Notification(user=user, kind="event", title=title[:120], body=event.description,
                                              url=f"/families/{fam.id}/", dedupe_key=f"event:{event.pk}",
                                              read_at=event.closed_at))
        Notification.objects.bulk_create(notes)

    # ------------------------------------------------------------------ cards
    def _cards(self) -> None:
        """Contact cards: handed out after each family's contacts were set, queued after a recent change."""
        rng = self.rng
        rows: list[CardIssue] = []
        queued: list[dt.datetime] = []
        for fam in self.families:
            if not fam.active or not (fam.first or fam.second):
                continue
            changes = sorted({t.start for t in fam.first + fam.second})
            for index, day in enumerate(changes):
                issued = day + dt.timedelta(days=rng.randint(3, 25))
                pending = issued > self.today or (index == len(changes) - 1 and index > 0 and day > self._ago(45))
                if index and rows[-1].state == CardIssue.State.PENDING:
                    # One card waits per family (as ``_queue_card``): the later change rides on it.
                    continue
                rows.append(CardIssue(family_id=fam.id, region_id=fam.region_id,
                                      state=CardIssue.State.PENDING if pending else CardIssue.State.ISSUED,
                                      reason="联系人变更" if index else "确定联系人",
                                      issued_on=None if pending else issued))
                queued.append(self._at(day, 9, 17))
        insert_instances(rows)
        for card, moment in zip(rows, queued, strict=True):
            card.queued_at = moment
        CardIssue.objects.bulk_update(rows, ["queued_at"], batch_size=1000)
        self.result.cards = len(rows)


def _difficulty(fam: _Fam) -> str:
    if fam.health == Health.BEDRIDDEN:
        return "长期卧床"
    if fam.mental in (Mental.DEPRESSED, Mental.CRISIS):
        return "精神状况较差,需要精神慰藉"
    if RiskFlag.PETITION.value in fam.risk_flags:
        return "有信访倾向"
    return "生活困难"


def _pick(rng: random.Random, weighted):
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]
