"""``manage.py seed_demo``: load the synthetic demo dataset and print the demo logins.

Idempotent: the demo is recognised by its province code (510000000000 示范省);
a second run writes nothing and only resets the demo logins (a demo built
before contacts and visits existed gets them on its next run). Refuses to
run unless DEBUG is on, so it can never touch a production database.
"""

from __future__ import annotations

import time
import unicodedata

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from guanhuai.web.demo import DEFAULT_FAMILIES, DEFAULT_SEED, DemoLogin, DemoRefused, demo_seed


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def logins_table(logins: list[DemoLogin]) -> str:
    header = ("用户名", "角色", "区划", "密码")
    rows = [header] + [(x.username, x.role, x.region, x.password) for x in logins]
    widths = [max(_width(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


class Command(BaseCommand):
    help = ("生成演示数据(示范省:2 市 4 县 40 乡镇 400 村,约 3000 户;双岗联系人、近一年走访记录、重大事件和合规状态),"
            "并打印各角色的演示账号。仅在 DEBUG 模式下运行。")

    def add_arguments(self, parser):
        parser.add_argument("--families", type=int, default=DEFAULT_FAMILIES, help="生成的家庭户数(默认 3000)")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="随机数种子(默认 2026,结果可复现)")

    def handle(self, *args, families: int, seed: int, **options):
        if not settings.DEBUG:
            raise CommandError("拒绝运行:演示数据只能在 DEBUG=true 的开发环境中生成,以免写入生产数据库。")
        if families < 1:
            raise CommandError("--families 至少为 1")
        started = time.monotonic()
        try:
            result = demo_seed(families=families, seed=seed, progress=self.stdout.write)
        except DemoRefused as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.monotonic() - started
        if result.regions:
            self.stdout.write(self.style.SUCCESS(
                f"演示数据已生成:{result.regions} 个区划,{result.families} 户家庭,{result.members} 名成员。"))
        if result.care is not None:
            care = result.care
            self.stdout.write(self.style.SUCCESS(
                f"联系走访数据已生成:{care.contacts} 名联系人,{care.assignments} 条分工,{care.visits} 条走访记录,"
                f"{care.events} 件重大事件;已重算 {care.families_rebuilt} 户的合规状态。"))
        if result.created:
            self.stdout.write(f"用时 {elapsed:.1f} 秒。")
        else:
            self.stdout.write(f"演示数据已存在({result.families} 户),未重复生成。")
        self.stdout.write("")
        self.stdout.write("演示账号(仅用于本机演示,数据均为虚构):")
        self.stdout.write(logins_table(result.logins))
        self.stdout.write("")
