"""`manage.py import_visits FILE [--commit] [--user USERNAME]`."""

import pytest
from django.core.management import CommandError, call_command

from guanhuai.visits.models import Visit

from .import_files import HEADER, row, xlsx


@pytest.fixture
def sheet(tmp_path, family):
    father = family.members.get(role="father").id_number
    path = tmp_path / "走访.xlsx"
    path.write_bytes(xlsx([HEADER, row(1, father, "2024-03-05", notes="上门"), row(2, father, "2024-13-40")]))
    return path


def _run(*args):
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("import_visits", *[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue()


def test_without_commit_it_only_checks(sheet, county_officer):
    out = _run(sheet, "--user", county_officer.username)
    assert "第 3 行 错误:走访日期无法识别" in out and "未写入" in out
    assert not Visit.objects.exists()


def test_commit_writes_the_valid_rows_and_a_second_run_writes_nothing(sheet, county_officer):
    out = _run(sheet, "--commit", "--user", county_officer.username)
    assert "已写入 1 条走访记录" in out
    visit = Visit.objects.get()
    assert visit.recorded_by == county_officer and visit.is_backfill
    with pytest.raises(CommandError, match="没有可写入的有效行"):
        _run(sheet, "--commit", "--user", county_officer.username)
    assert Visit.objects.count() == 1


def test_without_a_user_the_system_imports(sheet, regions):
    _run(sheet, "--commit")
    assert Visit.objects.get().recorded_by is None


def test_a_user_without_the_right_is_refused(sheet, village_contact, city_officer):
    for user in (village_contact, city_officer):
        with pytest.raises(CommandError, match="没有导入走访记录的权限"):
            _run(sheet, "--commit", "--user", user.username)
    assert not Visit.objects.exists()


def test_a_user_outside_the_region_is_refused(sheet, outsider):
    with pytest.raises(CommandError, match="无权导入"):
        _run(sheet, "--user", outsider.username, "--region", "510104000000")


def test_a_missing_or_unreadable_file_fails(tmp_path, county_officer):
    with pytest.raises(CommandError, match="文件不存在"):
        _run(tmp_path / "nope.xlsx", "--user", county_officer.username)
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04garbage")
    with pytest.raises(CommandError, match="无法读取文件"):
        _run(bad, "--user", county_officer.username)
