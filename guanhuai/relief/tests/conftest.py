import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conftest import member_data
from guanhuai.relief.models import ReliefItem
from guanhuai.relief.services import application_apply

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 32


def scan(name="scan.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def item(code: str) -> ReliefItem:
    return ReliefItem.objects.get(code=code)


def all_documents(code: str) -> list:
    return [(kind, scan()) for kind in item(code).documents]


@pytest.fixture
def today():
    return timezone.localdate()


def bereaved_members():
    today = timezone.localdate()
    death = today.replace(month=1, day=2) if today.month > 1 or today.day > 2 else today
    return [member_data("father", name="张建国", birth=dt.date(1968, 5, 17)),
            member_data("mother", sex="F", name="李秀英", birth=dt.date(1970, 8, 2)),
            {**member_data("child", name="张小明", birth=dt.date(1995, 3, 3)), "is_alive": False,
             "death_date": death}]


@pytest.fixture
def bereaved(make_family, today):
    """桃园村: the only child died this year; 光荣证 and bank card on file; mother born 1970."""
    return make_family(head_name="张建国", certificate_no="GR-2001-001", bank_name="农村信用社",
                       account_holder="李秀英", bank_account="6222021234567890123", members=bereaved_members())


@pytest.fixture
def comfort_app(bereaved, village_contact):
    return application_apply(acting_user=village_contact, family=bereaved, item=item("emergency-comfort"),
                             reason="独生子女因病去世", documents=all_documents("emergency-comfort"))
