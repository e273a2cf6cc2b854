"""lib.rows: model instances from plain SQL rows, converted like the ORM converts them."""

from __future__ import annotations

import datetime as dt

from django.db import connection

from guanhuai.accounts.models import User
from guanhuai.families.models import Family
from guanhuai.lib.rows import Columns


def _row(columns: Columns, table: str, pk) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns.select('t')} FROM {table} t WHERE t.id = %s", [pk])
        return cursor.fetchone()


def test_it_builds_an_instance_with_typed_values_and_the_rest_deferred(family):
    columns = Columns(Family, "head_name", "registered_on", "need_medical", "risk_flags")
    built = columns.build(_row(columns, "families_family", family.pk))
    assert built.pk == family.pk
    assert built.head_name == family.head_name
    assert isinstance(built.registered_on, dt.date) and built.registered_on == family.registered_on
    assert built.need_medical is family.need_medical
    assert built.risk_flags == family.risk_flags
    assert "address" in built.get_deferred_fields()
    assert built.address == family.address  # a deferred field loads on first use


def test_it_returns_none_for_a_row_of_nulls_from_an_outer_join():
    columns = Columns(Family, "head_name")
    assert columns.build((None, None)) is None


def test_the_select_list_follows_the_model_field_order_whatever_order_fields_are_named():
    columns = Columns(User, "role", "username")
    assert columns.attnames == ["id", "username", "role"]


def test_encrypted_fields_are_decrypted_like_the_orm_does(county_officer):
    User.objects.filter(pk=county_officer.pk).update(totp_secret="JBSWY3DPEHPK3PXP")
    columns = Columns(User, "totp_secret")
    built = columns.build(_row(columns, "accounts_user", county_officer.pk))
    assert built.totp_secret == "JBSWY3DPEHPK3PXP"


def test_insert_writes_what_save_would_and_sets_the_primary_key(regions):
    from guanhuai.contacts.models import ContactPerson
    from guanhuai.lib.rows import insert

    contact = ContactPerson(region=regions["510104001001"], name="王芳", kind="village_cadre", phone="13912345678")
    insert(contact)
    assert contact.pk is not None and not contact._state.adding
    stored = ContactPerson.objects.get(pk=contact.pk)
    assert (stored.name, stored.phone, stored.is_active) == ("王芳", "13912345678", True)
    assert stored.created_at is not None  # auto_now_add, as save() would set it
    with connection.cursor() as cursor:  # encrypted at rest like the ORM writes it
        cursor.execute("SELECT phone FROM contacts_contactperson WHERE id = %s", [contact.pk])
        assert "13912345678" not in str(cursor.fetchone()[0])


def test_the_shared_cursor_is_reused_and_is_seen_when_queries_are_logged(family):
    from django.test.utils import CaptureQueriesContext

    from guanhuai.lib.rows import shared_cursor

    with shared_cursor() as first:
        first.execute("SELECT head_name FROM families_family WHERE id = %s", [family.pk])
        assert first.fetchone() == (family.head_name,)
    with shared_cursor() as second:
        assert second is first  # not closed on leaving the block, handed out again
    with CaptureQueriesContext(connection) as queries, shared_cursor() as logged:
        logged.execute("SELECT COUNT(*) FROM families_family")
        assert logged.fetchone() == (1,)
    assert logged is not first and any("COUNT(*)" in q["sql"] for q in queries.captured_queries)


def test_a_shared_cursor_of_another_connection_is_replaced(family):
    """After a reconnect the cached cursor belongs to the old connection: a new one is made."""
    from django.db import connections

    from guanhuai.lib.rows import shared_cursor

    other = connections.create_connection("default")
    try:
        stale = connection._guanhuai_shared_cursor = other.cursor()
        with shared_cursor() as fresh:
            fresh.execute("SELECT head_name FROM families_family WHERE id = %s", [family.pk])
            assert fresh.fetchone() == (family.head_name,)  # sees this test's uncommitted family
        assert fresh is not stale and fresh.cursor.connection is connection.connection
    finally:
        other.close()
