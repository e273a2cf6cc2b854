"""lib/bulk writes exactly what bulk_create_with_history writes, only faster."""

import datetime as dt

from simple_history.utils import bulk_create_with_history

from conftest import member_data
from guanhuai.families.models import Family, Member
from guanhuai.lib.bulk import insert_instances
from guanhuai.lib.crypto import default_blind_index

IGNORED = {"id", "history_id", "history_date", "created_at", "updated_at", "family_id"}


def _families(region, user, tag):
    return [Family(region=region, created_by=user, head_name=f"{tag}{i}", category="disabled", disability_grade=2,
                   registered_on=dt.date(2020, 1, i + 1), risk_flags=["petition"], needs_note="诉求",
                   bank_account="6222021234567890", bank_account_bidx="x", need_medical=True) for i in range(3)]


def _rows(queryset):
    return sorted(({k: v for k, v in row.items() if k not in IGNORED} for row in queryset.values()),
                  key=lambda r: str(sorted(r.items())))


def test_it_writes_the_same_rows_and_history_as_bulk_create_with_history(regions, county_officer):
    village = regions["510104001001"]
    reference = bulk_create_with_history(_families(village, county_officer, "甲"), Family,
                                         default_user=county_officer)
    fast = insert_instances(_families(village, county_officer, "乙"), with_history=True,
                            history_user=county_officer)
    assert all(f.pk for f in fast) and len({f.pk for f in fast}) == 3
    stored = Family.objects.filter(pk__in=[f.pk for f in fast]).order_by("pk")
    assert [f.head_name for f in stored] == ["乙0", "乙1", "乙2"]
    assert stored[0].bank_account == "6222021234567890" and stored[0].risk_flags == ["petition"]
    assert all(f.created_at is not None for f in stored)

    def strip(rows, tag):
        return [dict(r, head_name=r["head_name"][1:]) for r in rows if r["head_name"].startswith(tag)]

    assert strip(_rows(Family.objects.all()), "乙") == strip(_rows(Family.objects.all()), "甲")
    history = Family.history.model.objects
    assert strip(_rows(history.all()), "乙") == strip(_rows(history.all()), "甲")
    assert history.filter(head_name="乙0").get().id == fast[0].pk
    assert {h.history_user_id for h in history.all()} == {county_officer.pk}
    assert reference[0].pk != fast[0].pk


def test_members_get_their_keys_and_encrypted_columns_read_back(regions, county_officer):
    family = insert_instances(_families(regions["510104001001"], county_officer, "丙"))[0]
    data = member_data()
    member = Member(family_id=family.pk, role="father", name=data["name"], sex="M", id_number=data["id_number"],
                    id_number_bidx=default_blind_index(data["id_number"], kind="id_number"),
                    birth_date=data["birth_date"], phone="13812345678")
    insert_instances([member], with_history=True)
    stored = Member.objects.get(pk=member.pk)
    assert stored.id_number == data["id_number"] and stored.phone == "13812345678"
    assert stored.birth_date == data["birth_date"] and stored.is_alive
    assert Member.history.get().id_number == data["id_number"]
