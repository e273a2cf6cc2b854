from guanhuai.contacts.selectors import coverage_by_child_region, families_missing_contacts
from guanhuai.contacts.services import assignment_set
from guanhuai.regions.models import Region

from .conftest import START


def test_coverage_counts_families_with_both_contacts_per_child_region(
    make_family, first_contact, second_contact, county_officer
):
    full = make_family(head_name="齐全户")
    half = make_family(head_name="缺村干户")
    make_family("510104002001", head_name="无人户")
    assignment_set(acting_user=county_officer, family=full, slot="first", contact=first_contact, start_date=START)
    assignment_set(acting_user=county_officer, family=full, slot="second", contact=second_contact, start_date=START)
    assignment_set(acting_user=county_officer, family=half, slot="first", contact=first_contact, start_date=START)
    rows, total = coverage_by_child_region(county_officer, Region.objects.get(code="510104000000"))
    by_name = {r.region.name: r for r in rows}
    assert (by_name["东城镇"].families, by_name["东城镇"].covered, by_name["东城镇"].with_first) == (2, 1, 2)
    assert (by_name["西山乡"].families, by_name["西山乡"].covered) == (1, 0)
    assert total.families == 3 and total.covered == 1 and round(total.rate, 3) == 0.333
    missing = {f.head_name for f in families_missing_contacts(county_officer)}
    assert missing == {"缺村干户", "无人户"}


def test_coverage_of_another_county_is_empty_for_an_outsider(make_family, outsider):
    make_family(head_name="东城户")
    rows, total = coverage_by_child_region(outsider, Region.objects.get(code="510105000000"))
    assert total.families == 0
    assert not families_missing_contacts(outsider).exists()
