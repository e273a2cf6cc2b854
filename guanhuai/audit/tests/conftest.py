"""Helpers for the audit tests."""

from __future__ import annotations

import pytest
from django.db import connection

from guanhuai.audit.services import audit_record


@pytest.fixture
def tamper(db):
    """Switch off the append-only trigger (PostgreSQL) for this test, as a DBA with
    full rights could; the test transaction's rollback switches it on again."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only")
    return connection


@pytest.fixture
def chain(county_officer):
    """Six events, ids 1..6."""
    return [
        audit_record(actor=county_officer, action="family.updated", object_type="family", object_id=str(n),
                     object_repr=f"家庭{n}", region_code="510104001001", changes={"address": [f"旧{n}", f"新{n}"]})
        for n in range(1, 7)
    ]
