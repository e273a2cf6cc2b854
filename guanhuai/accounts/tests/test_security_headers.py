"""Security headers, cookie flags and CSRF on the pages."""

from django.test import Client, override_settings
from django.urls import reverse

from conftest import PASSWORD

from .conftest import post_login

LOGIN = reverse("accounts:login")


def test_pages_send_the_security_headers(db):
    response = Client().get(LOGIN)
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_the_session_and_csrf_cookies_are_http_only(village_contact):
    client = Client()
    client.get(LOGIN)
    assert client.cookies["csrftoken"]["httponly"]
    response = post_login(client, village_contact.username)
    session = response.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"
    # No max-age: the cookie ends with the browser, the server ends it after 30 idle minutes.
    assert session["max-age"] == ""


def test_a_login_without_the_csrf_token_is_refused(village_contact):
    client = Client(enforce_csrf_checks=True)
    response = client.post(LOGIN, {"username": village_contact.username, "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_logout_needs_a_post(village_contact):
    client = Client()
    post_login(client, village_contact.username)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_login_does_not_redirect_to_another_site(village_contact):
    response = post_login(Client(), village_contact.username, next_url="https://evil.example/phish")
    assert response.status_code == 302 and response["Location"] == "/"
    response = post_login(Client(), village_contact.username, next_url="/families/")
    assert response["Location"] == "/families/"


PROD_HTTP = {"SECURE_HSTS_SECONDS": 31536000, "SECURE_HSTS_INCLUDE_SUBDOMAINS": True, "SECURE_SSL_REDIRECT": True,
             "SESSION_COOKIE_SECURE": True, "CSRF_COOKIE_SECURE": True,
             "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https")}


@override_settings(**PROD_HTTP)
def test_with_production_settings_plain_http_is_redirected_to_https(db):
    response = Client().get(LOGIN)
    assert response.status_code == 301 and response["Location"] == "https://testserver/accounts/login/"


@override_settings(**PROD_HTTP)
def test_with_production_settings_https_responses_carry_hsts_and_secure_cookies(village_contact):
    client = Client()
    page = client.get(LOGIN, secure=True)
    assert page["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert client.cookies["csrftoken"]["secure"]
    response = client.post(LOGIN, {"username": village_contact.username, "password": PASSWORD}, secure=True)
    assert response.cookies["sessionid"]["secure"]
