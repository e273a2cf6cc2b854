"""The demo shows an open confirmation of the demo county with some progress."""

from django.core.management import call_command

from guanhuai.accounts.models import User
from guanhuai.audit.models import AuditEvent
from guanhuai.confirmations.models import ConfirmationItem, ConfirmationWindow


def test_the_demo_has_an_open_window_with_progress(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", families=200)
    window = ConfirmationWindow.objects.get()
    assert window.state == "open" and window.region_id == User.objects.get(username="demo_county").region_id
    items = ConfirmationItem.objects.filter(window=window)
    done = items.exclude(outcome="").count()
    assert 0 < done < items.count()
    township = User.objects.get(username="demo_township").region
    own = items.filter(region__code__startswith=township.prefix)
    assert not own.exists() or own.filter(outcome="").exists()  # the demo township keeps a worklist
    assert AuditEvent.objects.filter(action="confirmation.recorded").count() == done
    call_command("seed_demo", families=200)  # a second run adds nothing
    assert ConfirmationWindow.objects.count() == 1 and items.exclude(outcome="").count() == done
