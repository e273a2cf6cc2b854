"""``manage.py import_contacts FILE [--commit] [--user USERNAME] [--region CODE]``

Imports a contact roster (名册): each row a family (by a member's ID number)
with its first and second contact. A dry run unless ``--commit``: every bad
row is printed with its row number and reason, nothing is written. Writing
needs ``--user``, a township or county officer, whose jurisdiction bounds the
import and who is recorded in the audit trail; a dry run without a user
checks against the whole database (or ``--region``).
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from guanhuai.accounts.models import User
from guanhuai.accounts.roles import has_perm
from guanhuai.families.import_jobs import command_row_messages
from guanhuai.lib.excel import SheetError
from guanhuai.regions.models import Region

from ...importing import roster_analyse, roster_write


class Command(BaseCommand):
    help = "导入双岗联系人名册(xlsx/csv):默认只检查不写入,加 --commit 写入(须同时指定 --user)"

    def add_arguments(self, parser):
        parser.add_argument("file", help="名册文件(.xlsx 或 .csv)")
        parser.add_argument("--commit", action="store_true", help="检查通过的行写入数据库(一个事务)")
        parser.add_argument("--user", help="以该用户的身份和辖区导入(乡镇或县级干部的用户名)")
        parser.add_argument("--region", help="只检查该区划内的家庭(12 位区划代码;不指定用户时使用)")

    def handle(self, *args, file: str, commit: bool, user: str | None, region: str | None, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在:{file}")
        data = path.read_bytes()
        acting_user = None
        prefix = ""
        if user:
            acting_user = User.objects.select_related("region").filter(username=user).first()
            if acting_user is None:
                raise CommandError(f"用户不存在:{user}")
            if not has_perm(acting_user, "contacts.manage") or acting_user.region_id is None:
                raise CommandError(f"用户 {user} 无权维护联系人名册(须为乡镇或县级干部)")
            prefix = acting_user.region.prefix
        if region:
            scope = Region.objects.filter(code=region).first()
            if scope is None:
                raise CommandError(f"区划代码不存在:{region}")
            if acting_user is not None and not scope.code.startswith(prefix):
                raise CommandError(f"区划 {region} 不在用户 {user} 的辖区内")
            if acting_user is not None and commit and scope.prefix != prefix:
                raise CommandError("写入时以用户的辖区为范围,请不要同时指定 --region")
            prefix = scope.prefix
        if commit and acting_user is None:
            raise CommandError("写入须指定 --user(用于核对权限和记录审计日志)")
        try:
            analysis = roster_analyse(data, path.name, prefix=prefix, on_progress=self._progress)
        except SheetError as exc:
            raise CommandError(f"无法读取文件:{exc}") from None
        for row in analysis.rows:
            command_row_messages(self.stdout, row.row, row.errors, row.warnings)
        self.stdout.write(analysis.message())
        if not commit:
            self.stdout.write("试运行,未写入任何数据;确认无误后加 --commit --user 用户名 写入。")
            return
        try:
            analysis, result = roster_write(acting_user=acting_user, data=data, filename=path.name)
        except (SheetError, ValidationError) as exc:
            text = str(exc) if isinstance(exc, SheetError) else ";".join(exc.messages)
            raise CommandError(f"写入失败:{text}") from None
        self.stdout.write(self.style.SUCCESS(
            f"已写入 {result.families} 户的联系人({result.assignments} 个岗位),新登记联系人 {result.contacts_created} 名"))

    def _progress(self, value: int, note: str) -> None:
        self.stderr.write(f"{value:3d}% {note}")
