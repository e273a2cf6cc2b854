"""Run the daily reminder job now (the huey consumer runs it every morning at 06:00)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from guanhuai.compliance.reminders import reminders_send


class Command(BaseCommand):
    help = "立即执行每日走访提醒(刷新义务状态,给有逾期或即将到期家庭的联系人发送站内信/邮件/短信)"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按该日计算(YYYY-MM-DD),默认今天")

    def handle(self, *args, **options):
        try:
            day = dt.date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError:
            raise CommandError("日期格式应为 YYYY-MM-DD")
        sent = reminders_send(day=day)
        self.stdout.write(self.style.SUCCESS(f"已发送 {sent} 条提醒"))
