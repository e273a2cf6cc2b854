"""Import the division tree: ``python manage.py import_regions FILE``."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from guanhuai.lib.excel import SheetError
from guanhuai.regions.services import region_import


class Command(BaseCommand):
    help = "从 CSV 或 xlsx 导入行政区划(列:区划代码、名称[、服务热线]);校验代码格式和上级是否存在,列出被拒绝的每一行"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="只检查,不写入")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"文件不存在:{path}")
        try:
            report = region_import(acting_user=None, data=path.read_bytes(), filename=path.name,
                                   commit=not options["dry_run"])
        except SheetError as exc:
            raise CommandError(str(exc))
        for row, code, reason in report.rejected:
            self.stdout.write(f"第 {row} 行 {code}:{reason}")
        verb = "已导入" if report.committed else "检查完成(未写入)"
        self.stdout.write(self.style.SUCCESS(
            f"{verb}:新增 {report.created},更新 {report.updated},未变 {report.unchanged},拒绝 {len(report.rejected)}"))
