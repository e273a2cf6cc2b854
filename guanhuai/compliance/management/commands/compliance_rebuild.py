"""Recompute every family's obligation state, the village summaries, the township visit counters and the
answers of open major events from the visit history."""

import time

from django.core.management.base import BaseCommand
from django.db import transaction

from guanhuai.compliance.state import rebuild


class Command(BaseCommand):
    help = ("根据全部走访记录重新计算每户的联系走访义务状态、村级汇总、乡镇月度走访计数和未办结重大事件的上门日期"
            "(结果应与增量更新完全一致)")

    def add_arguments(self, parser):
        parser.add_argument("--region", default="", help="只重算该区划代码下的家庭")
        parser.add_argument("--batch-size", type=int, default=2000)

    def handle(self, *args, **options):
        prefix = ""
        if options["region"]:
            from guanhuai.regions.codes import prefix_of

            prefix = prefix_of(options["region"])
        started = time.monotonic()

        def progress(done, total):
            if options["verbosity"] >= 1:
                self.stdout.write(f"\r{done}/{total} 户", ending="")
                self.stdout.flush()

        count = rebuild(prefix=prefix, batch_size=options["batch_size"], progress=progress)
        from guanhuai.visits.services import events_reanswer

        with transaction.atomic():
            events = events_reanswer(prefix=prefix)
        if options["verbosity"] >= 1:
            self.stdout.write("")
            self.stdout.write(self.style.SUCCESS(f"已重算 {count} 户,用时 {time.monotonic() - started:.1f} 秒"))
            if events:
                self.stdout.write(f"已更正 {events} 起重大事件的上门日期")
