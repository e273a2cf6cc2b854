"""Who qualifies for which relief item, explained in Chinese. Reads only; no writes.

Month rule of 特别扶助 (documented in the README): a person is paid for month M when, on the first day
of M, the mother has reached the item's age (49), the person is alive (a death on that very day still
counts as alive at its start), the family is in the register (likewise for an exit date) and M is not
before the month the application was approved. So a mother born on 1 March 1977 is paid from March 2026,
one born on 2 March 1977 from April 2026 (the month after she turns 49), and nothing is paid for the
months after a death or exit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from guanhuai.families.models import Category, Family, Member, MemberRole, Status

from .models import Application, Basis, Frequency, ReliefItem, Rule, State

PARENTS = (MemberRole.FATHER, MemberRole.MOTHER)


@dataclass
class Verdict:
    refusals: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    amount: Decimal = Decimal("0.00")
    persons: int = 1
    event_key: str = "family"
    member: Member | None = None

    @property
    def eligible(self) -> bool:
        return not self.refusals

    @property
    def explanation(self) -> str:
        return ";".join(self.refusals or self.notes)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def birthday(birth: dt.date, years: int) -> dt.date:
    """The day someone born on ``birth`` turns ``years`` (29 February → 1 March in a common year)."""
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:
        return dt.date(birth.year + years, 3, 1)


def age_month(birth: dt.date, years: int) -> dt.date:
    """First month whose first day finds the person at least ``years`` old."""
    day = birthday(birth, years)
    return day if day.day == 1 else next_month(day)


def mother_of(family: Family) -> Member | None:
    return next((m for m in family.members.all() if m.role == MemberRole.MOTHER), None)


def living_parents(family: Family, on: dt.date | None = None) -> list[Member]:
    return [m for m in family.members.all() if m.role in PARENTS
            and (m.is_alive if on is None else (m.death_date is None or m.death_date >= on))]


def special_standard(item: ReliefItem, family: Family) -> Decimal:
    if family.category == Category.CHILD_DISABLED and item.amount_disabled is not None:
        return item.amount_disabled
    return item.amount


def first_paid_month(item: ReliefItem, family: Family, approved_on: dt.date) -> dt.date | None:
    mother = mother_of(family)
    if mother is None:
        return None
    start = month_start(approved_on)
    if item.mother_min_age:
        start = max(start, age_month(mother.birth_date, item.mother_min_age))
    return start


def monthly_payees(application: Application, period: dt.date) -> list[Member]:
    """The persons of an approved 特别扶助 application paid for the month starting ``period`` (rule above)."""
    family, item = application.family, application.item
    if application.state != State.APPROVED or application.approved_on is None:
        return []
    if family.status == Status.EXITED and family.exit_date and family.exit_date < period:
        return []
    first = first_paid_month(item, family, application.approved_on)
    if first is None or period < first:
        return []
    return living_parents(family, on=period)


def check(item: ReliefItem, family: Family, *, today: dt.date, member: Member | None = None,
          event_date: dt.date | None = None, exclude_pk: int | None = None) -> Verdict:
    """Whether ``family`` may apply for ``item`` today, with the amount and the reasons in Chinese."""
    v = Verdict(amount=item.amount)
    if not item.is_active:
        v.refusals.append(f"救助项目“{item.name}”已停用")
    if family.status != Status.ACTIVE:
        v.refusals.append(f"该家庭已于 {family.exit_date:%Y-%m-%d} 退出档案,不能申请")
    if event_date and event_date > today:
        v.refusals.append("事件日期不能晚于今天")
    special_family = family.category in (Category.CHILD_DECEASED, Category.CHILD_DISABLED)
    rule = item.rule
    if item.frequency == Frequency.YEARLY:
        v.event_key = f"year:{today.year}"
    if rule == Rule.INSURANCE:
        if not special_family:
            v.refusals.append("平安保障只适用于独生子女死亡、伤残的特别扶助家庭(不含手术并发症)")
        v.notes.append(f"{item.amount_text},{today.year} 年度由县统一投保")
    elif rule in (Rule.EMERGENCY_COMFORT, Rule.REPRODUCTION):
        _deceased_child(item, family, member, today, v)
    elif rule == Rule.SPECIAL_ASSISTANCE:
        _special(item, family, today, v)
    elif rule == Rule.PENSION:
        _pension(item, family, today, v)
    elif rule == Rule.HARDSHIP:
        if event_date is None:
            v.refusals.append("特困救助须填写意外、大病或受灾等事件的发生日期")
        else:
            v.event_key = f"event:{event_date.isoformat()}"
            v.notes.append(f"{event_date:%Y-%m-%d} 发生的事件,每次事件一次性救助 {item.amount} 元")
    _duplicates(item, family, v, exclude_pk)
    return v


def _deceased_child(item: ReliefItem, family: Family, member: Member | None, today: dt.date, v: Verdict) -> None:
    if family.category != Category.CHILD_DECEASED:
        v.refusals.append(f"{item.name}只适用于独生子女死亡家庭")
        return
    if not family.certificate_no:
        v.refusals.append("档案中没有《独生子女父母光荣证》编号,请先补充档案")
    children = [m for m in family.members.all() if m.role == MemberRole.CHILD and not m.is_alive and m.death_date]
    if member is not None:
        children = [m for m in children if m.pk == member.pk]
    if not children:
        v.refusals.append("档案中没有已故独生子女及其死亡日期,请先在家庭档案中登记")
        return
    child = children[0]
    v.member = child
    if item.rule == Rule.EMERGENCY_COMFORT:
        if child.death_date.year != today.year:
            v.refusals.append(f"独生子女 {child.name} 于 {child.death_date:%Y-%m-%d} 死亡,不是 {today.year} 年"
                              f"当年新发生的死亡;紧急慰藉只适用于当年新发生的死亡")
        else:
            v.notes.append(f"独生子女 {child.name} 于 {child.death_date:%Y-%m-%d} 死亡,属当年新发生,"
                           f"一次性抚慰金 {item.amount} 元")
    else:
        v.notes.append(f"独生子女死亡后需实施再生育辅助技术,一次性补助 {item.amount} 元")


def _special(item: ReliefItem, family: Family, today: dt.date, v: Verdict) -> None:
    if family.category not in (Category.CHILD_DECEASED, Category.CHILD_DISABLED):
        v.refusals.append("特别扶助只适用于独生子女死亡、伤残家庭")
        return
    mother = mother_of(family)
    if mother is None:
        v.refusals.append("档案中没有母亲的出生日期,无法确定特别扶助起始时间,请先补充档案")
        return
    persons = living_parents(family)
    standard = special_standard(item, family)
    v.amount, v.persons = standard, len(persons)
    if not persons:
        v.refusals.append("档案中没有健在的父母,无人可享受特别扶助")
    if item.mother_min_age:
        turns = birthday(mother.birth_date, item.mother_min_age)
        if turns.year > today.year:
            v.refusals.append(f"母亲 {mother.name} 于 {turns:%Y-%m-%d} 年满 {item.mother_min_age} 周岁,"
                              f"满龄当年方可申请")
            return
        first = age_month(mother.birth_date, item.mother_min_age)
        v.notes.append(f"母亲 {mother.name} 于 {turns:%Y-%m-%d} 年满 {item.mother_min_age} 周岁;"
                       f"自 {first:%Y年%m月}(且不早于认定当月)起按月发放")
    v.notes.append(f"{family.get_category_display()}家庭标准每人每月 {standard} 元,现有 {len(persons)} 人")


def _pension(item: ReliefItem, family: Family, today: dt.date, v: Verdict) -> None:
    enrolled = Application.objects.filter(family=family, item__rule=Rule.SPECIAL_ASSISTANCE,
                                          state__in=[State.APPROVED, State.PAID]).exists()
    if not enrolled:
        v.refusals.append("养老保险代缴只适用于已认定的特别扶助对象,请先办理特别扶助")
    persons = living_parents(family)
    v.persons = len(persons)
    v.amount = item.amount * len(persons) if item.basis == Basis.YEARLY_PER_PERSON else item.amount
    if not persons:
        v.refusals.append("档案中没有健在的父母,无人可代缴")
    v.notes.append(f"{today.year} 年度每人 {item.amount} 元 × {len(persons)} 人 = {v.amount} 元,由县财政代缴")


def _duplicates(item: ReliefItem, family: Family, v: Verdict, exclude_pk: int | None) -> None:
    qs = Application.objects.filter(item=item, family=family, event_key=v.event_key).exclude(state=State.REJECTED)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    earlier = qs.order_by("pk").first()
    if earlier is None:
        return
    scope = {"family": "每户只能享受一次", "year": "每年只能申请一次", "event": "同一事件只能申请一次"}[
        v.event_key.split(":")[0]]
    verb = "已领取" if earlier.state == State.PAID else "已有申请"
    v.refusals.append(f"该家庭{verb}{item.name}(申请编号 {earlier.pk},{earlier.get_state_display()}),{scope}")
