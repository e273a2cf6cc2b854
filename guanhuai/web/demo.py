"""The synthetic demo dataset behind ``manage.py seed_demo`` and ``make demo``.

Everything here is made up: a province named 示范省, invented place names,
Faker ``zh_CN`` people and ID numbers that pass the GB 11643 checksum but
belong to nobody. A fixed random seed makes two runs produce the same
families; the demo is detected by its province code, so a second run only
refreshes the demo logins and writes nothing else. On top of the register,
``demo_care`` adds the 双岗 contacts, a year of visits, major events and the
obligation state (same seed, same rows for the same day).

Rows are written with ``bulk_create`` (history rows too) so 3,000 families
load in seconds. Each generated family and member is first passed through the
archive's own checks (``family_check`` / ``member_check``): the demo holds
only data a user could have entered through the forms.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from faker import Faker
from simple_history.utils import bulk_create_with_history

from guanhuai.accounts.models import User
from guanhuai.accounts.roles import Role
from guanhuai.audit.services import audit_record
from guanhuai.families.models import (
    Category,
    ExitReason,
    Family,
    Health,
    Housing,
    Hukou,
    Income,
    Living,
    Marital,
    Medical,
    Member,
    MemberRole,
    Mental,
    Pension,
    RiskFlag,
    Sex,
    Status,
)
from guanhuai.families.services import _apply_member, _set_bank, family_check, member_check
from guanhuai.lib.idnumber import make_id_number
from guanhuai.regions.codes import CITY, COUNTY, PROVINCE, TOWNSHIP, VILLAGE
from guanhuai.regions.models import Region
from guanhuai.web.demo_assessment import assessment_seed
from guanhuai.web.demo_care import PROFILE_CODE, CareResult, care_exists, care_seed
from guanhuai.web.demo_confirmations import confirmations_seed
from guanhuai.web.demo_oversight import oversight_seed
from guanhuai.web.demo_relief import relief_seed
from guanhuai.web.demo_returns import returns_seed

PROVINCE_CODE = "510000000000"
PROVINCE_NAME = "示范省"
DEMO_PASSWORD = "Demo@2026"
DEFAULT_SEED = 2026
DEFAULT_FAMILIES = 3000
# Dates are generated relative to a fixed day (or today, if earlier) so the
# data set is the same whichever day it is built.
ANCHOR = dt.date(2026, 9, 30)

CITIES = [("510100000000", "云山市"), ("510200000000", "清江市")]
COUNTIES = [
    ("510104000000", "桃源县", "0831-5512320"),
    ("510112000000", "白鹤县", "0831-6612320"),
    ("510203000000", "松林县", "0832-7712320"),
    ("510211000000", "石泉县", "0832-8812320"),
]
TOWNSHIPS_PER_COUNTY = 10
VILLAGES_PER_TOWNSHIP = 10

_FIRST = "桃李杨柳石青白龙凤金新黄马高双和兴安太永福长红梅松竹沙明光东西南北中上下大小田花云水"
_SECOND = "园庄桥坪湾坝沟山林溪岭塘坡口店湖泉河堰岗田峰"

# Demo logins: one per role. The village contact's village is guaranteed families.
USERS = [
    ("demo_village", Role.VILLAGE, "周小梅", VILLAGE),
    ("demo_township", Role.TOWNSHIP, "陈志强", TOWNSHIP),
    ("demo_county", Role.COUNTY, "刘建华", COUNTY),
    ("demo_city", Role.CITY, "张海燕", CITY),
    ("demo_province", Role.PROVINCE, "王德明", PROVINCE),
    ("demo_association", Role.ASSOCIATION, "赵丽君", COUNTY),
    ("demo_auditor", Role.AUDITOR, "孙立新", PROVINCE),
    ("demo_admin", Role.ADMIN, "吴静", PROVINCE),
]

NEEDS_NOTES = [
    "希望村里每月上门看望一次",
    "需要协助办理慢性病门诊报销",
    "老伴住院,需要临时照料",
    "希望入住乡镇敬老院",
    "房屋漏雨,需要协调修缮",
    "想参加计生协组织的集体活动",
    "希望家庭医生定期上门体检",
    "扶助金到账时间请提前告知",
    "夜间独处害怕,希望能装一部一键呼叫电话",
    "腿脚不便,希望代办医保年审",
]
BANKS = ["中国农业银行", "中国邮政储蓄银行", "农村商业银行", "中国建设银行", "中国工商银行"]
PHONE_PREFIXES = ["138", "139", "135", "136", "150", "151", "158", "159", "187", "188", "133", "153",
                  "180", "189", "130", "131", "155", "186", "177", "199", "182", "183"]


class DemoRefused(Exception):
    """The demo cannot be built here (the message is for the user, in Chinese)."""


@dataclass
class DemoLogin:
    username: str
    role: str
    region: str
    password: str


@dataclass
class DemoResult:
    created: bool
    regions: int = 0
    families: int = 0
    members: int = 0
    logins: list[DemoLogin] = field(default_factory=list)
    care: CareResult | None = None


def demo_exists() -> bool:
    province = Region.objects.filter(code=PROVINCE_CODE).first()
    if province is None:
        return False
    if province.name != PROVINCE_NAME:
        raise DemoRefused(
            f"区划 {PROVINCE_CODE} 已存在且名称为“{province.name}”,不是演示数据;为避免混入真实数据,已停止。"
        )
    return True


def demo_seed(*, families: int = DEFAULT_FAMILIES, seed: int = DEFAULT_SEED, progress=None,
              today: dt.date | None = None) -> DemoResult:
    """Build the demo once; on later runs only refresh the demo logins.

    Two layers, each written once: the register (regions, families, members)
    and the care layer (contacts, assignments, visits, events, obligation
    state; ``demo_care``). A demo built before the care layer existed gets it
    on its next run. ``today`` (default: today) is the last day of visits.
    """
    say = progress or (lambda message: None)
    today = today or timezone.localdate()
    result = DemoResult(created=False)
    changes: dict[str, Any] = {}
    with transaction.atomic():
        if demo_exists():
            say("演示数据已存在,跳过生成家庭档案;只重置演示账号的密码和锁定状态。")
            result.logins = _seed_users(_user_regions())
            result.families = Family.objects.filter(region__code__startswith=PROVINCE_CODE[:2]).count()
        else:
            builder = _Builder(seed=seed, today=min(ANCHOR, today))
            regions = builder.regions()
            Region.objects.bulk_create(regions, batch_size=500)
            say(f"区划:{len(regions)} 个(1 省 {len(CITIES)} 市 {len(COUNTIES)} 县 "
                f"{len(builder.townships)} 乡镇 {len(builder.villages)} 村)")
            result.logins = _seed_users(_user_regions())
            family_rows, member_rows = builder.families(families)
            family_rows = bulk_create_with_history(family_rows, Family, batch_size=500,
                                                   default_change_reason="演示数据")
            # 建档时间: as if each archive had been entered on its registration day, not all at seeding time.
            zone = timezone.get_current_timezone()
            for family in family_rows:
                family.created_at = dt.datetime.combine(family.registered_on, dt.time(9, 30), tzinfo=zone)
            Family.objects.bulk_update(family_rows, ["created_at"], batch_size=500)
            for member in member_rows:
                member.family_id = member.family.pk
            bulk_create_with_history(member_rows, Member, batch_size=1000, default_change_reason="演示数据")
            say(f"家庭:{len(family_rows)} 户,成员:{len(member_rows)} 人")
            result.created = True
            result.regions, result.families, result.members = len(regions), len(family_rows), len(member_rows)
            changes.update(regions=len(regions), families=len(family_rows), members=len(member_rows))
        if not care_exists(PROVINCE_CODE):
            users = {u.username: u for u in User.objects.filter(username__in=[row[0] for row in USERS])}
            result.care = care_seed(province_code=PROVINCE_CODE, seed=seed, today=today, demo_users=users, say=say)
            result.created = True
            changes.update(profile=PROFILE_CODE, contacts=result.care.contacts, assignments=result.care.assignments,
                           visits=result.care.visits, events=result.care.events, cards=result.care.cards,
                           visits_until=today.isoformat())
        county_user = User.objects.filter(username="demo_county").first()
        if oversight_seed(county_user=county_user, today=today, seed=seed):
            say("抽查:本县 1 次已完成、1 次进行中")
        logins = {u.username: u for u in User.objects.filter(username__in=["demo_village", "demo_township"])}
        if relief_seed(users={"village": logins.get("demo_village"), "township": logins.get("demo_township"),
                              "county": county_user}, today=today):
            say("关怀救助:各环节的申请、一个已对账的发放批次和一笔追回")
        if confirmations_seed(county_user=county_user, today=today, seed=seed):
            say("资格确认:本县本年度确认期进行中,部分家庭已确认")
        added = assessment_seed(users={u.username: u for u in User.objects.filter(username__startswith="demo_")},
                                today=today, seed=seed)
        if added:
            say("考核:" + "、".join(added))
        if returns_seed(province_code=PROVINCE_CODE, seed=seed, today=today):
            say("年度统计上报:各级报表处于已通过、待审核、已退回、未报送等状态")
        if result.created:
            # One summarising audit event for the whole run (the rows themselves are not audited one by one).
            changes.update(users="、".join(login.username for login in result.logins), seed=seed)
            audit_record(
                actor=None, action="demo.seeded", object_type="region", object_id=PROVINCE_CODE,
                object_repr=f"生成演示数据({PROVINCE_NAME})" if "families" in changes
                else f"补充演示数据:联系人、走访和合规状态({PROVINCE_NAME})",
                region_code=PROVINCE_CODE, changes=changes,
            )
    return result


def _user_regions() -> dict[int, Region]:
    """The region each demo login is bound to: the first of each level in the demo tree."""
    village = (
        Region.objects.filter(code__startswith=COUNTIES[0][0][:6], level=VILLAGE, name__endswith="村")
        .order_by("code").first()
    )
    township = village.parent
    county = township.parent
    city = county.parent
    return {VILLAGE: village, TOWNSHIP: township, COUNTY: county, CITY: city, PROVINCE: city.parent}


def _seed_users(regions: dict[int, Region]) -> list[DemoLogin]:
    """Create or reset the demo logins: known password, unlocked, no forced change."""
    probe = User(username=USERS[0][0], full_name=USERS[0][2])
    password_validation.validate_password(DEMO_PASSWORD, probe)
    hashed = make_password(DEMO_PASSWORD)  # hashing is slow on purpose: do it once
    now = timezone.now()
    logins = []
    for username, role, full_name, level in USERS:
        region = regions[level]
        User.objects.update_or_create(username=username, defaults={
            "full_name": full_name, "role": role, "region": region, "password": hashed, "is_active": True,
            "must_change_password": False, "password_changed_at": now, "failed_login_count": 0,
            "locked_until": None, "totp_enabled": False, "totp_secret": "",
        })
        logins.append(DemoLogin(username, Role(role).label, region.name, DEMO_PASSWORD))
    return logins


def _pick(rng: random.Random, weighted: list[tuple[Any, float]]) -> Any:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


class _Builder:
    def __init__(self, *, seed: int, today: dt.date):
        self.rng = random.Random(seed)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed)
        self.today = today
        self.townships: list[Region] = []
        self.villages: list[Region] = []
        self.used_ids: set[str] = set()
        self.sequence = 0
        self.certificate = 0

    # --- regions -----------------------------------------------------------
    def _place_names(self, count: int, suffixes: list[str]) -> list[str]:
        names: list[str] = []
        seen: set[str] = set()
        while len(names) < count:
            base = self.rng.choice(_FIRST) + self.rng.choice(_SECOND)
            if base in seen:
                continue
            seen.add(base)
            names.append(base + self.rng.choice(suffixes))
        return names

    def regions(self) -> list[Region]:
        province = Region(code=PROVINCE_CODE, name=PROVINCE_NAME, level=PROVINCE)
        rows = [province]
        for code, name in CITIES:
            rows.append(Region(code=code, name=name, level=CITY, parent_id=PROVINCE_CODE))
        for code, name, hotline in COUNTIES:
            rows.append(Region(code=code, name=name, level=COUNTY, parent_id=code[:4] + "0" * 8, hotline=hotline))
        for county_code, _, _ in COUNTIES:
            names = self._place_names(TOWNSHIPS_PER_COUNTY, ["镇", "镇", "镇", "乡"])
            for index, name in enumerate(names):
                # Statistical practice: 1xx for towns (镇), 2xx for townships (乡).
                serial = (100 if name.endswith("镇") else 200) + index + 1
                township = Region(code=f"{county_code[:6]}{serial:03d}000", name=name, level=TOWNSHIP,
                                  parent_id=county_code)
                self.townships.append(township)
                rows.append(township)
        for township in self.townships:
            names = self._place_names(VILLAGES_PER_TOWNSHIP, ["村"] * 5 + ["社区"])
            for index, name in enumerate(names):
                # 0xx for communities (社区居委会), 2xx for villages (村委会).
                serial = (index + 1) if name.endswith("社区") else 200 + index + 1
                village = Region(code=f"{township.code[:9]}{serial:03d}", name=name, level=VILLAGE,
                                 parent_id=township.code)
                self.villages.append(village)
                rows.append(village)
        return rows

    # --- people ------------------------------------------------------------
    def _date_between(self, start: dt.date, end: dt.date) -> dt.date:
        if end <= start:
            return start
        return start + dt.timedelta(days=self.rng.randint(0, (end - start).days))

    def _birth(self, first_year: int, last_year: int) -> dt.date:
        return self._date_between(dt.date(first_year, 1, 1), dt.date(last_year, 12, 31))

    def _id_number(self, area: str, birth: dt.date, sex: str) -> str:
        while True:
            self.sequence += 1
            number = make_id_number(area, birth, self.sequence * 7 + 10, sex)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def _phone(self) -> str:
        return self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randint(0, 99_999_999):08d}"

    def _member(self, *, role: str, name: str, sex: str, birth: dt.date, area: str, death: dt.date | None = None,
                phone: str = "", hukou: str = "", marital: str = "") -> dict[str, Any]:
        return {
            "role": role, "name": name, "sex": sex, "birth_date": birth,
            "id_number": self._id_number(area, birth, sex), "is_alive": death is None, "death_date": death,
            "phone": phone, "hukou": hukou, "marital": marital,
        }

    def _years(self, born: dt.date, on: dt.date) -> int:
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))

    def _add_years(self, day: dt.date, years: int) -> dt.date:
        try:
            return day.replace(year=day.year + years)
        except ValueError:  # 29 February
            return day.replace(year=day.year + years, day=28)

    # --- families ----------------------------------------------------------
    def _village_for(self, index: int) -> Region:
        # The demo village contact's village (see _user_regions) always has a handful of families.
        if index < 9:
            return min((v for v in self.villages if v.name.endswith("村")), key=lambda v: v.code)
        return self.rng.choice(self.villages)

    def families(self, count: int) -> tuple[list[Family], list[Member]]:
        family_rows: list[Family] = []
        member_rows: list[Member] = []
        for index in range(count):
            village = self._village_for(index)
            data, members = self._family(village, index)
            errors = family_check(data, today=self.today)
            if errors:
                raise AssertionError(f"演示家庭数据未通过校验:{errors}")
            family = Family(region_id=village.code, status=data.pop("status"),
                            exit_reason=data.pop("exit_reason"), exit_date=data.pop("exit_date"),
                            exit_note=data.pop("exit_note"))
            for name, value in data.items():
                setattr(family, name, value)
            _set_bank(family)
            family_rows.append(family)
            for raw in members:
                check = member_check(raw, today=self.today)
                if check.errors:
                    raise AssertionError(f"演示成员数据未通过校验:{check.errors}")
                member = Member(family=family)
                _apply_member(member, check.data)
                member_rows.append(member)
        return family_rows, member_rows

    def _family(self, village: Region, index: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        rng, fake, today = self.rng, self.fake, self.today
        area = village.code[:6]
        category = _pick(rng, [(Category.CHILD_DECEASED, 60), (Category.CHILD_DISABLED, 30),
                               (Category.COMPLICATION, 10)])
        hukou = _pick(rng, [(Hukou.RURAL, 70), (Hukou.URBAN, 12), (Hukou.RESIDENT, 18)])
        surname = fake.last_name()
        father_name = surname + fake.first_name_male()
        mother_name = fake.last_name() + fake.first_name_female()
        father_birth = self._birth(1943, 1972)
        mother_birth = self._date_between(self._add_years(father_birth, -2), self._add_years(father_birth, 5))
        mother_birth = min(mother_birth, dt.date(1974, 12, 31))
        child_sex = rng.choice([Sex.MALE, Sex.FEMALE])
        child_name = surname + (fake.first_name_male() if child_sex == Sex.MALE else fake.first_name_female())
        child_birth = self._date_between(self._add_years(mother_birth, 21), self._add_years(mother_birth, 34))
        child_birth = min(child_birth, today - dt.timedelta(days=400))

        # Registered once the mother reached 49 and the family qualified.
        qualifies_on = self._add_years(mother_birth, 49)
        child_death = None
        if category == Category.CHILD_DECEASED:
            child_death = self._date_between(self._add_years(child_birth, 1),
                                             min(self._add_years(child_birth, 45), today - dt.timedelta(days=200)))
            qualifies_on = max(qualifies_on, child_death)
        qualifies_on = max(qualifies_on, dt.date(2008, 1, 1))
        registered_on = self._date_between(qualifies_on + dt.timedelta(days=30),
                                           qualifies_on + dt.timedelta(days=400))
        registered_on = min(registered_on, today - dt.timedelta(days=rng.randint(20, 120)))

        # Parents who died after registration; a few households list one parent only (divorced).
        single_parent = rng.random() < 0.05
        father_death = mother_death = None
        late = registered_on + dt.timedelta(days=60)
        if late < today - dt.timedelta(days=30) and not single_parent:
            if rng.random() < (0.22 if father_birth.year < 1955 else 0.08):
                father_death = self._date_between(late, today - dt.timedelta(days=30))
            if rng.random() < (0.12 if mother_birth.year < 1955 else 0.04):
                mother_death = self._date_between(late, today - dt.timedelta(days=30))

        status, exit_reason, exit_date, exit_note = Status.ACTIVE, "", None, ""
        if father_death and mother_death and not single_parent:
            status, exit_reason = Status.EXITED, ExitReason.PARENTS_DECEASED
            exit_date = min(max(father_death, mother_death) + dt.timedelta(days=rng.randint(10, 90)), today)
        elif rng.random() < 0.025:
            status = Status.EXITED
            exit_reason = _pick(rng, [(ExitReason.MOVED_AWAY, 5), (ExitReason.NOT_ELIGIBLE, 2),
                                      (ExitReason.REBIRTH_OR_ADOPTION, 1), (ExitReason.OTHER, 1)])
            exit_date = self._date_between(registered_on + dt.timedelta(days=30), today)
            if exit_reason == ExitReason.OTHER:
                exit_note = "经县级复核,不再纳入扶助范围"
            elif exit_reason == ExitReason.MOVED_AWAY:
                exit_note = "随亲属迁往外省居住"

        father_alive, mother_alive = father_death is None, mother_death is None
        has_phone = rng.random() < 0.9
        members: list[dict[str, Any]] = []
        show_father = not (single_parent and rng.random() < 0.5)
        show_mother = not single_parent or not show_father
        head_phone_given = False
        if show_father:
            phone = ""
            if has_phone and father_alive and (rng.random() < 0.8 or not mother_alive):
                phone, head_phone_given = self._phone(), True
            marital = Marital.DIVORCED if single_parent else (Marital.MARRIED if mother_alive else Marital.WIDOWED)
            members.append(self._member(role=MemberRole.FATHER, name=father_name, sex=Sex.MALE, birth=father_birth,
                                        area=area, death=father_death, phone=phone, hukou=hukou,
                                        marital=marital if father_alive else Marital.MARRIED))
        if show_mother:
            phone = ""
            if has_phone and mother_alive and (rng.random() < 0.5 or not head_phone_given):
                phone = self._phone()
            marital = Marital.DIVORCED if single_parent else (Marital.MARRIED if father_alive else Marital.WIDOWED)
            members.append(self._member(role=MemberRole.MOTHER, name=mother_name, sex=Sex.FEMALE, birth=mother_birth,
                                        area=area, death=mother_death, phone=phone, hukou=hukou,
                                        marital=marital if mother_alive else Marital.MARRIED))
        if category != Category.COMPLICATION or rng.random() < 0.6:
            age = self._years(child_birth, child_death or today)
            child_marital = Marital.MARRIED if age > 27 and rng.random() < 0.5 else Marital.SINGLE
            phone = self._phone() if category == Category.CHILD_DISABLED and rng.random() < 0.3 else ""
            members.append(self._member(role=MemberRole.CHILD, name=child_name, sex=child_sex, birth=child_birth,
                                        area=area, death=child_death, phone=phone, hukou=hukou,
                                        marital=child_marital))

        living_parents = [m for m in members if m["role"] != MemberRole.CHILD and m["is_alive"]]
        head = living_parents[0] if living_parents else members[0]
        eldest = min((m["birth_date"] for m in living_parents), default=father_birth)
        elderly = self._years(eldest, today) >= 70

        health = _pick(rng, [(Health.GOOD, 30 if not elderly else 15), (Health.CHRONIC, 38),
                             (Health.SERIOUS, 9), (Health.DISABLED, 8), (Health.BEDRIDDEN, 5 if not elderly else 12)])
        mental = _pick(rng, [(Mental.STABLE, 58), (Mental.LOW, 26), (Mental.DEPRESSED, 12), (Mental.CRISIS, 2)])
        if len(living_parents) >= 2:
            living = _pick(rng, [(Living.WITH_SPOUSE, 85), (Living.INSTITUTION, 4), (Living.OTHER, 11)])
        elif living_parents:
            living = _pick(rng, [(Living.ALONE, 65), (Living.INSTITUTION, 15), (Living.OTHER, 20)])
        else:
            living = Living.OTHER
        income = _pick(rng, [(Income.DIBAO, 14), (Income.LOW, 36), (Income.MIDDLE, 42), (Income.GOOD, 8)])
        housing = Housing.INSTITUTION if living == Living.INSTITUTION else _pick(
            rng, [(Housing.OWN, 82), (Housing.RENTED, 8), (Housing.LIVING_WITH_RELATIVES, 7), (Housing.OTHER, 3)])
        pension = (Pension.EMPLOYEE if hukou == Hukou.URBAN and rng.random() < 0.7
                   else _pick(rng, [(Pension.RESIDENT, 94), (Pension.NONE, 6)]))
        medical = (Medical.EMPLOYEE if pension == Pension.EMPLOYEE
                   else _pick(rng, [(Medical.RESIDENT, 97), (Medical.NONE, 3)]))

        needs = {
            "need_daily_care": health in (Health.BEDRIDDEN, Health.DISABLED) or (elderly and rng.random() < 0.3),
            "need_pension": elderly and rng.random() < 0.45,
            "need_medical": health in (Health.SERIOUS, Health.BEDRIDDEN) or rng.random() < 0.08,
            "need_comfort": mental != Mental.STABLE and rng.random() < 0.7,
            "need_economic": income == Income.DIBAO or (income == Income.LOW and rng.random() < 0.4),
            "need_other": rng.random() < 0.03,
        }
        needs_note = rng.choice(NEEDS_NOTES) if any(needs.values()) and rng.random() < 0.35 else ""
        flags = []
        if status == Status.ACTIVE:
            if rng.random() < 0.03 or (mental == Mental.CRISIS and rng.random() < 0.3):
                flags.append(RiskFlag.PETITION.value)
            if living == Living.ALONE and elderly:
                flags.append(RiskFlag.ALONE_ELDERLY.value)
            if mental == Mental.CRISIS:
                flags.append(RiskFlag.MENTAL_CRISIS.value)
            if health == Health.SERIOUS and rng.random() < 0.6:
                flags.append(RiskFlag.SERIOUS_ILLNESS.value)
            if income == Income.DIBAO and rng.random() < 0.3:
                flags.append(RiskFlag.HARDSHIP.value)

        bank = {"bank_name": "", "account_holder": "", "bank_account": ""}
        if rng.random() < 0.75:
            bank = {"bank_name": rng.choice(BANKS), "account_holder": head["name"],
                    "bank_account": "62" + "".join(str(rng.randint(0, 9)) for _ in range(17))}
        self.certificate += 1
        data = {
            "head_name": head["name"],
            "address": f"{village.name}{rng.randint(1, 12)}组{rng.randint(1, 80)}号",
            "category": category,
            "disability_grade": (_pick(rng, [(1, 15), (2, 30), (3, 30), (4, 25)])
                                 if category == Category.CHILD_DISABLED else None),
            "certificate_no": f"{area}{registered_on.year}{self.certificate:05d}" if rng.random() < 0.9 else "",
            "registered_on": registered_on,
            "health": health, "mental": mental, "living": living, "income": income, "housing": housing,
            "pension": pension, "medical": medical, **needs, "needs_note": needs_note, "risk_flags": flags,
            **bank,
            "status": status, "exit_reason": exit_reason, "exit_date": exit_date, "exit_note": exit_note,
        }
        return data, members
