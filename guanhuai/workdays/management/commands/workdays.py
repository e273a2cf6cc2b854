"""Working-day arithmetic for scripts: ``python manage.py workdays add YYYY-MM-DD N``."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from guanhuai.workdays.calendar import add_working_days


class Command(BaseCommand):
    help = "工作日计算:workdays add YYYY-MM-DD N 输出该日期之后第 N 个法定工作日"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="输出给定日期之后第 N 个法定工作日")
        add.add_argument("date")
        add.add_argument("n", type=int)

    def handle(self, *args, **options):
        try:
            start = dt.date.fromisoformat(options["date"])
        except ValueError:
            raise CommandError("日期格式应为 YYYY-MM-DD")
        if options["n"] < 0:
            raise CommandError("N 必须 ≥ 0")
        deadline = add_working_days(start, options["n"])
        self.stdout.write(deadline.date.isoformat())
        if deadline.provisional:
            self.stderr.write("注意:涉及尚未公布官方日历的年份,已按周一至周五推算(暂定)")
