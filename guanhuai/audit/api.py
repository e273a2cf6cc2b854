from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404
from ninja import Query, Router, Schema

from guanhuai.accounts.roles import has_perm

from .selectors import AuditFilters, audit_search

router = Router(tags=["审计"])


class AuditOut(Schema):
    id: int
    created_at: dt.datetime
    actor_username: str
    ip: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    region_code: str
    changes: Any
    reason: str
    hash: str


class AuditQuery(Schema):
    user: str = ""
    object_type: str = ""
    object_id: str = ""
    action: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    limit: int = 100
    offset: int = 0


@router.get("/events", response=list[AuditOut], summary="查询审计事件(审计员、管理员,限本辖区)")
def events(request, query: Query[AuditQuery]):
    if not has_perm(request.auth, "audit.view"):
        raise Http404
    data = query.dict()
    limit = max(1, min(500, data.pop("limit")))
    offset = max(0, data.pop("offset"))
    return list(audit_search(request.auth, AuditFilters(**data))[offset: offset + limit])
