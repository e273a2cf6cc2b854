"""Writing audit events. Call inside the business transaction.

Every service that changes data calls ``audit_record`` (or
``audit_record_many`` for bulk imports) in its own ``transaction.atomic``
block, so the change and its audit event commit or roll back together.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from guanhuai.lib.masking import mask
from guanhuai.lib.rows import shared_cursor

from .context import current_ip
from .models import AuditChainHead, AuditEvent

GENESIS = "0" * 64


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_digest(event: AuditEvent) -> str:
    payload = [
        event.id,
        _iso(event.created_at),
        event.actor_id,
        event.actor_username,
        event.ip,
        event.action,
        event.object_type,
        event.object_id,
        event.object_repr,
        event.region_code,
        event.changes,
        event.reason,
        event.prev_hash,
    ]
    data = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


@dataclass
class PendingEvent:
    action: str
    object_type: str = ""
    object_id: str = ""
    object_repr: str = ""
    region_code: str = ""
    changes: dict[str, Any] = field(default_factory=dict)
    reason: str = ""


_EVENT_FIELDS = ("id", "created_at", "actor", "actor_username", "ip", "action", "object_type", "object_id",
                 "object_repr", "region_code", "changes", "reason", "prev_hash", "hash")
_HEAD_READ = "SELECT last_id, last_hash FROM audit_auditchainhead WHERE id = 1"
_HEAD_WRITE = "UPDATE audit_auditchainhead SET last_id = %s, last_hash = %s WHERE id = 1"
_INSERT_BATCH = 500


def _insert_events(cursor, connection, rows: list[AuditEvent], head_values: list) -> None:
    """INSERT the events and move the chain head to ``head_values`` (last id, last hash).

    Plain SQL: every write in the system ends here, and the ORM's insert costs more CPU to compile
    than the database spends on it. Values go through each field's own preparation (JSON, datetimes).
    On PostgreSQL the head's UPDATE rides in the last INSERT (a data-modifying WITH): the head row is
    the one lock every write shares, so each round trip fewer while it is held counts.
    """
    fields = [AuditEvent._meta.get_field(name) for name in _EVENT_FIELDS]
    insert = f"INSERT INTO audit_auditevent ({', '.join(f.column for f in fields)}) VALUES "
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    together = connection.vendor == "postgresql"
    for start in range(0, len(rows), _INSERT_BATCH):
        batch = rows[start:start + _INSERT_BATCH]
        sql = insert + ", ".join([one] * len(batch))
        params = [f.get_db_prep_save(getattr(e, f.attname), connection) for e in batch for f in fields]
        if together and start + _INSERT_BATCH >= len(rows):
            sql, params = f"WITH head AS ({_HEAD_WRITE}) {sql}", [*head_values, *params]
        cursor.execute(sql, params)
    if not together:
        cursor.execute(_HEAD_WRITE, head_values)


def audit_record_many(*, actor, events: list[PendingEvent], ip: str | None = None) -> list[AuditEvent]:
    """Append events to the chain in one locked step (the head row stays locked until commit)."""
    if not events:
        return []
    from django.db import connection

    with transaction.atomic(savepoint=False), shared_cursor() as cursor:
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        cursor.execute(_HEAD_READ + lock)
        found = cursor.fetchone()
        if found is None:  # the very first event of a new database
            AuditChainHead.objects.get_or_create(id=1)
            cursor.execute(_HEAD_READ + lock)
            found = cursor.fetchone()
        next_id, prev = found
        now = timezone.now()
        ip = ip if ip is not None else (current_ip() or "")
        rows = []
        for pending in events:
            next_id += 1
            event = AuditEvent(
                id=next_id,
                created_at=now,
                actor=actor if getattr(actor, "pk", None) else None,
                actor_username=getattr(actor, "username", "") or "",
                ip=ip,
                action=pending.action,
                object_type=pending.object_type,
                object_id=str(pending.object_id or ""),
                object_repr=(pending.object_repr or "")[:200],
                region_code=pending.region_code or "",
                changes=_jsonable(pending.changes),
                reason=pending.reason or "",
                prev_hash=prev,
            )
            event.hash = event_digest(event)
            prev = event.hash
            rows.append(event)
        _insert_events(cursor, connection, rows, [next_id, prev])
    for event in rows:
        event._state.adding = False
    return rows


def audit_record(
    *,
    actor,
    action: str,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    region_code: str = "",
    changes: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    if obj is not None:
        object_type = object_type or obj._meta.model_name
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
        region_code = region_code or getattr(obj, "region_id", "") or ""
    return audit_record_many(
        actor=actor,
        events=[
            PendingEvent(
                action=action,
                object_type=object_type,
                object_id=object_id,
                object_repr=object_repr,
                region_code=region_code,
                changes=changes or {},
                reason=reason,
            )
        ],
    )[0]


_PLAIN = frozenset({str, int, float, bool, type(None)})


def _jsonable(value: Any) -> Any:
    """``value`` as it reads back from JSON (dates and other objects become strings)."""
    if type(value) is dict and all(type(k) is str and type(v) in _PLAIN for k, v in value.items()):
        return dict(value)  # the usual flat dict of plain values: already what JSON gives back
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def diff_values(
    old: dict[str, Any], new: dict[str, Any], *, sensitive: dict[str, str] | None = None
) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for fields that changed; sensitive values masked.

    ``sensitive`` maps a field name to its masking kind (id_number, phone,
    bank_account).
    """
    sensitive = sensitive or {}
    changes: dict[str, list[Any]] = {}
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        if key in sensitive:
            kind = sensitive[key]
            before, after = mask(kind, before or ""), mask(kind, after or "")
        changes[key] = [before, after]
    return changes


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    bad_id: int | None = None
    message: str = ""


