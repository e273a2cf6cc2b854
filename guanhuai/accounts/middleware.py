"""Session idle timeout and the must-change-password / mandatory-TOTP gate."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from .roles import Role

LAST_SEEN_KEY = "last_seen"


class IdleTimeoutMiddleware:
    """End a session after SESSION_IDLE_MINUTES without a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last = request.session.get(LAST_SEEN_KEY)
            if last is not None and now - int(last) > settings.SESSION_IDLE_MINUTES * 60:
                logout(request)
                if request.path.startswith("/api/"):
                    from django.http import JsonResponse

                    return JsonResponse({"code": "session_expired", "message": "会话已超时,请重新登录", "fields": {}},
                                        status=401)
                messages.info(request, f"您已 {settings.SESSION_IDLE_MINUTES} 分钟未操作,请重新登录")
                return redirect(f"{reverse('accounts:login')}?next={request.path}")
            # Writing the session on every request would cost a write per page view.
            if last is None or now - int(last) >= 30:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


ALWAYS_ALLOWED = ("/accounts/", "/static/", "/healthz")


class ForcePasswordChangeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(ALWAYS_ALLOWED):
            if user.must_change_password:
                if request.path.startswith("/api/"):
                    from django.http import JsonResponse

                    return JsonResponse({"code": "password_change_required", "message": "请先修改初始密码",
                                         "fields": {}}, status=403)
                return redirect("accounts:password_change")
            if settings.REQUIRE_TOTP_FOR_ADMINS and user.role == Role.ADMIN and not user.totp_enabled:
                return redirect("accounts:totp_setup")
        return self.get_response(request)
