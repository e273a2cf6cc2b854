"""Per-user API tokens: shown once, stored hashed, Bearer auth, last use, revocation."""

import datetime as dt
import hashlib
import re

from django.db import connection
from django.test import Client
from django.urls import reverse

from conftest import login
from guanhuai.accounts.models import ApiToken
from guanhuai.accounts.services import api_token_create
from guanhuai.audit.models import AuditEvent

from .conftest import bearer, travel

PROFILE = reverse("accounts:profile")
ME = "/api/accounts/me"


def create_on_the_page(client) -> str:
    response = client.post(reverse("accounts:token_create"), {"name": "统计脚本"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    match = re.search(r'<code id="new-token"[^>]*>(gh_[\w-]+)</code>', response.content.decode())
    assert match, "the new token is shown on the page"
    return match.group(1)


def everything_stored() -> str:
    """Every text column of every table, to prove a secret is nowhere in the database."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            chunks.extend(str(row) for row in cursor.fetchall())
    return "\n".join(chunks)


def test_a_new_token_is_shown_once(county_officer):
    client = login(county_officer)
    raw = create_on_the_page(client)
    assert raw not in client.get(PROFILE).content.decode()
    token = ApiToken.objects.get(user=county_officer)
    assert token.name == "统计脚本" and raw.startswith(token.prefix)
    assert token.prefix in client.get(PROFILE).content.decode()


def test_only_the_hash_is_stored(county_officer):
    raw = create_on_the_page(login(county_officer))
    token = ApiToken.objects.get(user=county_officer)
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in everything_stored()


def test_creating_a_token_is_audited(county_officer):
    create_on_the_page(login(county_officer))
    event = AuditEvent.objects.get(action="api_token.created")
    assert event.actor_id == county_officer.pk and event.object_type == "apitoken"


def test_a_bearer_token_authenticates_api_calls(county_officer):
    raw = create_on_the_page(login(county_officer))
    response = Client().get(ME, headers=bearer(raw))
    assert response.status_code == 200
    assert response.json()["username"] == "county_officer" and response.json()["region_code"] == "510104000000"


def test_using_a_token_records_its_last_use(county_officer):
    _, raw = api_token_create(user=county_officer, name="脚本")
    assert ApiToken.objects.get().last_used_at is None
    Client().get(ME, headers=bearer(raw))
    first = ApiToken.objects.get().last_used_at
    assert first is not None
    # Within a minute the time is not rewritten (no write per request)...
    Client().get(ME, headers=bearer(raw))
    assert ApiToken.objects.get().last_used_at == first
    # ...after that it is.
    with travel(dt.timedelta(minutes=5)) as later:
        Client().get(ME, headers=bearer(raw))
    assert ApiToken.objects.get().last_used_at == later


def test_a_revoked_token_gets_401(county_officer):
    client = login(county_officer)
    raw = create_on_the_page(client)
    token = ApiToken.objects.get()
    response = client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    response = Client().get(ME, headers=bearer(raw))
    assert response.status_code == 401
    assert response.json() == {"code": "unauthenticated", "message": "请先登录或提供有效的 API 令牌", "fields": {}}
    assert AuditEvent.objects.filter(action="api_token.revoked", object_id=str(token.pk)).exists()


def test_a_token_can_be_made_and_revoked_through_the_api(county_officer):
    _, first = api_token_create(user=county_officer, name="第一个")
    response = Client().post("/api/accounts/tokens", {"name": "第二个"}, content_type="application/json",
                             headers=bearer(first))
    assert response.status_code == 201
    second = response.json()["token"]
    listed = Client().get("/api/accounts/tokens", headers=bearer(second)).json()
    assert {t["name"] for t in listed} == {"第一个", "第二个"}
    assert all("token" not in t for t in listed)
    pk = response.json()["id"]
    response = Client().post(f"/api/accounts/tokens/{pk}/revoke", headers=bearer(first))
    assert response.status_code == 200 and response.json()["revoked_at"] is not None
    assert Client().get(ME, headers=bearer(second)).status_code == 401
    assert Client().get(ME, headers=bearer(first)).status_code == 200


def test_another_users_token_cannot_be_revoked(county_officer, outsider):
    _, raw = api_token_create(user=county_officer, name="县里的")
    token = ApiToken.objects.get()
    assert login(outsider).post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404
    _, theirs = api_token_create(user=outsider, name="别人的")
    response = Client().post(f"/api/accounts/tokens/{token.pk}/revoke", headers=bearer(theirs))
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    token.refresh_from_db()
    assert token.revoked_at is None
    assert Client().get(ME, headers=bearer(raw)).status_code == 200


def test_a_made_up_token_gets_401(county_officer):
    api_token_create(user=county_officer, name="脚本")
    for raw in ["gh_" + "A" * 43, "not-a-token", ""]:
        assert Client().get(ME, headers=bearer(raw)).status_code == 401


def test_a_deactivated_users_token_stops_working(county_officer):
    _, raw = api_token_create(user=county_officer, name="脚本")
    county_officer.is_active = False
    county_officer.save(update_fields=["is_active"])
    assert Client().get(ME, headers=bearer(raw)).status_code == 401


def test_anonymous_callers_get_401(db):
    response = Client().get("/api/accounts/tokens")
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"


def test_a_session_post_without_csrf_token_is_refused(county_officer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(county_officer)
    response = client.post("/api/accounts/tokens", {"name": "x"}, content_type="application/json")
    assert response.status_code == 403
    assert response.json() == {"code": "csrf_failed", "message": "CSRF 校验失败,请刷新页面后重试", "fields": {}}
    assert not ApiToken.objects.exists()
