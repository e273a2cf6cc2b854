"""Load a year's official calendar: ``python manage.py workdays_load FILE``."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from guanhuai.workdays.services import calendar_load


class Command(BaseCommand):
    help = ("载入某年的官方放假与调休安排(CSV:日期,休/班,名称;或 JSON:"
            '{"year":2027,"holidays":{"2027-01-01":"元旦"},"workdays":{...}}),替换该年已有数据')

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--source", default="", help="来源说明,如 国办发明电〔2026〕X号")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"文件不存在:{path}")
        try:
            years = calendar_load(acting_user=None, data=path.read_bytes(), filename=path.name,
                                  source=options["source"])
        except ValidationError as exc:
            raise CommandError(";".join(exc.messages))
        except UnicodeDecodeError:
            raise CommandError("文件应为 UTF-8 编码")
        self.stdout.write(self.style.SUCCESS(f"已载入 {'、'.join(map(str, years))} 年的官方日历"))
