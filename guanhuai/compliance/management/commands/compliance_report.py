"""Compliance figures for scripts:
``python manage.py compliance_report --region CODE --date YYYY-MM-DD --json``."""

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from guanhuai.families.models import Family
from guanhuai.regions.codes import CodeError, prefix_of
from guanhuai.regions.models import Region


class Command(BaseCommand):
    help = "输出某区划在某日的联系走访合规率和逾期清单;--json 输出 {region, date, families, rates, overdue}"

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True, help="12 位区划代码")
        parser.add_argument("--date", help="YYYY-MM-DD,默认今天")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")
        parser.add_argument("--limit", type=int, default=1000, help="逾期清单最多条数")

    def handle(self, *args, **options):
        from guanhuai.compliance.selectors import RATE_LABELS, overdue_for_families, rates_for

        code = options["region"]
        try:
            prefix = prefix_of(code)
        except CodeError as exc:
            raise CommandError(str(exc))
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise CommandError(f"区划 {code} 不存在")
        try:
            day = dt.date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        except ValueError:
            raise CommandError("日期格式应为 YYYY-MM-DD")
        families = Family.objects.filter(region__code__startswith=prefix)
        report = rates_for(families, day)
        overdue = overdue_for_families(families, day, limit=options["limit"])
        payload = {
            "region": code,
            "date": day.isoformat(),
            "families": report.families,
            "rates": report.rates,
            # The documented keys, plus the responsible contacts (name and post, never the phone).
            "overdue": [{"family": r.family_id, "obligation": r.key, "due": r.due.isoformat() if r.due else None,
                         "contacts": r.contacts} for r in overdue],
        }
        if options["json"]:
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        self.stdout.write(f"{region.name}({code}) {day}:在册家庭 {report.families} 户")
        for key, label in RATE_LABELS.items():
            value = report.rates.get(key)
            self.stdout.write(f"  {label}:{'—' if value is None else f'{value:.1%}'}")
        self.stdout.write(f"  逾期事项 {len(overdue)} 条")
