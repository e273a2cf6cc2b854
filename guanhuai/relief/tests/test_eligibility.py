"""Eligibility is checked at once and explained in Chinese; refused applications write nothing."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from conftest import member_data
from guanhuai.relief import eligibility
from guanhuai.relief.models import Application, State
from guanhuai.relief.services import application_apply

from .conftest import all_documents, item


def _apply(user, family, code, **kw):
    return application_apply(acting_user=user, family=family, item=item(code), reason="申请", **kw)


def test_emergency_comfort_for_a_death_this_year_is_accepted_with_its_amount(comfort_app):
    assert comfort_app.state == State.VILLAGE
    assert str(comfort_app.amount) == "3000.00"
    assert "当年新发生" in comfort_app.eligibility_note
    assert comfort_app.steps.get().action == "apply"
    assert comfort_app.attachments.count() == 5


def test_emergency_comfort_is_refused_for_a_death_in_another_year(make_family, village_contact, today):
    last_year = dt.date(today.year - 1, 12, 31)
    family = make_family(certificate_no="GR-1", members=[
        member_data("mother", sex="F", name="王芳", birth=dt.date(1970, 1, 1)),
        {**member_data("child", name="王小", birth=dt.date(1996, 1, 1)), "is_alive": False, "death_date": last_year}])
    with pytest.raises(ValidationError, match=f"不是 {today.year} 年当年新发生的死亡"):
        _apply(village_contact, family, "emergency-comfort")
    assert not Application.objects.exists()


def test_emergency_comfort_on_the_first_day_of_the_year_counts_as_this_year(make_family, village_contact, today):
    family = make_family(certificate_no="GR-2", members=[
        {**member_data("child", name="王小", birth=dt.date(1996, 1, 1)), "is_alive": False,
         "death_date": dt.date(today.year, 1, 1)}])
    assert _apply(village_contact, family, "emergency-comfort").state == State.VILLAGE


def test_emergency_comfort_already_applied_for_is_refused_and_a_double_submission_too(comfort_app, bereaved,
                                                                                    village_contact):
    with pytest.raises(ValidationError, match=r"已有申请紧急慰藉\(申请编号 \d+,待村\(居\)调查\),每户只能享受一次"):
        _apply(village_contact, bereaved, "emergency-comfort")
    comfort_app.state = State.PAID
    comfort_app.save()
    with pytest.raises(ValidationError, match="已领取紧急慰藉"):
        _apply(village_contact, bereaved, "emergency-comfort")
    assert Application.objects.count() == 1


def test_the_unique_constraint_stops_a_duplicate_that_slipped_past_the_check(comfort_app, bereaved, village_contact,
                                                                            monkeypatch):
    monkeypatch.setattr(eligibility, "_duplicates", lambda *a, **k: None)
    with pytest.raises(ValidationError, match="不能重复提交"):
        _apply(village_contact, bereaved, "emergency-comfort")
    assert Application.objects.count() == 1


def test_a_refused_application_may_be_made_again(comfort_app, bereaved, village_contact):
    comfort_app.state = State.REJECTED
    comfort_app.save()
    assert _apply(village_contact, bereaved, "emergency-comfort").pk != comfort_app.pk


def test_emergency_comfort_needs_the_certificate_and_a_deceased_child(family, village_contact):
    with pytest.raises(ValidationError) as exc:
        _apply(village_contact, family, "emergency-comfort")
    text = " ".join(exc.value.messages)
    assert "光荣证" in text and "没有已故独生子女" in text


def test_hardship_is_once_per_event(bereaved, village_contact, today):
    day = today - dt.timedelta(days=3)
    _apply(village_contact, bereaved, "hardship", event_date=day)
    with pytest.raises(ValidationError, match="同一事件只能申请一次"):
        _apply(village_contact, bereaved, "hardship", event_date=day)
    other = _apply(village_contact, bereaved, "hardship", event_date=day - dt.timedelta(days=1))
    assert str(other.amount) == "5000.00"
    with pytest.raises(ValidationError, match="事件的发生日期"):
        _apply(village_contact, bereaved, "hardship")
    with pytest.raises(ValidationError, match="不能晚于今天"):
        _apply(village_contact, bereaved, "hardship", event_date=today + dt.timedelta(days=1))


def test_insurance_excludes_complication_families(make_family, village_contact):
    family = make_family(category="complication")
    with pytest.raises(ValidationError, match="不含手术并发症"):
        _apply(village_contact, family, "insurance")


def test_special_assistance_waits_for_the_year_the_mother_turns_49(make_family, village_contact, today):
    young = make_family(members=[member_data("mother", sex="F", name="赵敏", birth=dt.date(today.year - 48, 1, 1))])
    with pytest.raises(ValidationError, match="满龄当年方可申请"):
        _apply(village_contact, young, "special-assistance")
    turning = make_family(members=[
        member_data("father", name="钱军", birth=dt.date(today.year - 50, 3, 1)),
        member_data("mother", sex="F", name="孙丽", birth=dt.date(today.year - 49, 12, 31))])
    app = _apply(village_contact, turning, "special-assistance")
    assert (app.amount, app.persons) == (item("special-assistance").amount, 2)


def test_special_assistance_uses_the_disability_standard_for_disabled_households(make_family, village_contact):
    family = make_family(category="disabled", disability_grade=2)
    app = _apply(village_contact, family, "special-assistance")
    assert str(app.amount) == "540.00"


def test_pension_needs_special_assistance_first_and_counts_persons(bereaved, village_contact, today):
    with pytest.raises(ValidationError, match="请先办理特别扶助"):
        _apply(village_contact, bereaved, "pension")
    special = _apply(village_contact, bereaved, "special-assistance")
    special.state, special.approved_on = State.APPROVED, today
    special.save()
    app = _apply(village_contact, bereaved, "pension")
    assert str(app.amount) == "2000.00" and app.event_key == f"year:{today.year}"


def test_an_exited_family_cannot_apply(family, village_contact, county_officer, today):
    from guanhuai.families.services import family_exit

    family_exit(acting_user=county_officer, family=family, reason="moved_away", exit_date=today)
    with pytest.raises(ValidationError, match="退出档案"):
        _apply(village_contact, family, "hardship", event_date=today)


def test_only_officers_of_the_jurisdiction_may_apply(bereaved, association_worker, make_family, village_contact):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        _apply(association_worker, bereaved, "hardship", event_date=dt.date(2026, 1, 1))
    elsewhere = make_family("510104001002")
    with pytest.raises(PermissionDenied):
        _apply(village_contact, elsewhere, "hardship", event_date=dt.date(2026, 1, 1))


@pytest.mark.parametrize(("birth", "first"), [
    (dt.date(1977, 3, 1), dt.date(2026, 3, 1)),    # turns 49 on the 1st: paid for that month
    (dt.date(1977, 3, 2), dt.date(2026, 4, 1)),    # turns 49 mid-month: from the next month
    (dt.date(1977, 3, 31), dt.date(2026, 4, 1)),
    (dt.date(1976, 2, 29), dt.date(2025, 3, 1)),   # leap-day birth: 49 on 1 March of a common year
])
def test_the_month_the_mother_reaches_49(birth, first):
    assert eligibility.age_month(birth, 49) == first


def test_hardship_needs_medical_records_income_proof_and_meeting_minutes(db):
    assert [k for k, _ in all_documents("hardship")][-3:] == ["medical", "income", "minutes"]
