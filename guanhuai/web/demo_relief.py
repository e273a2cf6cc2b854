"""Relief in the demo: applications of the demo village's families at every step, a paid batch, a failed
line waiting to be re-batched, and a revoked hardship grant being recovered.

Written through the services (audited like real work) by the demo village, township and county logins,
so every step is done by its own level. A county that already has an application is left alone.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from guanhuai.families.models import Category, Family, Status
from guanhuai.relief import eligibility
from guanhuai.relief.models import Application, ReliefItem
from guanhuai.relief.payments import batch_create, batch_export, batch_reconcile
from guanhuai.relief.services import (
    application_apply,
    application_close_notice,
    application_decide,
    application_revoke,
    objection_record,
    repayment_record,
)

SCAN = b"%PDF-1.4\n% synthetic demo scan\n%%EOF\n"
STAGES = ["paid", "paid", "revoked", "village", "township", "county", "notice", "returned"]


def _docs(item: ReliefItem) -> list:
    return [(kind, SimpleUploadedFile(f"{kind}.pdf", SCAN, content_type="application/pdf")) for kind in item.documents]


def _advance(app: Application, users: dict, until: str, today: dt.date) -> Application:
    village = {"findings": "经入户调查,户籍、生育状况和家庭经济情况属实,无违法生育", "opinion": "情况属实,同意上报",
               "signatory_1": "周小梅", "signatory_2": "马建设"}
    if until == "returned":
        return application_decide(acting_user=users["village"], application=app, action="return",
                                  opinion="病历复印件不清晰,请补交原件复印件")
    if until == "village":
        return app
    app = application_decide(acting_user=users["village"], application=app, action="approve", **village)
    if until == "township":
        return app
    app = application_decide(acting_user=users["township"], application=app, action="approve",
                             opinion="材料齐全,审查无异议,同意报县审核")
    if until == "county":
        return app
    app = application_decide(acting_user=users["county"], application=app, action="approve",
                             opinion="经现场审核确认,符合条件,予以公示")
    if until == "notice":
        objection_record(acting_user=users["county"], application=app, raised_by="村民(匿名)",
                         content="反映该户家庭收入较高,请核实")
        return app
    # As if the notice had been posted days ago and ran its course without objection.
    start = today - dt.timedelta(days=app.item.notice_days + 1)
    Application.objects.filter(pk=app.pk).update(notice_start=start,
                                                 notice_end=start + dt.timedelta(days=app.item.notice_days))
    app.refresh_from_db()
    return application_close_notice(acting_user=users["county"], application=app, today=today)


def _return_file(lines, failed_pk: int | None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["明细编号", "金额(元)", "回盘结果", "失败原因"])
    for line in lines:
        failed = line.pk == failed_pk
        ws.append([line.pk, str(line.amount), "失败" if failed else "成功", "账户已冻结" if failed else ""])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def relief_seed(*, users: dict, today: dt.date) -> int:
    """``users``: the demo village, township and county logins. Returns how many applications were made."""
    county = users.get("county")
    if not all(users.get(k) for k in ("village", "township", "county")):
        return 0
    if Application.objects.filter(region__code__startswith=county.region.prefix).exists():
        return 0
    families = list(Family.objects.filter(region=users["village"].region, status=Status.ACTIVE)
                    .prefetch_related("members").order_by("pk"))
    with_card = [f for f in families if f.bank_account]
    hardship = ReliefItem.objects.get(code="hardship")
    special = ReliefItem.objects.get(code="special-assistance")
    made, paid_apps = 0, []
    # 特别扶助 for the first family that qualifies, approved this month: two monthly lines in the batch.
    for family in with_card:
        if family.category == Category.COMPLICATION:
            continue
        if not eligibility.check(special, family, today=today).eligible:
            continue
        app = application_apply(acting_user=users["village"], family=family, item=special, documents=_docs(special),
                                reason="独生子女死亡(伤残)家庭,女方已满49周岁,申请特别扶助", written=True)
        _advance(app, users, "approved", today)
        made += 1
        break
    used = {a.family_id for a in Application.objects.filter(region=users["village"].region)}
    pool = [f for f in with_card if f.pk not in used] + [f for f in families if not f.bank_account]
    for index, (family, stage) in enumerate(zip(pool, STAGES, strict=False)):
        event = today - dt.timedelta(days=20 + 9 * index)
        app = application_apply(acting_user=users["village"], family=family, item=hardship, event_date=event,
                                applied_on=event + dt.timedelta(days=3), documents=_docs(hardship),
                                reason=["户主突发脑溢血住院,医疗费用高", "房屋受暴雨损毁", "母亲意外摔伤致残",
                                        "父亲确诊重病,家庭收入中断"][index % 4])
        _advance(app, users, stage if stage in ("village", "township", "county", "notice", "returned")
                 else "approved", today)
        if stage in ("paid", "revoked"):
            paid_apps.append((app, stage))
        made += 1
    result = batch_create(acting_user=county, region=county.region, period=today.replace(day=1),
                          title=f"{county.region.name}{today:%Y年%m月}关怀救助发放")
    batch = result.batch
    batch_export(acting_user=county, batch=batch)
    lines = list(batch.lines.order_by("pk"))
    failed = next((line.pk for line in lines if line.kind == "one_off" and line.application_id == paid_apps[1][0].pk),
                  None) if len(paid_apps) > 2 else None
    batch_reconcile(acting_user=county, batch=batch, data=_return_file(lines, failed), filename="回盘.xlsx")
    for app, stage in paid_apps:
        if stage == "revoked":
            done = application_revoke(acting_user=county, application=Application.objects.get(pk=app.pk),
                                      reason="经核查,该户隐瞒家庭收入,不符合特困救助条件")
            recovery = getattr(done, "recovery", None)
            if recovery is not None:
                repayment_record(acting_user=county, recovery=recovery, amount=Decimal("2000.00"),
                                 note="首期退回")
    return made
