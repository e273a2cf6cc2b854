"""Session idle timeout and the must-change-password / mandatory-TOTP gate."""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from .roles import Role

LAST_SEEN_KEY = "last_seen"
# Refreshing the timestamp on every request would make each page view a session write.
LAST_SEEN_RESOLUTION_SECONDS = 30


def _api_error(code: str, message: str, status: int) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, "fields": {}}, status=status)


def mark_seen(request) -> None:
    request.session[LAST_SEEN_KEY] = int(timezone.now().timestamp())


class IdleTimeoutMiddleware:
    """End a session after SESSION_IDLE_MINUTES without a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(timezone.now().timestamp())
            last = request.session.get(LAST_SEEN_KEY)
            if last is not None and now - int(last) > settings.SESSION_IDLE_MINUTES * 60:
                logout(request)
                if request.path.startswith("/api/"):
                    return _api_error("session_expired", "会话已超时,请重新登录", 401)
                messages.info(request, f"您已 {settings.SESSION_IDLE_MINUTES} 分钟未操作,请重新登录")
                return redirect(f"{reverse('accounts:login')}?next={quote(request.get_full_path())}")
            if last is None or now - int(last) >= LAST_SEEN_RESOLUTION_SECONDS:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


def _paths(*names: str) -> tuple[str, ...]:
    return tuple(reverse(name) for name in names)


class ForcePasswordChangeMiddleware:
    """Until a user has changed an administrator-set password (or, where required,
    an administrator has enabled TOTP), only the pages that resolve that are open."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        common = ("/static/", "/healthz") + _paths("accounts:login", "accounts:login_totp", "accounts:logout")
        if user.must_change_password:
            if request.path.startswith(common + _paths("accounts:password_change")):
                return self.get_response(request)
            if request.path.startswith("/api/"):
                return _api_error("password_change_required", "请先修改初始密码", 403)
            return redirect("accounts:password_change")
        if settings.REQUIRE_TOTP_FOR_ADMINS and user.role == Role.ADMIN and not user.totp_enabled:
            if request.path.startswith(common + _paths("accounts:totp_setup", "accounts:password_change")):
                return self.get_response(request)
            if request.path.startswith("/api/"):
                return _api_error("totp_required", "系统管理员须先启用双因素认证", 403)
            return redirect("accounts:totp_setup")
        return self.get_response(request)
