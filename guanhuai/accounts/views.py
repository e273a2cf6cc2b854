"""Login (with lockout and optional TOTP), password, profile, tokens, users."""

from __future__ import annotations

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from guanhuai.audit.middleware import client_ip
from guanhuai.lib.formerrors import add_service_errors

from . import services
from .forms import LoginForm, PasswordChangeForm, TokenForm, TotpForm, UserCreateForm
from .middleware import mark_seen
from .models import User
from .roles import has_perm
from .selectors import token_get_for_user, user_get_for_admin, users_for_admin

PENDING_KEY = "pending_totp_user"
PENDING_AT_KEY = "pending_totp_at"
PENDING_NEXT_KEY = "pending_next"
# The password step is only good for a few minutes of typing in the second factor.
PENDING_SECONDS = 300


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return settings.LOGIN_REDIRECT_URL


def _finish_login(request, user: User, next_url: str):
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    mark_seen(request)
    services.login_succeeded(user=user)
    if user.must_change_password:
        messages.warning(request, "首次登录或密码已被重置,请先修改密码")
        return redirect("accounts:password_change")
    return redirect(next_url)


def _clear_pending(request) -> None:
    for key in (PENDING_KEY, PENDING_AT_KEY, PENDING_NEXT_KEY):
        request.session.pop(key, None)


def login_view(request):
    if request.user.is_authenticated:
        return redirect("web:home")
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.login_check_password(
                username=form.cleaned_data["username"], password=form.cleaned_data["password"], ip=client_ip(request)
            )
        except services.LoginRefused as exc:
            form.add_error(None, exc.message)
        else:
            if result.needs_totp:
                request.session[PENDING_KEY] = result.user.pk
                request.session[PENDING_AT_KEY] = int(timezone.now().timestamp())
                request.session[PENDING_NEXT_KEY] = _safe_next(request)
                return redirect("accounts:login_totp")
            return _finish_login(request, result.user, _safe_next(request))
    return render(request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")})


def login_totp(request):
    pk = request.session.get(PENDING_KEY)
    started = request.session.get(PENDING_AT_KEY) or 0
    user = User.objects.filter(pk=pk, is_active=True).first() if pk else None
    if user is None or timezone.now().timestamp() - started > PENDING_SECONDS:
        _clear_pending(request)
        if pk:
            messages.info(request, "验证超时,请重新登录")
        return redirect("accounts:login")
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ok = services.totp_verify(user=user, code=form.cleaned_data["code"], ip=client_ip(request))
        except services.LoginRefused as exc:
            _clear_pending(request)
            messages.error(request, exc.message)
            return redirect("accounts:login")
        if ok:
            next_url = request.session.get(PENDING_NEXT_KEY) or settings.LOGIN_REDIRECT_URL
            _clear_pending(request)
            return _finish_login(request, user, next_url)
        form.add_error("code", "验证码不正确")
    return render(request, "accounts/login_totp.html", {"form": form})


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, "您已安全退出")
    return redirect("accounts:login")


@login_required
def password_change(request):
    user = request.user
    forced = user.must_change_password
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                user=user,
                old_password=None if forced else form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            # Changing the password rotates the session hash (ending the user's other
            # sessions); keep this one signed in.
            update_session_auth_hash(request, user)
            messages.success(request, "密码已修改")
            return redirect("web:home")
    return render(request, "accounts/password_change.html", {"form": form, "forced": forced})


def _profile(request, *, new_token: str | None = None):
    tokens = request.user.api_tokens.all()
    response = render(request, "accounts/profile.html", {"tokens": tokens, "token_form": TokenForm(),
                                                         "new_token": new_token})
    if new_token:
        response["Cache-Control"] = "no-store"
    return response


@login_required
def profile(request):
    return _profile(request)


@login_required
def totp_setup(request):
    user = request.user
    if user.totp_enabled:
        # Never show an active secret again: whoever holds the session could clone the authenticator.
        return render(request, "accounts/totp_setup.html", {"enabled": True})
    if request.method == "POST":
        form = TotpForm(request.POST)
        if form.is_valid():
            try:
                services.totp_enable(user=user, code=form.cleaned_data["code"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "双因素认证已启用,以后登录需要输入验证器中的 6 位数字")
                return redirect("accounts:profile")
    else:
        form = TotpForm()
        services.totp_begin(user=user)
    uri = services.totp_provisioning_uri(user) if user.totp_secret else ""
    qr_svg = segno.make(uri, error="m").svg_inline(scale=4) if uri else ""
    response = render(request, "accounts/totp_setup.html",
                      {"form": form, "secret": user.totp_secret, "qr_svg": qr_svg, "enabled": False})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def totp_disable_view(request):
    try:
        services.totp_disable(acting_user=request.user, user=request.user)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, "双因素认证已关闭")
    return redirect("accounts:profile")


@login_required
@require_POST
def token_create(request):
    """Show the raw token in this response only: it is never stored, not even in the session."""
    form = TokenForm(request.POST)
    if form.is_valid():
        _, raw = services.api_token_create(user=request.user, name=form.cleaned_data["name"])
        messages.success(request, "令牌已创建。请立即复制保存,它只显示这一次。")
        return _profile(request, new_token=raw)
    messages.error(request, "请填写令牌名称")
    return redirect("accounts:profile")


@login_required
@require_POST
def token_revoke(request, pk):
    token = token_get_for_user(request.user, pk)
    services.api_token_revoke(user=request.user, token=token)
    messages.success(request, f"令牌 {token.name} 已撤销")
    return redirect("accounts:profile")


def _require_admin(request):
    if not has_perm(request.user, "users.manage"):
        raise Http404


@login_required
def user_list(request):
    _require_admin(request)
    users = users_for_admin(request.user).order_by("region_id", "username")
    q = request.GET.get("q", "").strip()
    if q:
        users = users.filter(username__icontains=q) | users.filter(full_name__icontains=q)
    return render(request, "accounts/user_list.html", {"users": users[:500], "q": q, "active_nav": "users",
                                                        "now": timezone.now()})


@login_required
def user_new(request):
    _require_admin(request)
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(acting_user=request.user, username=data["username"],
                                        full_name=data["full_name"], role=data["role"], region=data["region"],
                                        password=data["password"], phone=data["phone"], email=data["email"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已创建用户 {user.username},首次登录须修改密码")
            return redirect("accounts:user_detail", user.pk)
    return render(request, "accounts/user_new.html", {"form": form, "active_nav": "users"})


@login_required
def user_detail(request, pk):
    _require_admin(request)
    target = user_get_for_admin(request.user, pk)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "unlock":
                services.user_unlock(acting_user=request.user, user=target)
                messages.success(request, "账号已解锁")
            elif action == "reset_password":
                services.user_reset_password(acting_user=request.user, user=target,
                                             new_password=request.POST.get("password", ""))
                messages.success(request, "密码已重置,用户下次登录须修改密码")
            elif action in {"activate", "deactivate"}:
                services.user_set_active(acting_user=request.user, user=target, active=action == "activate")
                messages.success(request, "账号状态已更新")
            elif action == "disable_totp":
                services.totp_disable(acting_user=request.user, user=target)
                messages.success(request, "已关闭该用户的双因素认证")
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        return redirect("accounts:user_detail", target.pk)
    return render(request, "accounts/user_detail.html", {"target": target, "active_nav": "users"})
