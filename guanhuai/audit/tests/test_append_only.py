"""On PostgreSQL the database itself refuses to change or delete audit events."""

import pytest
from django.db import IntegrityError, connection, transaction

from guanhuai.audit.models import AuditEvent
from guanhuai.audit.services import audit_record

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")

REFUSAL = "审计事件只能追加,不允许修改或删除"


def test_an_update_is_refused(chain):
    with pytest.raises(IntegrityError, match=REFUSAL), transaction.atomic():
        AuditEvent.objects.filter(id=3).update(object_repr="改")
    assert AuditEvent.objects.get(id=3).object_repr == "家庭3"


def test_a_delete_is_refused(chain):
    with pytest.raises(IntegrityError, match=REFUSAL), transaction.atomic():
        AuditEvent.objects.filter(id=3).delete()
    assert AuditEvent.objects.count() == 6


def test_raw_sql_is_refused_too(chain):
    with pytest.raises(IntegrityError, match=REFUSAL), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET id = id + 100 WHERE id = 6")


def test_appending_still_works(chain):
    event = audit_record(actor=None, action="regions.imported", object_type="region", object_id="x.csv")
    assert event.id == 7 and AuditEvent.objects.count() == 7
