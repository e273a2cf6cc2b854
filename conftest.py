"""Named personas and a small synthetic region tree, reused by every test.

Tree (synthetic names):
  51 演示省 → 5101 演示市 → 510104 东城县 → 510104001 东城镇 → 村 001, 002
                                         → 510104002 西山乡 → 村 001
                        → 510105 南河县 → 510105001 南河镇 → 村 001
"""

from __future__ import annotations

import datetime as dt
import io
import itertools

import pytest
from django.test import Client

from guanhuai.accounts.models import User
from guanhuai.accounts.roles import Role
from guanhuai.families.models import Category, Family, Member
from guanhuai.families.services import family_create
from guanhuai.lib.idnumber import make_id_number
from guanhuai.regions.codes import level_of
from guanhuai.regions.models import Region

PASSWORD = "Persona#2026"

TREE = [
    ("510000000000", "演示省"),
    ("510100000000", "演示市"),
    ("510104000000", "东城县"),
    ("510104001000", "东城镇"),
    ("510104001001", "桃园村"),
    ("510104001002", "李庄村"),
    ("510104002000", "西山乡"),
    ("510104002001", "石桥村"),
    ("510105000000", "南河县"),
    ("510105001000", "南河镇"),
    ("510105001001", "柳树村"),
]


@pytest.fixture
def regions(db):
    from guanhuai.regions.codes import parent_code_of

    for code, name in TREE:
        Region.objects.create(code=code, name=name, level=level_of(code), parent_id=parent_code_of(code))
    return {code: Region.objects.get(code=code) for code, _ in TREE}


def _user(username, role, region_code, **extra):
    user = User(username=username, full_name=username, role=role, region_id=region_code, **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def village_contact(regions):
    return _user("village_contact", Role.VILLAGE, "510104001001")


@pytest.fixture
def township_officer(regions):
    return _user("township_officer", Role.TOWNSHIP, "510104001000")


@pytest.fixture
def other_township_officer(regions):
    """A township officer of a neighbouring township in the same county."""
    return _user("other_township_officer", Role.TOWNSHIP, "510104002000")


@pytest.fixture
def county_officer(regions):
    return _user("county_officer", Role.COUNTY, "510104000000")


@pytest.fixture
def outsider(regions):
    """A county officer of another county: sees none of 东城县's families."""
    return _user("outsider", Role.COUNTY, "510105000000")


@pytest.fixture
def city_officer(regions):
    return _user("city_officer", Role.CITY, "510100000000")


@pytest.fixture
def province_officer(regions):
    return _user("province_officer", Role.PROVINCE, "510000000000")


@pytest.fixture
def association_worker(regions):
    return _user("association_worker", Role.ASSOCIATION, "510104000000")


@pytest.fixture
def auditor(regions):
    return _user("auditor", Role.AUDITOR, "510104000000")


@pytest.fixture
def admin_user(regions):
    return _user("admin", Role.ADMIN, "510000000000")


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def as_user():
    return login


_seq = itertools.count(1)


def family_data(**overrides):
    data = {
        "head_name": "张建国",
        "category": Category.CHILD_DECEASED,
        "registered_on": dt.date(2020, 3, 1),
        "address": "桃园村3组12号",
    }
    data.update(overrides)
    return data


def member_data(role="father", *, sex="M", birth=dt.date(1962, 5, 17), name="张建国", area="510104", phone=""):
    number = make_id_number(area, birth, next(_seq) * 2 + (1 if sex == "M" else 0), sex)
    return {"role": role, "name": name, "sex": sex, "id_number": number, "birth_date": birth, "phone": phone}


def county_maker(region_code: str) -> User:
    """A county officer for whichever county the family is in (creates families in tests)."""
    county = region_code[:6] + "000000"
    user = User.objects.filter(username=f"maker_{county[:6]}").first()
    return user or _user(f"maker_{county[:6]}", Role.COUNTY, county)


@pytest.fixture
def make_family(regions):
    """Create a family through the service (so it is audited like real data)."""

    def make(region_code="510104001001", *, members=None, **fields) -> Family:
        members = members or [
            member_data("father", name="张建国"),
            member_data("mother", sex="F", birth=dt.date(1964, 8, 2), name="李秀英", phone="13812345678"),
        ]
        return family_create(acting_user=county_maker(region_code), region=Region.objects.get(code=region_code),
                             data=family_data(**fields), members=members)

    return make


@pytest.fixture
def family(make_family) -> Family:
    return make_family()


@pytest.fixture
def member(family) -> Member:
    return family.members.get(role="father")


@pytest.fixture(autouse=True)
def _fresh_workday_cache():
    """The working-day calendar and the policy profiles are cached per process; tests change both freely
    (and roll the rows back). Clearing also restarts each cache's 5-second re-check timer, so a test that
    counts statements does not see the occasional re-check read."""
    from guanhuai.compliance import profiles
    from guanhuai.workdays.calendar import clear_cache

    clear_cache()
    profiles.clear_cache()
    yield
    clear_cache()
    profiles.clear_cache()


def pdf_text(pdf: bytes) -> str:
    """The text of a PDF, each page ended by a form feed (as pdftotext prints it), read with pypdf."""
    from pypdf import PdfReader

    return "".join(page.extract_text() + "\f" for page in PdfReader(io.BytesIO(pdf)).pages)
