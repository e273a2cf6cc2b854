"""The standard annual statistics tables for scripts:
``python manage.py statistics_report --region CODE --year Y [--json]``."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from guanhuai.regions.codes import CodeError, level_of
from guanhuai.regions.models import Region
from guanhuai.reports.statistics import statistics_compute


class Command(BaseCommand):
    help = ("输出某区划某年度的标准统计表(按下级区划分行,含合计);"
            "--json 输出 {schema, region, year, as_of, computed_at, tables}")

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True, help="12 位区划代码")
        parser.add_argument("--year", type=int, help="统计年度,默认今年")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args, **options):
        code = options["region"]
        try:
            level_of(code)
        except CodeError as exc:
            raise CommandError(str(exc))
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise CommandError(f"区划 {code} 不存在")
        today = timezone.localdate()
        year = options["year"] or today.year
        if not 2000 <= year <= today.year:
            raise CommandError(f"统计年度须在 2000 至 {today.year} 年之间")
        snapshot = statistics_compute(region, year)
        if options["json"]:
            self.stdout.write(json.dumps(snapshot, ensure_ascii=False))
            return
        self.stdout.write(f"{region.name}({code}){year} 年度统计表,截至 {snapshot['as_of']}")
        for table in snapshot["tables"]:
            self.stdout.write(f"\n{table['title']}")
            labels = [c["label"] for c in table["columns"]]
            self.stdout.write("\t".join(["单位", *labels]))
            for row in table["rows"]:
                self.stdout.write("\t".join([row["name"], *map(str, row["values"])]))
            self.stdout.write("\t".join(["合计", *map(str, table["total"])]))
