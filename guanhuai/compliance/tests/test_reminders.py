import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail
from django.core.management import call_command

from guanhuai.contacts.services import assignment_set, contact_create
from guanhuai.inbox.models import Notification
from guanhuai.regions.models import Region


@pytest.fixture
def contact_with_late_family(make_family, county_officer, village_contact):
    village_contact.email = "cadre@example.test"
    village_contact.phone = "13900000099"
    village_contact.save(update_fields=["email", "phone"])
    contact = contact_create(acting_user=county_officer, region=Region.objects.get(code="510104001001"),
                             name="村干部乙", kind="village_cadre", phone="13900000004")
    contact.user = village_contact
    contact.save(update_fields=["user"])
    family = make_family(registered_on=dt.date(2024, 1, 1))
    assignment_set(acting_user=county_officer, family=family, slot="second", contact=contact,
                   start_date=dt.date(2024, 1, 1))
    return village_contact


def test_the_daily_job_sends_one_inbox_notice_and_an_email_per_contact(contact_with_late_family,
                                                                       django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders")
        call_command("send_reminders")  # same day again: nothing new
    notes = Notification.objects.filter(user=contact_with_late_family, kind="reminder")
    assert notes.count() == 1 and "逾期" in notes.get().title
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["cadre@example.test"]


def test_sms_goes_through_the_configured_webhook(contact_with_late_family, settings,
                                                django_capture_on_commit_callbacks):
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    settings.SMS_WEBHOOK_URL = f"http://127.0.0.1:{server.server_port}/sms"
    settings.REMINDER_SMS = True
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders")
    thread.join(timeout=5)
    server.server_close()
    assert received and received[0]["phone"] == "13900000099" and "走访提醒" in received[0]["text"]
    assert Notification.objects.get(kind="reminder").sms_sent_at is not None


def test_a_failing_webhook_keeps_the_inbox_notice_and_records_the_error(contact_with_late_family, settings,
                                                                       django_capture_on_commit_callbacks):
    settings.SMS_WEBHOOK_URL = "http://127.0.0.1:9/unreachable"
    settings.REMINDER_SMS = True
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders")
    note = Notification.objects.get(kind="reminder")
    assert note.sms_sent_at is None and "短信" in note.delivery_error


def test_contacts_with_nothing_urgent_get_nothing(county_officer, village_contact, regions):
    call_command("send_reminders")
    assert not Notification.objects.exists()
