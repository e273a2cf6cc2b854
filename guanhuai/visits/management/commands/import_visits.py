"""Import historical visit records from the command line.

    python manage.py import_visits FILE [--commit] [--user USERNAME] [--region CODE]

A dry run unless ``--commit``: every bad row is printed with its reason.
The scope is the user's region (or ``--region`` inside it); without
``--user`` the system is the actor and the scope is ``--region`` or, if not
given, every region.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from guanhuai.accounts.models import User
from guanhuai.accounts.roles import has_perm
from guanhuai.families.import_jobs import command_job_run, job_file_set
from guanhuai.families.models import ImportJob
from guanhuai.regions.models import Region
from guanhuai.visits.importing import import_check, import_commit
from guanhuai.visits.selectors import IMPORT_KIND


class Command(BaseCommand):
    help = ("从 Excel(.xlsx)或 CSV 导入历史走访记录(按家庭成员身份证号找到家庭)。默认只检查并列出每一行错误;"
            "加 --commit 才写入(全部有效行一个事务,并更新涉及家庭的联系考核)。同一文件重复导入不会重复写入。")

    def add_arguments(self, parser):
        parser.add_argument("file", help="走访记录文件路径(.xlsx 或 .csv)")
        parser.add_argument("--commit", action="store_true", help="检查后写入有效行(默认只检查)")
        parser.add_argument("--user", default="", help="以该用户的身份导入(须有记录走访和批量导入权限);默认为系统")
        parser.add_argument("--region", default="", help="导入范围的12位区划代码;默认为该用户的区划(无 --user 时默认全部区划)")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在:{path}")
        user = None
        if options["user"]:
            user = User.objects.select_related("region").filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"用户不存在:{options['user']}")
            if not (has_perm(user, "visit.record") and has_perm(user, "family.import")) or user.region_id is None:
                raise CommandError(f"用户 {user.username} 没有导入走访记录的权限")
        code = options["region"] or (user.region_id if user else "")
        region = Region.objects.filter(code=code).first() if code else None
        if code and region is None:
            raise CommandError(f"区划代码不存在:{code}")
        if user is not None and not region.code.startswith(user.region.prefix):
            raise CommandError(f"用户 {user.username} 无权导入到 {region.name}")
        job = ImportJob(kind=IMPORT_KIND, region=region, filename=path.name, created_by=user)
        job_file_set(job, path.read_bytes())
        command_job_run(self, job, acting_user=user, write=options["commit"], check=import_check, commit=import_commit)
