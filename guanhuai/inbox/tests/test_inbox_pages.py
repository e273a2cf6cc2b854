"""The inbox page, opening and marking notifications read, and the navbar's unread badge."""

import pytest
from django.urls import reverse

from conftest import login
from guanhuai.inbox.models import Notification


@pytest.fixture
def notes(county_officer, township_officer):
    first = Notification.objects.create(user=county_officer, kind="event", title="张建国家发生重病,请于11月23日前上门",
                                        url="/families/1/")
    second = Notification.objects.create(user=county_officer, kind="reminder", title="3户本周尚未联系")
    other = Notification.objects.create(user=township_officer, kind="event", title="乡镇的通知")
    return first, second, other


def test_the_inbox_lists_only_the_users_own_notifications(notes, county_officer):
    html = login(county_officer).get(reverse("inbox:list")).content.decode()
    assert "张建国家发生重病" in html and "3户本周尚未联系" in html
    assert "乡镇的通知" not in html


def test_the_navbar_shows_the_unread_count_on_every_page(notes, county_officer):
    client = login(county_officer)
    for url in (reverse("web:home"), reverse("families:list"), reverse("inbox:list")):
        response = client.get(url)
        assert response.context["inbox_unread"] == 2
        assert 'title="未读通知">2</span>' in response.content.decode()


def test_opening_a_notification_marks_it_read_and_follows_its_link(notes, county_officer):
    first, second, _ = notes
    response = login(county_officer).get(reverse("inbox:open", args=[first.pk]))
    assert response.status_code == 302 and response["Location"] == "/families/1/"
    first.refresh_from_db(), second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None


def test_a_notification_without_link_opens_the_inbox(notes, county_officer):
    response = login(county_officer).get(reverse("inbox:open", args=[notes[1].pk]))
    assert response["Location"] == reverse("inbox:list")


def test_marking_one_and_then_all_read(notes, county_officer):
    first, second, other = notes
    client = login(county_officer)
    assert client.post(reverse("inbox:read", args=[second.pk])).status_code == 302
    second.refresh_from_db()
    assert second.read_at is not None
    client.post(reverse("inbox:read_all"))
    first.refresh_from_db(), other.refresh_from_db()
    assert first.read_at is not None and other.read_at is None
    html = client.get(reverse("inbox:list")).content.decode()
    assert 'title="未读通知"' not in html


def test_the_unread_filter(notes, county_officer):
    client = login(county_officer)
    client.post(reverse("inbox:read", args=[notes[0].pk]))
    page = client.get(reverse("inbox:list"), {"unread": "1"}).context["page"]
    assert [n.pk for n in page] == [notes[1].pk]


def test_another_users_notification_is_404(notes, county_officer):
    other = notes[2]
    client = login(county_officer)
    assert client.get(reverse("inbox:open", args=[other.pk])).status_code == 404
    assert client.post(reverse("inbox:read", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.read_at is None


def test_anonymous_users_are_sent_to_login(notes, client):
    for response in (client.get(reverse("inbox:list")), client.post(reverse("inbox:read_all")),
                     client.get(reverse("inbox:open", args=[notes[0].pk]))):
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_an_event_report_reaches_the_county_inbox_page(family, village_contact, county_officer):
    from django.utils import timezone

    from guanhuai.visits.services import event_report

    event_report(acting_user=village_contact, family=family, kind="death", event_date=timezone.localdate(),
                 description="老人去世")
    html = login(county_officer).get(reverse("inbox:list")).content.decode()
    assert "张建国家发生亡故" in html