def audit_verify(*, batch_size: int = 5000) -> VerifyResult:
    """Walk the chain in id order and recompute every hash.

    The first problem found is reported: a missing id (deleted row), a
    ``prev_hash`` that does not match the previous row (deleted or reordered
    rows), a hash that does not match the row's content (edited row), or a
    chain head that disagrees with the last row (rows removed from or added
    to the end).
    """
    prev = GENESIS
    expected_id = 1
    checked = 0
    while True:
        batch = list(AuditEvent.objects.filter(id__gte=expected_id).order_by("id")[:batch_size])
        if batch:
            for event in batch:
                if event.id != expected_id:
                    return VerifyResult(False, checked, expected_id,
                                        f"事件 #{expected_id} 缺失(链在 #{event.id} 处断开)")
                if event.prev_hash != prev:
                    return VerifyResult(False, checked, event.id,
                                        f"事件 #{event.id} 的前序哈希与上一条不符(被删除或重排)")
                if event_digest(event) != event.hash:
                    return VerifyResult(False, checked, event.id, f"事件 #{event.id} 的内容被修改")
                prev = event.hash
                expected_id += 1
                checked += 1
            continue
        head = AuditChainHead.objects.filter(id=1).first()
        # Events appended while we walked move the head on; walk on to them before judging.
        if head is not None and head.last_id > checked and AuditEvent.objects.filter(id__gte=expected_id).exists():
            continue
        break
    if head is None:
        if checked:
            return VerifyResult(False, checked, 1, f"链尾记录缺失,无法确认 {checked} 条事件是否完整")
        return VerifyResult(True, 0, None, "审计链为空")
    if head.last_id > checked:
        return VerifyResult(False, checked, checked + 1,
                            f"事件 #{checked + 1} 缺失:链尾记录应有 {head.last_id} 条,实有 {checked} 条(末尾被删除)")
    if head.last_id < checked:
        return VerifyResult(False, checked, head.last_id + 1,
                            f"事件 #{head.last_id + 1} 起的 {checked - head.last_id} 条不在链尾记录中(被伪造追加)")
    if head.last_hash != prev:
        return VerifyResult(False, checked, checked, f"事件 #{checked} 与链尾记录的哈希不符(末尾被改写)")
    return VerifyResult(True, checked, None, f"审计链完整,共 {checked} 条事件")


def audit_sensitive_read(user, **event) -> AuditEvent | None:
    """Log a read of case data when the reader is an auditor ("every sensitive read is logged").

    Call it from every page or endpoint that shows case data; other roles' reads are not events.
    Takes the same keyword arguments as ``audit_record``.
    """
    from guanhuai.accounts.roles import Role

    if getattr(user, "role", None) != Role.AUDITOR:
        return None
    return audit_record(actor=user, **event)
