from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from .models import ApiToken, User
from .roles import Role


def users_for_admin(admin) -> QuerySet[User]:
    if admin.role != Role.ADMIN or admin.region_id is None:
        return User.objects.none()
    return User.objects.filter(region__code__startswith=admin.region.prefix).select_related("region")


def user_get_for_admin(admin, pk) -> User:
    """A user account inside the administrator's region, else 404."""
    user = users_for_admin(admin).filter(pk=pk).first()
    if user is None:
        raise Http404
    return user


def token_get_for_user(user, pk) -> ApiToken:
    token = ApiToken.objects.filter(pk=pk, user=user).first()
    if token is None:
        raise Http404
    return token
