"""Printable forms: the 申报表 as PDF (表五 for 紧急慰藉, 表七 for the other items) and the rosters
表六 / 表八 as xlsx, filled from the data. ID numbers print in full on the 申报表 (it is the signed
paper file); the rosters, which travel by e-mail, carry them masked.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from guanhuai.families.models import MemberRole
from guanhuai.lib.excel import SheetSpec, write_xlsx
from guanhuai.lib.masking import mask_id_number
from guanhuai.lib.pdf import register_font

from .models import Application, Rule, State, Step

FORM_TITLES = {Rule.EMERGENCY_COMFORT: ("表五", "特殊救助申报表(紧急慰藉)")}
DEFAULT_TITLE = ("表七", "救助计划生育困难家庭申报表")
ROSTERS = {"table6": ("表六", "特殊救助花名册", [Rule.EMERGENCY_COMFORT, Rule.REPRODUCTION]),
           "table8": ("表八", "救助计划生育困难家庭花名册", [Rule.HARDSHIP, Rule.SPECIAL_ASSISTANCE,
                                                           Rule.INSURANCE, Rule.PENSION])}


def form_title(app: Application) -> tuple[str, str]:
    return FORM_TITLES.get(app.item.rule, DEFAULT_TITLE)


def _step_of(app: Application, from_state: str) -> Step | None:
    return (app.steps.filter(from_state=from_state, action=Step.Action.APPROVE).order_by("-acted_at", "-id")
            .first())


def application_pdf(app: Application) -> bytes:
    font = register_font()
    number, title = form_title(app)
    base = ParagraphStyle("base", fontName=font, fontSize=10.5, leading=15)
    head = ParagraphStyle("head", parent=base, fontSize=16, leading=22, alignment=1)
    small = ParagraphStyle("small", parent=base, fontSize=9, leading=12)

    def p(text) -> Paragraph:
        return Paragraph(str(text or "").replace("\n", "<br/>"), base)

    family = app.family
    members = list(family.members.all())
    father = next((m for m in members if m.role == MemberRole.FATHER), None)
    mother = next((m for m in members if m.role == MemberRole.MOTHER), None)
    child = app.member or next((m for m in members if m.role == MemberRole.CHILD), None)
    place = f"{app.region.parent.name if app.region.parent_id else ''} {app.region.name}"

    def person(m):
        return [p(m.name if m else ""), p(f"{m.birth_date:%Y-%m-%d}" if m else ""), p(m.id_number if m else "")]

    def opinion(step: Step | None, signers: str) -> Paragraph:
        if step is None:
            return p(f"<br/><br/>{signers}:            (盖章)      年   月   日")
        names = "、".join(n for n in (step.signatory_1, step.signatory_2) if n) or step.actor_name
        text = f"{step.findings}<br/>" if step.findings else ""
        return p(f"{text}意见:{step.opinion}<br/>{signers}:{names}  {timezone.localtime(step.acted_at):%Y年%m月%d日}")

    rows = [
        [p("申请项目"), p(app.item.name), p("申请金额"), p(f"{app.amount} 元" + (f" × {app.persons} 人"
                                                                              if app.persons > 1 else ""))],
        [p("户主"), p(family.head_name), p("家庭类别"), p(family.get_category_display())],
        [p("村(居)"), p(place), p("光荣证号"), p(family.certificate_no)],
        [p("住址"), p(family.address), p("申请日期"), p(f"{app.applied_on:%Y-%m-%d}")],
        [p("父亲"), *person(father)],
        [p("母亲"), *person(mother)],
        [p("子女"), *person(child)],
        [p("事件日期"), p(f"{app.event_date:%Y-%m-%d}" if app.event_date else "—"), p("开户行/账号"),
         p(f"{family.bank_name} {family.bank_account}")],
        [p("申请理由"), p(app.reason), "", ""],
        [p("资格审核"), p(app.eligibility_note), "", ""],
        [p("村(居)委会调查意见"), opinion(_step_of(app, State.VILLAGE), "计生专干、村(居)委会主任"), "", ""],
        [p("乡镇审查意见"), opinion(_step_of(app, State.TOWNSHIP), "经办人"), "", ""],
        [p("县审核认定意见"), opinion(_step_of(app, State.COUNTY), "经办人"), "", ""],
        [p("公示"), p(f"{app.notice_start:%Y-%m-%d} 至 {app.notice_end:%Y-%m-%d}" if app.notice_start else ""), "", ""],
    ]
    table = Table(rows, colWidths=[30 * mm, 55 * mm, 30 * mm, 55 * mm])
    spans = [("SPAN", (1, i), (3, i)) for i in range(8, len(rows))]
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.6, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                               ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f2f2f2")), *spans]))
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
                            bottomMargin=18 * mm, title=f"{number} {title} · {family.head_name}",
                            author="关怀 · 计生特殊家庭扶助关怀信息系统")
    story = [Paragraph(f"{number}", small), Paragraph(title, head), Spacer(1, 3 * mm),
             Paragraph(f"申请编号:{app.pk}    状态:{app.get_state_display()}", small), Spacer(1, 2 * mm), table,
             Spacer(1, 3 * mm), Paragraph("附:身份证、户口簿、光荣证、死亡证明或残疾证、银行卡复印件;特困救助另附病历、"
                                          "收入证明、村民组座谈会记录。", small)]
    doc.build(story)
    return buffer.getvalue()


ROSTER_HEADERS = ["序号", "申请编号", "乡镇", "村(居)", "户主", "父亲", "母亲", "子女", "身份证号(母亲)",
                  "救助项目", "事件日期", "金额(元)", "申请日期", "状态"]


def roster_xlsx(key: str, apps: Iterable[Application]) -> bytes:
    number, title, _ = ROSTERS[key]
    rows = []
    for index, app in enumerate(apps, start=1):
        members = {m.role: m for m in app.family.members.all()}
        mother = members.get(MemberRole.MOTHER)
        rows.append([index, app.pk, app.region.parent.name if app.region.parent_id else "", app.region.name,
                     app.family.head_name, getattr(members.get(MemberRole.FATHER), "name", ""),
                     getattr(mother, "name", ""), getattr(app.member or members.get(MemberRole.CHILD), "name", ""),
                     mask_id_number(mother.id_number) if mother else "", app.item.name,
                     app.event_date.isoformat() if app.event_date else "", app.amount, app.applied_on.isoformat(),
                     app.get_state_display()])
    return write_xlsx([SheetSpec(title=f"{number}{title}", headers=ROSTER_HEADERS, rows=rows,
                                 caption=f"{number} {title}", text_columns=(8,))])
