import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from conftest import member_data
from guanhuai.compliance.selectors import overdue_for_families, rates_for
from guanhuai.families.models import Family
from guanhuai.visits.services import visit_record

D = dt.date(2025, 3, 19)  # a Wednesday


@pytest.fixture
def two_families(make_family, county_officer):
    keen = make_family(head_name="勤联户", registered_on=dt.date(2025, 1, 1))
    quiet = make_family(head_name="失联户", registered_on=dt.date(2025, 1, 1), members=[member_data(name="失联户")])
    for day, channel in [(dt.date(2025, 3, 3), "phone"), (dt.date(2025, 3, 12), "home")]:
        visit_record(acting_user=county_officer, family=keen, data={"visit_date": day, "channel": channel})
    return keen, quiet


def test_rates_on_a_past_date_follow_the_definitions(two_families):
    report = rates_for(Family.objects.all(), D)
    assert report.families == 2
    assert report.rates["weekly_contact"] == 0.5
    assert report.rates["monthly_face_to_face"] == 0.5
    assert report.rates["home_visits_on_track"] == 1.0
    assert report.rates["last_festival"] == 0.0
    assert report.rates["coverage"] == 0.0
    assert report.rates["late_entry"] is None  # nothing had been entered by then


def test_the_overdue_list_names_family_obligation_and_due_date(two_families):
    keen, quiet = two_families
    rows = overdue_for_families(Family.objects.all(), D)
    got = {(r.family_id, r.key, r.due) for r in rows}
    assert (quiet.pk, "weekly_contact", dt.date(2025, 3, 23)) in got
    assert (quiet.pk, "monthly_meeting", dt.date(2025, 3, 31)) in got
    assert (keen.pk, "festival_visit", dt.date(2025, 6, 5)) in got  # missed 春节, next window ends 6-05
    assert not any(r.family_id == keen.pk and r.key == "weekly_contact" for r in rows)


def test_todays_rates_from_state_rows_equal_the_engine_computation(two_families):
    today = timezone.localdate()
    from_state = rates_for(Family.objects.all(), today, use_state=True)
    computed = rates_for(Family.objects.all(), today, use_state=False)
    assert from_state.rates == computed.rates and from_state.counts == computed.counts


def test_late_entries_count_in_the_year_of_entry(make_family, county_officer):
    family = make_family(registered_on=dt.date(2020, 1, 1))
    today = timezone.localdate()
    visit_record(acting_user=county_officer, family=family, data={"visit_date": today - dt.timedelta(days=60),
                                                                  "channel": "phone"})
    visit_record(acting_user=county_officer, family=family, data={"visit_date": today, "channel": "phone"})
    report = rates_for(Family.objects.all(), today)
    assert report.counts["late_entry"] == (1, 2) and report.rates["late_entry"] == 0.5


def test_the_report_command_prints_the_documented_json(two_families, capsys):
    call_command("compliance_report", "--region", "510104000000", "--date", "2025-03-19", "--json")
    payload = json.loads(capsys.readouterr().out)
    assert set(payload) == {"region", "date", "families", "rates", "overdue"}
    assert payload["region"] == "510104000000" and payload["date"] == "2025-03-19" and payload["families"] == 2
    assert payload["rates"]["weekly_contact"] == 0.5
    assert {"family", "obligation", "due"} <= set(payload["overdue"][0])  # plus "contacts"


def test_the_report_command_rejects_an_unknown_region(regions):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="不存在"):
        call_command("compliance_report", "--region", "510199000000", "--json")


def test_the_village_summaries_give_the_same_rates_as_a_direct_count(make_family, county_officer, village_contact):
    from guanhuai.compliance.selectors import rates_by_child_region
    from guanhuai.contacts.services import assignment_set, contact_create
    from guanhuai.regions.models import Region
    from guanhuai.visits.services import event_report

    today = timezone.localdate()
    first = contact_create(acting_user=county_officer, region=Region.objects.get(code="510104001000"), name="镇干",
                           kind="township_cadre", phone="13900000021")
    second = contact_create(acting_user=county_officer, region=Region.objects.get(code="510104001001"), name="村干",
                            kind="village_cadre", phone="13900000022")
    families = [make_family(head_name=f"汇总户{i}", registered_on=dt.date(2024, 1, 1),
                            members=[member_data(name=f"汇总户{i}")]) for i in range(3)]
    make_family("510104002001", head_name="西山户", registered_on=dt.date(2024, 6, 1))
    for slot, contact in (("first", first), ("second", second)):
        assignment_set(acting_user=county_officer, family=families[0], slot=slot, contact=contact,
                       start_date=dt.date(2024, 1, 1))
    visit_record(acting_user=village_contact, family=families[0], data={"visit_date": today, "channel": "home"})
    visit_record(acting_user=village_contact, family=families[1],
                 data={"visit_date": today - dt.timedelta(days=30), "channel": "phone"})
    event_report(acting_user=village_contact, family=families[2], kind="illness",
                 event_date=today - dt.timedelta(days=10), description="住院")
    county = Region.objects.get(code="510104000000")
    rows, total = rates_by_child_region(county_officer, county)
    direct = rates_for(Family.objects.filter(region__code__startswith="510104"), today)
    assert total.families == direct.families == 4
    assert total.rates == direct.rates
    for row in rows:
        child = rates_for(Family.objects.filter(region__code__startswith=row.region.prefix), today)
        assert row.rates == child.rates, row.region.name


def test_the_fast_path_after_a_visit_leaves_the_same_village_summary_as_a_recount(make_family, village_contact):
    from guanhuai.compliance.models import VillageObligationSummary, VillageSummary
    from guanhuai.compliance.summary import villages_refresh

    today = timezone.localdate()
    families = [make_family(head_name=f"快户{i}", registered_on=dt.date(2024, 1, 1),
                            members=[member_data(name=f"快户{i}")]) for i in range(3)]
    for i, family in enumerate(families):
        visit_record(acting_user=village_contact, family=family,
                     data={"visit_date": today - dt.timedelta(days=20 * i), "channel": ["home", "phone", "meeting"][i]})

    def snapshot():
        return (sorted(VillageSummary.objects.values_list("region_id", "families", "covered", "visits_year",
                                                          "late_year")),
                sorted(VillageObligationSummary.objects.values_list("region_id", "kind", "period", "judged",
                                                                    "overdue", "last_judged", "last_met")))

    fast = snapshot()
    villages_refresh(["510104001001"], today)
    assert snapshot() == fast
    assert fast[0][0][3] == 3  # three visits entered this year


def test_the_overdue_count_per_region_matches_the_overdue_list(two_families, county_officer):
    from guanhuai.compliance.selectors import overdue_list, rates_by_child_region
    from guanhuai.regions.models import Region

    county = Region.objects.get(code="510104000000")
    _, total = rates_by_child_region(county_officer, county)
    listed = [r for r in overdue_list(county_officer, county.prefix) if r.key != "emergency_visit"]
    assert total.overdue == len(listed) and any(r.key == "festival_visit" for r in listed)
