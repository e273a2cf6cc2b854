"""The JSON API (django-ninja): authentication and the one error shape.

Every error is ``{"code": ..., "message": ..., "fields": {...}}`` with a
Chinese message. Callers authenticate with a session (browser, CSRF checked)
or with ``Authorization: Bearer <token>``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth

from guanhuai.accounts.roles import Role
from guanhuai.accounts.services import api_token_authenticate


class AccountGateClosed(PermissionDenied):
    """A valid credential whose account must first finish a security step (403, not 401)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def _check_account_gates(user) -> None:
    # The same gates ForcePasswordChangeMiddleware applies to browser sessions.
    if user.must_change_password:
        raise AccountGateClosed("password_change_required", "请先修改初始密码")
    if settings.REQUIRE_TOTP_FOR_ADMINS and user.role == Role.ADMIN and not user.totp_enabled:
        raise AccountGateClosed("totp_required", "系统管理员须先启用双因素认证")


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        user = api_token_authenticate(token)
        if user is None:
            return None
        _check_account_gates(user)
        request.user = user
        return user


class ActiveSessionAuth(SessionAuth):
    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is not None:
            _check_account_gates(user)
        return user


api = NinjaAPI(
    title="关怀系统 API",
    version="1.0",
    description="计划生育特殊家庭扶助关怀信息系统 JSON API。所有错误返回 {code, message, fields}。",
    auth=[TokenAuth(), ActiveSessionAuth()],
    urls_namespace="api",
    docs_url="/docs",
    docs_decorator=login_required,
)


def error(code: str, message: str, fields: dict | None = None) -> dict:
    return {"code": code, "message": message, "fields": fields or {}}


def _fields_of(exc: ValidationError) -> tuple[str, dict]:
    if hasattr(exc, "error_dict"):
        fields = {k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()}
        first = next(iter(fields.values()), ["数据校验失败"])
        message = first[0] if len(fields) == 1 else "数据校验失败,请检查标出的字段"
        return message, fields
    return "; ".join(exc.messages), {}


@api.exception_handler(ValidationError)
def on_validation_error(request, exc):
    message, fields = _fields_of(exc)
    code = "duplicate_id_number" if exc.__class__.__name__ == "DuplicateIdNumbers" else "invalid"
    return api.create_response(request, error(code, message, fields), status=422)


@api.exception_handler(NinjaValidationError)
def on_schema_error(request, exc):
    fields = {}
    for item in exc.errors:
        loc = ".".join(str(p) for p in item.get("loc", [])[1:]) or "body"
        fields.setdefault(loc, []).append(item.get("msg", "格式错误"))
    return api.create_response(request, error("invalid", "请求格式不正确", fields), status=422)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return api.create_response(request, error("not_found", "对象不存在或不在您的管辖范围内"), status=404)


@api.exception_handler(PermissionDenied)
def on_forbidden(request, exc):
    code = getattr(exc, "code", "forbidden")
    return api.create_response(request, error(code, str(exc) or "您没有执行此操作的权限"), status=403)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return api.create_response(request, error("unauthenticated", "请先登录或提供有效的 API 令牌"), status=401)


# django-ninja raises a few HttpErrors of its own, in English.
NINJA_MESSAGES = {"CSRF check Failed": ("csrf_failed", "CSRF 校验失败,请刷新页面后重试")}


@api.exception_handler(HttpError)
def on_http_error(request, exc):
    code, message = NINJA_MESSAGES.get(str(exc.message), ("error", str(exc.message)))
    return api.create_response(request, error(code, message), status=exc.status_code)


def register_routers() -> None:
    from guanhuai.accounts.api import router as accounts_router
    from guanhuai.audit.api import router as audit_router
    from guanhuai.community.api import router as community_router
    from guanhuai.compliance.api import router as compliance_router
    from guanhuai.confirmations.api import router as confirmations_router
    from guanhuai.contacts.api import router as contacts_router
    from guanhuai.families.api import router as families_router
    from guanhuai.families.api_import import router as imports_router
    from guanhuai.inbox.api import router as inbox_router
    from guanhuai.oversight.api import router as oversight_router
    from guanhuai.regions.api import router as regions_router
    from guanhuai.relief.api import router as relief_router
    from guanhuai.reports.api import router as reports_router
    from guanhuai.visits.api import events_router
    from guanhuai.visits.api import router as visits_router
    from guanhuai.workdays.api import router as workdays_router

    api.add_router("/regions", regions_router)
    api.add_router("/accounts", accounts_router)
    api.add_router("/audit", audit_router)
    api.add_router("/families", families_router)
    api.add_router("/contacts", contacts_router)
    api.add_router("/imports", imports_router)
    api.add_router("/compliance", compliance_router)
    api.add_router("/visits", visits_router)
    api.add_router("/events", events_router)
    api.add_router("/inbox", inbox_router)
    api.add_router("/oversight", oversight_router)
    api.add_router("/confirmations", confirmations_router)
    api.add_router("/reports", reports_router)
    api.add_router("/relief", relief_router)
    api.add_router("/community", community_router)
    api.add_router("/workdays", workdays_router)


register_routers()
