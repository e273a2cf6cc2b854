"""Import a family roster (表一) from the command line.

    python manage.py import_families FILE --region CODE [--commit] [--user USERNAME]

A dry run unless ``--commit``: every bad row is printed with its reason.
Without ``--user`` the system itself is the actor; the audit trail still
records every family written.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from guanhuai.accounts.models import User
from guanhuai.accounts.roles import has_perm
from guanhuai.families.importing import import_check, import_commit, job_file_set
from guanhuai.families.models import ImportJob
from guanhuai.regions.models import Region


class Command(BaseCommand):
    help = ("从 Excel(.xlsx)或 CSV 导入特殊家庭花名册(表一)。默认只检查并列出每一行错误;"
            "加 --commit 才写入(全部有效行一个事务)。无法读取文件时以非零状态退出。")

    def add_arguments(self, parser):
        parser.add_argument("file", help="花名册文件路径(.xlsx 或 .csv)")
        parser.add_argument("--region", required=True, help="导入范围的12位区划代码(表中的村须在其内)")
        parser.add_argument("--commit", action="store_true", help="检查后写入有效行(默认只检查)")
        parser.add_argument("--user", default="", help="以该用户的身份导入(须有批量导入权限);默认为系统")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在:{path}")
        region = Region.objects.filter(code=options["region"]).first()
        if region is None:
            raise CommandError(f"区划代码不存在:{options['region']}")
        user = None
        if options["user"]:
            user = User.objects.select_related("region").filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"用户不存在:{options['user']}")
            if not has_perm(user, "family.import") or not region.code.startswith(user.region.prefix):
                raise CommandError(f"用户 {user.username} 无权导入到 {region.name}")
        job = ImportJob(region=region, filename=path.name, created_by=user)
        job_file_set(job, path.read_bytes())
        progress = self._progress()
        import_check(job, on_progress=progress)
        if job.state == ImportJob.State.FAILED:
            raise CommandError(f"无法读取文件:{job.message}")
        for entry in job.report:
            for message in entry["errors"]:
                self.stdout.write(f"第 {entry['row']} 行 错误:{message}")
            for message in entry["warnings"]:
                self.stdout.write(f"第 {entry['row']} 行 提示:{message}")
        self.stdout.write(job.message)
        if not options["commit"]:
            self.stdout.write(self.style.WARNING("这是检查(未写入)。确认无误后加 --commit 写入有效行。"))
            return
        if job.valid_rows == 0:
            raise CommandError("没有可写入的有效行,未写入任何数据")
        checked_bad = {entry["row"] for entry in job.report if entry["errors"]}
        try:
            import_commit(job, user, on_progress=progress)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        for entry in job.report:
            if entry["errors"] and entry["row"] not in checked_bad:  # became a duplicate since the check
                self.stdout.write(f"第 {entry['row']} 行 写入时发现重复,未写入:{';'.join(entry['errors'])}")
        self.stdout.write(self.style.SUCCESS(job.message))

    def _progress(self):
        last = {"value": -1}

        def report(value: int, note: str) -> None:
            if value == last["value"]:
                return
            last["value"] = value
            self.stderr.write(f"  {value:3d}% {note}")

        return report
