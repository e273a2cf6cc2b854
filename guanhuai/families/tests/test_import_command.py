"""``manage.py import_families``: a dry run by default, --commit writes, audited even without a user."""

import pytest
from django.core.management import CommandError, call_command

from conftest import member_data
from guanhuai.audit.models import AuditEvent
from guanhuai.families.models import Family, ImportJob

from .import_files import docx_bytes, family_row, roster


@pytest.fixture
def roster_file(tmp_path, regions):
    rows = [family_row(1), family_row(2, head="王伟", father=member_data("father", name="王伟")),
            family_row(3, father={"name": "张建国", "id_number": "110101196001010010"})]
    path = tmp_path / "花名册.xlsx"
    path.write_bytes(roster(rows))
    return path


def test_the_dry_run_prints_every_bad_row_and_writes_nothing(roster_file, capsys):
    call_command("import_families", str(roster_file), "--region", "510104000000")
    out = capsys.readouterr().out
    assert "第 5 行 错误:父亲:身份证号校验位错误" in out
    assert "可导入 2 户,有错误 1 行" in out and "未写入" in out
    assert not Family.objects.exists() and not ImportJob.objects.exists()
    assert not AuditEvent.objects.exists()


def test_commit_without_a_user_writes_and_audits_as_the_system(roster_file, capsys):
    call_command("import_families", str(roster_file), "--region", "510104000000", "--commit")
    assert "已写入 2 户、6 名成员" in capsys.readouterr().out
    assert Family.objects.count() == 2 and all(f.created_by is None for f in Family.objects.all())
    events = AuditEvent.objects.filter(action="family.imported")
    assert events.count() == 2 and {e.actor_username for e in events} == {"system"}
    call_command("import_families", str(roster_file), "--region", "510104000000")
    assert "可导入 0 户" in capsys.readouterr().out


def test_commit_as_a_named_user_records_that_user(roster_file, county_officer):
    call_command("import_families", str(roster_file), "--region", "510104000000", "--commit",
                 "--user", "county_officer")
    assert set(Family.objects.values_list("created_by", flat=True)) == {county_officer.pk}
    assert AuditEvent.objects.filter(action="family.imported", actor=county_officer).count() == 2


def test_a_user_without_the_right_to_that_region_is_refused(roster_file, outsider):
    with pytest.raises(CommandError, match="无权导入"):
        call_command("import_families", str(roster_file), "--region", "510104000000", "--user", "outsider")


def test_an_unreadable_file_exits_non_zero(tmp_path, regions):
    path = tmp_path / "花名册.xlsx"
    path.write_bytes(docx_bytes())
    with pytest.raises(CommandError, match="无法读取文件:不是有效的 Excel"):
        call_command("import_families", str(path), "--region", "510104000000")
    with pytest.raises(CommandError, match="文件不存在"):
        call_command("import_families", str(tmp_path / "none.xlsx"), "--region", "510104000000")
