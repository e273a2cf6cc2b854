"""``manage.py import_contacts``: a dry run by default; --commit needs a user and writes in one transaction."""

import pytest
from django.core.management import CommandError, call_command

from conftest import member_data
from guanhuai.audit.models import AuditEvent
from guanhuai.contacts.models import Assignment, ContactPerson
from guanhuai.families.models import ImportJob

from .roster_files import roster, row


@pytest.fixture
def roster_file(tmp_path, family):
    stranger = member_data(name="路人")["id_number"]
    path = tmp_path / "名册.xlsx"
    path.write_bytes(roster([row(1, family.members.get(role="father").id_number), row(2, stranger)]))
    return path


def test_the_dry_run_prints_every_bad_row_and_writes_nothing(roster_file, capsys):
    call_command("import_contacts", str(roster_file))
    out = capsys.readouterr().out
    assert "第 4 行 错误:身份证号" in out and "没有对应的家庭档案" in out
    assert "有效 1 行(需变更 1 户、2 个岗位" in out and "有错误 1 行" in out
    assert "试运行,未写入任何数据" in out
    assert not ContactPerson.objects.exists() and not ImportJob.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="contact").exists()


def test_commit_as_a_county_officer_writes_and_audits(roster_file, county_officer, capsys):
    call_command("import_contacts", str(roster_file), "--commit", "--user", "county_officer")
    assert "已写入 1 户的联系人(2 个岗位),新登记联系人 2 名" in capsys.readouterr().out
    assert Assignment.objects.filter(created_by=county_officer).count() == 2
    assert AuditEvent.objects.filter(action="contacts.roster_imported", actor=county_officer).exists()
    call_command("import_contacts", str(roster_file), "--user", "county_officer")
    assert "需变更 0 户" in capsys.readouterr().out


def test_commit_without_a_user_is_refused(roster_file):
    with pytest.raises(CommandError, match="写入须指定 --user"):
        call_command("import_contacts", str(roster_file), "--commit")
    assert not Assignment.objects.exists()


def test_a_user_who_may_not_manage_contacts_is_refused(roster_file, village_contact):
    with pytest.raises(CommandError, match="无权维护联系人名册"):
        call_command("import_contacts", str(roster_file), "--commit", "--user", "village_contact")


def test_an_outsider_sees_the_family_as_unknown(roster_file, outsider, capsys):
    call_command("import_contacts", str(roster_file), "--user", "outsider")
    out = capsys.readouterr().out
    assert "第 3 行 错误:身份证号" in out and "有效 0 行" in out


def test_an_unreadable_or_missing_file_exits_non_zero(tmp_path, regions):
    path = tmp_path / "名册.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(CommandError, match="无法读取文件:不是有效的 Excel"):
        call_command("import_contacts", str(path))
    with pytest.raises(CommandError, match="文件不存在"):
        call_command("import_contacts", str(tmp_path / "none.xlsx"))
