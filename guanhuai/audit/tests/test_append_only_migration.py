"""The append-only migration creates its trigger only where there is PostgreSQL."""

from django.db import connection

from guanhuai.audit.models import AuditEvent


def triggers_on_audit_table() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_auditevent'::regclass "
                           "AND NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_auditevent'")
        return {row[0] for row in cursor.fetchall()}


def test_the_trigger_exists_exactly_on_postgresql(db):
    expected = {"audit_auditevent_append_only"} if connection.vendor == "postgresql" else set()
    assert triggers_on_audit_table() == expected


def test_with_the_trigger_switched_off_a_dba_can_change_a_row(chain, tamper):
    # What the tamper tests rely on, on both backends; only audit_verify can catch it then.
    assert AuditEvent.objects.filter(id=2).update(object_repr="改") == 1
