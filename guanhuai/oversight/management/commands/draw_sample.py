"""Print the 1% sample survey's stratified draw for a region, without recording anything:
``python manage.py draw_sample --region CODE --share 0.01 --seed N --json``.

The same region, share, seed and register time always give the same families; a survey planned in
the system (``survey_plan``) uses this very draw, so the command can check a recorded survey from a
script (``--as-of`` = the survey's register time).
"""

import datetime as dt
import json
from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from guanhuai.oversight.selectors_survey import draw_stratified, drawn_families_masked
from guanhuai.regions.codes import CodeError, level_of
from guanhuai.regions.models import Region


class Command(BaseCommand):
    help = "按县分层、按户数比例抽取省级 1% 抽样调查的样本并输出(不保存);--json 输出抽中家庭(脱敏)"

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True, help="12 位区划代码(省、市或县)")
        parser.add_argument("--share", default="0.01", help="抽样比例,默认 0.01")
        parser.add_argument("--seed", required=True, type=int, help="随机种子(非负整数)")
        parser.add_argument("--as-of", help="名册时点(ISO 时间),默认现在")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args, **options):
        code = options["region"]
        try:
            level_of(code)
        except CodeError as exc:
            raise CommandError(str(exc)) from None
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise CommandError(f"区划 {code} 不存在")
        try:
            share = Decimal(options["share"])
        except InvalidOperation:
            raise CommandError("抽样比例应为小数,例如 0.01") from None
        if not (Decimal(0) < share <= Decimal(1)):
            raise CommandError("抽样比例须大于 0 且不超过 1")
        if options["seed"] < 0:
            raise CommandError("随机种子须为非负整数")
        as_of = timezone.now()
        if options["as_of"]:
            try:
                as_of = dt.datetime.fromisoformat(options["as_of"])
            except ValueError:
                raise CommandError("名册时点格式应为 ISO 时间,例如 2026-03-01T09:00:00+08:00") from None
            if timezone.is_naive(as_of):
                as_of = timezone.make_aware(as_of)
        draw = draw_stratified(region, share, options["seed"], as_of)
        families = drawn_families_masked(draw.drawn)
        names = dict(Region.objects.filter(code__in=[c + "000000" for c in draw.strata]).values_list("code", "name"))
        payload = {
            "region": code, "seed": options["seed"], "share": str(share), "register_as_of": as_of.isoformat(),
            "population": draw.population, "sample_size": len(draw.drawn),
            "strata": [{"county": c + "000000", "name": names.get(c + "000000", ""), **s}
                       for c, s in draw.strata.items()],
            "families": families,
        }
        if options["json"]:
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        self.stdout.write(f"{region.name}({code}):名册 {draw.population} 户,抽取 {len(draw.drawn)} 户"
                          f"(比例 {share},种子 {options['seed']})")
        for s in payload["strata"]:
            self.stdout.write(f"  {s['name'] or s['county']}:{s['population']} 户中抽 {s['size']} 户")
        for f in families:
            self.stdout.write(f"  {f['family_id']}\t{f['village_name']}\t{f['head_name']}\t{f['id_number_masked']}")
