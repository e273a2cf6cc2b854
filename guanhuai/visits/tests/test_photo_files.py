"""Visit photos are personal data: their files live exactly as long as their rows. Deleting a visit deletes its
photos' files once the deletion is committed, and a write that fails leaves no file behind."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.utils import timezone

from guanhuai.visits.models import Visit, VisitPhoto
from guanhuai.visits.services import visit_add_photos, visit_delete, visit_record

from .conftest import JPEG, png


def _record(user, family, photos):
    return visit_record(acting_user=user, family=family, data={"visit_date": timezone.localdate(), "channel": "home"},
                        photos=photos)


def _files() -> set[str]:
    """Every stored file under visits/ (the photos' upload folder)."""
    found, folders = set(), ["visits"]
    while folders:
        folder = folders.pop()
        if not default_storage.exists(folder):
            continue
        subfolders, files = default_storage.listdir(folder)
        folders += [f"{folder}/{d}" for d in subfolders]
        found |= {f"{folder}/{f}" for f in files}
    return found


def test_deleting_a_visit_deletes_its_photo_files_after_the_commit(family, village_contact,
                                                                   django_capture_on_commit_callbacks):
    visit = _record(village_contact, family, [png(), png("b.jpg", JPEG, "image/jpeg")])
    names = set(VisitPhoto.objects.filter(visit=visit).values_list("image", flat=True))
    assert len(names) == 2 and names <= _files()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        visit_delete(acting_user=village_contact, visit=visit, reason="重复录入")
    assert names <= _files()  # nothing is removed before the deletion is committed
    for callback in callbacks:
        callback()
    assert not names & _files()
    assert not Visit.objects.filter(pk=visit.pk).exists() and not VisitPhoto.objects.exists()


def test_a_visit_refused_for_its_second_photo_leaves_no_file(family, village_contact):
    before = _files()
    with pytest.raises(ValidationError, match="JPEG 或 PNG"):
        _record(village_contact, family, [png(), png("x.gif", b"GIF89a" + b"0" * 30, "image/gif")])
    assert _files() == before
    assert not Visit.objects.exists() and not VisitPhoto.objects.exists()


def test_photos_added_later_are_removed_again_when_their_write_fails(family, village_contact, record, monkeypatch):
    visit = record(village_contact, family)
    before = _files()

    def audit_fails(**kwargs):
        raise RuntimeError("审计写入失败(测试)")

    monkeypatch.setattr("guanhuai.visits.services.audit_record", audit_fails)
    with pytest.raises(RuntimeError):
        visit_add_photos(acting_user=village_contact, visit=visit, photos=[png(), png("b.png")])
    assert _files() == before and not VisitPhoto.objects.exists()
