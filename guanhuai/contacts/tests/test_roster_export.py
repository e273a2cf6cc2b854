"""Roster export: one row per family in the register; member ID numbers always masked; audited."""

import io

from django.urls import reverse
from openpyxl import load_workbook

from conftest import login
from guanhuai.audit.models import AuditEvent
from guanhuai.contacts.services import assignment_set

from .conftest import START


def _rows(response):
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def test_the_county_roster_masks_member_ids_and_shows_contact_phones_to_managers(
        family, make_family, first_contact, second_contact, county_officer):
    assignment_set(acting_user=county_officer, family=family, slot="first", contact=first_contact, start_date=START)
    assignment_set(acting_user=county_officer, family=family, slot="second", contact=second_contact,
                   start_date=START)
    make_family("510104002001", head_name="西山户")
    rows = _rows(login(county_officer).get(reverse("contacts:roster_export", args=["510104000000"])))
    header, *data = rows
    assert header[:5] == ["乡镇(街道)", "村(居)", "档案号", "户主姓名", "成员身份证号(脱敏)"]
    assert len(data) == 2
    zhang = next(r for r in data if r[3] == "张建国")
    number = family.members.get(role="father").id_number
    assert zhang[4] == family.members.get(role="father").id_number_masked and number not in str(rows)
    assert zhang[5:8] == ["王乡干", "副镇长", "13900000001"]
    assert zhang[9:12] == ["李村干", "村委委员", "13900000002"]
    west = next(r for r in data if r[3] == "西山户")
    assert west[5] is None and west[9] is None
    event = AuditEvent.objects.get(action="contacts.roster_exported")
    assert event.changes["rows"] == 2 and event.changes["member_ids"] == "脱敏"


def test_readers_who_do_not_manage_contacts_get_masked_phones(family, first_contact, county_officer, city_officer):
    assignment_set(acting_user=county_officer, family=family, slot="first", contact=first_contact, start_date=START)
    rows = _rows(login(city_officer).get(reverse("contacts:roster_export", args=["510104000000"])))
    assert rows[1][7] == "139****0001" and "13900000001" not in str(rows)


def test_exited_families_are_left_out(family, county_officer):
    import datetime as dt

    from guanhuai.families.services import family_exit

    family_exit(acting_user=county_officer, family=family, reason="moved_away", exit_date=dt.date(2025, 1, 1))
    rows = _rows(login(county_officer).get(reverse("contacts:roster_export", args=["510104000000"])))
    assert len(rows) == 1


def test_an_outsider_and_a_village_contact_cannot_export(family, outsider, village_contact):
    assert login(outsider).get(reverse("contacts:roster_export", args=["510104000000"])).status_code == 404
    assert login(village_contact).get(reverse("contacts:roster_export", args=["510104001001"])).status_code == 404
    assert not AuditEvent.objects.filter(action="contacts.roster_exported").exists()


def test_a_city_wide_export_is_refused(family, city_officer):
    response = login(city_officer).get(reverse("contacts:roster_export", args=["510100000000"]))
    assert response.status_code == 302
