from __future__ import annotations

import datetime as dt

from ninja import Router, Schema, Status

from . import services
from .selectors import token_get_for_user

router = Router(tags=["账号"])


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    role: str
    role_label: str
    region_code: str | None
    region_name: str | None
    totp_enabled: bool


@router.get("/me", response=MeOut, summary="当前用户")
def me(request):
    user = request.auth
    return MeOut(id=user.pk, username=user.username, full_name=user.full_name, role=user.role,
                 role_label=user.get_role_display(), region_code=user.region_id,
                 region_name=user.region.name if user.region_id else None, totp_enabled=user.totp_enabled)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenIn(Schema):
    name: str


class TokenCreated(TokenOut):
    token: str


@router.get("/tokens", response=list[TokenOut], summary="我的 API 令牌")
def token_list(request):
    return list(request.auth.api_tokens.all())


@router.post("/tokens", response={201: TokenCreated}, summary="新建 API 令牌(令牌原文只返回这一次)")
def token_create(request, payload: TokenIn):
    token, raw = services.api_token_create(user=request.auth, name=payload.name)
    return Status(201, TokenCreated(id=token.pk, name=token.name, prefix=token.prefix, created_at=token.created_at,
                             last_used_at=None, revoked_at=None, token=raw))


@router.post("/tokens/{token_id}/revoke", response=TokenOut, summary="撤销 API 令牌")
def token_revoke(request, token_id: int):
    token = token_get_for_user(request.auth, token_id)
    services.api_token_revoke(user=request.auth, token=token)
    return token
