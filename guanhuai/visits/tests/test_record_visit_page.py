"""The mobile record form: family preselected, today prefilled, back to where the user came from."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from conftest import login, member_data
from guanhuai.audit.models import AuditEvent
from guanhuai.compliance.models import ObligationState
from guanhuai.visits.models import Visit, VisitPhoto

from .conftest import days_ago, png

URL = reverse("visits:record")


def _post(client, family, **data):
    payload = {"family": family.pk, "visit_date": timezone.localdate().isoformat(), "channel": "home"}
    payload.update(data)
    return client.post(URL, payload)


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_form_preselects_the_family_and_prefills_today(family, village_contact, village_card):
    response = login(village_contact).get(f"{URL}?family={family.pk}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "张建国家" in html and f'name="family" value="{family.pk}"' in html
    assert f'value="{timezone.localdate().isoformat()}"' in html
    for label in ("电话", "网络", "面谈", "上门走访", "节日慰问", "紧急上门"):
        assert f">{label}</label>" in html
    assert 'class="btn-check"' in html
    assert f'<option value="{village_card.pk}" selected>' in html  # the cadre's own card is the default


def test_a_routine_visit_is_saved_and_the_user_goes_back_where_they_came_from(family, village_contact, village_card):
    client = login(village_contact)
    came_from = reverse("compliance:mine")
    page = client.get(f"{URL}?family={family.pk}", HTTP_REFERER=f"http://testserver{came_from}")
    assert f'name="next" value="http://testserver{came_from}"' in page.content.decode()
    response = _post(client, family, channel="home", health_observed="chronic", mental_observed="low",
                     needs_raised="希望协调门诊慢特病报销", contact=village_card.pk,
                     next=f"http://testserver{came_from}")
    assert response.status_code == 302 and response["Location"].endswith(came_from)
    visit = Visit.objects.get()
    assert (visit.family, visit.channel, visit.visit_date) == (family, "home", timezone.localdate())
    assert visit.contact == village_card and visit.recorded_by == village_contact
    assert visit.needs_raised == "希望协调门诊慢特病报销" and visit.mental_observed == "low"
    assert not visit.is_late
    assert ObligationState.objects.filter(family=family, key="weekly_contact", base_status="met").exists()
    assert AuditEvent.objects.filter(action="visit.recorded", object_id=str(visit.pk)).exists()
    assert any("按时录入" in m for m in _messages(response))


def test_without_a_next_page_it_returns_to_the_family(family, village_contact):
    response = _post(login(village_contact), family)
    assert response.status_code == 302 and response["Location"] == reverse("families:detail", args=[family.pk])


def test_an_outside_next_url_is_ignored(family, village_contact):
    response = _post(login(village_contact), family, next="https://evil.example/phish")
    assert response["Location"] == reverse("families:detail", args=[family.pk])


def test_a_late_entry_is_saved_and_the_message_says_it_is_late(family, village_contact):
    response = _post(login(village_contact), family, visit_date=days_ago(30).isoformat(), channel="phone")
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert visit.is_late
    assert any("迟报" in m and f"{visit.entry_deadline:%Y-%m-%d}" in m for m in _messages(response))


def test_a_future_date_is_refused_with_the_chinese_message(family, village_contact):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = _post(login(village_contact), family, visit_date=tomorrow.isoformat())
    assert response.status_code == 200
    assert "走访日期不能晚于今天" in response.content.decode()
    assert not Visit.objects.exists()


def test_a_date_before_registration_is_refused_with_the_chinese_message(family, village_contact):
    response = _post(login(village_contact), family, visit_date="2019-12-31")
    assert response.status_code == 200
    assert "走访日期早于该家庭纳入登记的日期(2020-03-01)" in response.content.decode()
    assert not Visit.objects.exists()


def test_a_missing_channel_is_refused(family, village_contact):
    response = _post(login(village_contact), family, channel="")
    assert response.status_code == 200 and "请选择联系方式" in response.content.decode()
    assert not Visit.objects.exists()


def test_a_follow_up_and_photos_are_saved_with_the_visit(family, village_contact):
    due = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    response = _post(login(village_contact), family, follow_up="协调办理低保", follow_up_due=due, referred_to="civil",
                     referral_note="转民政办", photos=[png(), png("b.jpg", b"\xff\xd8\xff\xe0" + b"0" * 40)])
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert visit.follow_up == "协调办理低保" and visit.follow_up_due.isoformat() == due
    assert visit.referred_to == "civil"
    assert sorted(visit.photos.values_list("content_type", flat=True)) == ["image/jpeg", "image/png"]


def test_a_photo_that_is_not_jpeg_or_png_refuses_the_whole_visit(family, village_contact):
    response = _post(login(village_contact), family, photos=[png("x.gif", b"GIF89a" + b"0" * 30, "image/gif")])
    assert response.status_code == 200
    assert "照片只支持 JPEG 或 PNG 格式" in response.content.decode()
    assert not Visit.objects.exists() and not VisitPhoto.objects.exists()


def test_without_a_family_the_picker_lists_only_families_in_jurisdiction(make_family, village_contact):
    mine = make_family("510104001001", head_name="王秀兰")
    make_family("510104001002", head_name="赵其他", members=[member_data(name="赵其他")])
    response = login(village_contact).get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "王秀兰家" in html and "赵其他家" not in html
    assert f"?family={mine.pk}" in html


def test_the_picker_searches_by_name(make_family, township_officer):
    make_family("510104001001", head_name="王秀兰")
    make_family("510104001002", head_name="赵德胜", members=[member_data(name="赵德胜")])
    html = login(township_officer).get(reverse("visits:pick"), {"q": "德胜"}).content.decode()
    assert "赵德胜家" in html and "王秀兰家" not in html


@pytest.mark.parametrize("persona", ["city_officer", "auditor"])
def test_readers_cannot_open_or_post_the_form(family, persona, request):
    client = login(request.getfixturevalue(persona))
    assert client.get(f"{URL}?family={family.pk}").status_code == 404
    assert _post(client, family).status_code == 404
    assert not Visit.objects.exists()


def test_a_family_of_another_county_is_404(family, outsider):
    client = login(outsider)
    assert client.get(f"{URL}?family={family.pk}").status_code == 404
    assert _post(client, family).status_code == 404
    assert not Visit.objects.exists()


def test_anonymous_users_are_sent_to_login(family, client):
    for response in (client.get(f"{URL}?family={family.pk}"), _post(client, family)):
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    assert not Visit.objects.exists()
