"""Import a family roster (表一) from the command line.

    python manage.py import_families FILE --region CODE [--commit] [--user USERNAME]

A dry run unless ``--commit``: every bad row is printed with its reason.
Without ``--user`` the system itself is the actor; the audit trail still
records every family written.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from guanhuai.accounts.models import User
from guanhuai.accounts.roles import has_perm
from guanhuai.families.import_jobs import command_job_run, job_file_set
from guanhuai.families.importing import import_check, import_commit
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
        command_job_run(self, job, acting_user=user, write=options["commit"], check=import_check, commit=import_commit)
