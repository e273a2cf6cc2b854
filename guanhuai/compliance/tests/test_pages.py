import datetime as dt
import json
import re

from django.urls import reverse
from django.utils import timezone

from conftest import login
from guanhuai.compliance.models import ProfileVersion, RegionProfile
from guanhuai.compliance.periods import period_of
from guanhuai.contacts.services import assignment_set, contact_create
from guanhuai.regions.models import Region
from guanhuai.visits.services import visit_record


def test_my_families_lists_the_contacts_families_most_urgent_first(make_family, county_officer, village_contact):
    contact = contact_create(acting_user=county_officer, region=Region.objects.get(code="510104001001"),
                             name="村干部甲", kind="village_cadre", phone="13900000003")
    contact.user = village_contact
    contact.save(update_fields=["user"])
    quiet = make_family(head_name="久未联系户", registered_on=dt.date(2024, 1, 1))
    fresh = make_family(head_name="刚走访户", registered_on=dt.date(2024, 1, 1))
    make_family(head_name="别人负责户")
    for family in (quiet, fresh):
        assignment_set(acting_user=county_officer, family=family, slot="second", contact=contact,
                       start_date=dt.date(2024, 1, 1))
    for back in (0, 8, 15, 40, 80):
        visit_record(acting_user=village_contact, family=fresh,
                     data={"visit_date": timezone.localdate() - dt.timedelta(days=back), "channel": "home"})
    html = login(village_contact).get(reverse("compliance:mine")).content.decode()
    assert "别人负责户" not in html
    assert html.index("久未联系户") < html.index("刚走访户")
    assert "逾期" in html


def test_the_region_page_shows_rates_and_the_overdue_list(make_family, county_officer, outsider):
    make_family(head_name="无人联系户", registered_on=dt.date(2024, 1, 1))
    client = login(county_officer)
    html = client.get(reverse("compliance:region")).content.decode()
    assert "无人联系户" in html and "双岗联系人覆盖率" in html and "东城镇" in html
    past = client.get(reverse("compliance:region_code", args=["510104000000"]) + "?date=2025-03-19")
    assert past.status_code == 200
    assert login(outsider).get(reverse("compliance:region_code", args=["510104000000"])).status_code == 404


def test_an_administrator_adds_a_profile_version_and_binds_a_region(admin_user):
    client = login(admin_user)
    hubei = ProfileVersion.objects.get(profile__code="hubei-2016")
    obligations = hubei.obligations + []
    obligations[0] = dict(obligations[0], count=2)
    response = client.post(reverse("compliance:profiles"), {
        "action": "version", "profile": hubei.profile_id, "effective_from": "2027-01-01",
        "obligations": json.dumps(obligations), "note": "每月上门两次"})
    assert response.status_code == 302
    assert ProfileVersion.objects.filter(profile=hubei.profile, effective_from=dt.date(2027, 1, 1)).exists()
    client.post(reverse("compliance:profiles"), {"action": "bind", "region": "510105000000",
                                                 "profile": hubei.profile_id})
    assert RegionProfile.objects.get(region_id="510105000000").profile_id == hubei.profile_id


def test_a_bad_obligation_list_is_refused_in_chinese(admin_user):
    client = login(admin_user)
    profile_id = ProfileVersion.objects.first().profile_id
    response = client.post(reverse("compliance:profiles"), {
        "action": "version", "profile": profile_id, "effective_from": "2027-01-01",
        "obligations": json.dumps([{"key": "x", "kind": "nonsense"}])}, follow=True)
    assert "未知的义务类型" in response.content.decode()
    assert not ProfileVersion.objects.filter(effective_from=dt.date(2027, 1, 1)).exists()


def test_only_administrators_see_the_profile_page(county_officer):
    assert login(county_officer).get(reverse("compliance:profiles")).status_code == 404


def test_a_region_bound_to_hubei_is_judged_by_hubei_rules(make_family, admin_user):
    from guanhuai.compliance.models import ObligationState, PolicyProfile
    from guanhuai.compliance.services import region_profile_set

    region_profile_set(acting_user=admin_user, region=Region.objects.get(code="510105000000"),
                       profile=PolicyProfile.objects.get(code="hubei-2016"))
    family = make_family("510105001001", head_name="湖北规则户")
    keys = set(ObligationState.objects.filter(family=family).values_list("key", flat=True))
    assert keys == {"monthly_home_visit", "monthly_contact", "festival_visit"}


def test_the_family_page_lists_the_last_year_and_folds_older_periods(make_family, county_officer, outsider):
    family = make_family(head_name="两年前登记户", registered_on=dt.date(2023, 1, 2))
    today = timezone.localdate()
    recent = period_of("week", today - dt.timedelta(days=7)).label
    old = period_of("week", today - dt.timedelta(days=500)).label
    url = reverse("compliance:family", args=[family.pk])
    html = login(county_officer).get(url).content.decode()
    folded = "".join(re.findall(r"<details.*?</details>", html, flags=re.S))
    assert "更早" in folded and "未达标" in folded
    assert f"{old}✗" in folded and f"{recent}✗" in html and recent not in folded
    assert login(outsider).get(url).status_code == 404


def test_an_auditors_compliance_reads_are_logged(make_family, auditor):
    from guanhuai.audit.models import AuditEvent

    family = make_family()
    client = login(auditor)
    client.get(reverse("compliance:family", args=[family.pk]))
    client.get(reverse("compliance:region"))
    actions = list(AuditEvent.objects.filter(actor=auditor).values_list("action", flat=True))
    assert actions.count("family.viewed") == 1 and actions.count("family.listed") == 1
