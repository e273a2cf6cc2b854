"""Relief and assistance (关怀救助): items (policy data), applications and their approval history,
payment batches with bank lines, and recoveries after a revocation.

Amounts are ``Decimal`` everywhere (two places, yuan). Bank account and ID numbers copied onto a payment
line are encrypted at rest like the archive's own, and masked on pages and in the API.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from guanhuai.families.models import Family, Member
from guanhuai.lib.fields import EncryptedTextField
from guanhuai.lib.masking import mask_bank_account, mask_id_number
from guanhuai.regions.models import Region

MONEY = {"max_digits": 12, "decimal_places": 2}
ZERO = Decimal("0.00")


class Rule(models.TextChoices):
    """Who qualifies: each item names one rule, implemented in ``eligibility.py``."""

    INSURANCE = "insurance", "特别扶助家庭(独生子女死亡、伤残),不含手术并发症"
    EMERGENCY_COMFORT = "emergency_comfort", "当年新发生独生子女死亡、持光荣证的家庭"
    REPRODUCTION = "reproduction", "独生子女死亡、持光荣证、需实施再生育辅助技术的夫妻"
    SPECIAL_ASSISTANCE = "special_assistance", "独生子女死亡、伤残家庭,母亲年满规定年龄"
    PENSION = "pension", "已享受特别扶助的家庭成员"
    HARDSHIP = "hardship", "遇意外、大病、大灾等困难的计划生育家庭"


class Basis(models.TextChoices):
    FIXED = "fixed", "定额"
    MONTHLY_PER_PERSON = "monthly_person", "每人每月标准"
    YEARLY_PER_PERSON = "yearly_person", "每人每年标准"


class Frequency(models.TextChoices):
    ONCE_PER_EVENT = "once_event", "每次事件一次"
    ONCE_PER_FAMILY = "once_family", "每户一次"
    MONTHLY = "monthly", "按月"
    YEARLY = "yearly", "每年一次"


class Payee(models.TextChoices):
    HOUSEHOLD = "household", "打卡到户"
    INSURER = "insurer", "县统一投保"
    PENSION_FUND = "pension_fund", "县财政代缴社保"


class Document(models.TextChoices):
    ID_CARD = "id_card", "本人及配偶身份证"
    HOUSEHOLD_REGISTER = "hukou", "户口簿"
    CERTIFICATE = "certificate", "独生子女父母光荣证"
    DEATH_OR_DISABILITY = "death_disability", "子女死亡证明或残疾证"
    BANK_CARD = "bank_card", "银行卡(一卡通)"
    MEDICAL_RECORDS = "medical", "病历"
    INCOME_PROOF = "income", "家庭收入证明"
    MEETING_MINUTES = "minutes", "村民组座谈会记录"
    ACCIDENT_DEATH = "accident", "意外死亡证明"
    WRITTEN_APPLICATION = "application", "书面申请"
    OTHER = "other", "其他材料"


class ReliefItem(models.Model):
    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("项目名称", max_length=40)
    rule = models.CharField("资格条件", max_length=30, choices=Rule.choices)
    rule_note = models.CharField("条件说明", max_length=300, blank=True)
    basis = models.CharField("金额方式", max_length=20, choices=Basis.choices, default=Basis.FIXED)
    amount = models.DecimalField("金额/标准(元)", **MONEY)
    amount_disabled = models.DecimalField("伤残家庭标准(元)", null=True, blank=True, **MONEY)
    cover = models.DecimalField("保额(元)", null=True, blank=True, **MONEY)
    frequency = models.CharField("频次", max_length=20, choices=Frequency.choices)
    payee = models.CharField("发放方式", max_length=20, choices=Payee.choices, default=Payee.HOUSEHOLD)
    documents = models.JSONField("所需材料", default=list)
    notice_days = models.PositiveSmallIntegerField("公示天数", default=7)
    mother_min_age = models.PositiveSmallIntegerField("母亲最低年龄", null=True, blank=True)
    is_active = models.BooleanField("启用", default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "救助项目"
        verbose_name_plural = "救助项目"
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def document_labels(self) -> list[str]:
        labels = dict(Document.choices)
        return [labels.get(code, code) for code in self.documents]

    @property
    def amount_text(self) -> str:
        if self.basis == Basis.MONTHLY_PER_PERSON:
            text = f"每人每月 {self.amount} 元(独生子女死亡家庭)"
            if self.amount_disabled is not None:
                text += f"、{self.amount_disabled} 元(伤残家庭)"
            return text
        if self.basis == Basis.YEARLY_PER_PERSON:
            return f"每人每年 {self.amount} 元"
        if self.cover is not None:
            return f"保费 {self.amount} 元/份,保额 {self.cover} 元"
        return f"{self.amount} 元"


class State(models.TextChoices):
    VILLAGE = "village", "待村(居)调查"
    TOWNSHIP = "township", "待乡镇审查"
    COUNTY = "county", "待县审核认定"
    NOTICE = "notice", "公示中"
    APPROVED = "approved", "已认定待发放"
    PAID = "paid", "已发放"
    RETURNED = "returned", "退回补正"
    REJECTED = "rejected", "不予认定"
    REVOKED = "revoked", "已撤销资格"


OPEN_STATES = [State.VILLAGE, State.TOWNSHIP, State.COUNTY, State.NOTICE, State.RETURNED]


class Application(models.Model):
    item = models.ForeignKey(ReliefItem, verbose_name="救助项目", on_delete=models.PROTECT, related_name="applications")
    family = models.ForeignKey(Family, verbose_name="家庭", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, verbose_name="村(居)", db_column="region_code", on_delete=models.PROTECT,
                               related_name="+")
    member = models.ForeignKey(Member, verbose_name="涉及成员", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    event_date = models.DateField("事件日期", null=True, blank=True)
    # What makes two applications "the same": one per family and key unless refused (see the constraint).
    event_key = models.CharField("事件标识", max_length=60)
    reason = models.TextField("申请理由")
    written = models.BooleanField("据书面申请录入", default=False)
    applied_on = models.DateField("申请日期")
    amount = models.DecimalField("核定金额(元)", **MONEY)
    persons = models.PositiveSmallIntegerField("享受人数", default=1)
    eligibility_note = models.TextField("资格审核说明", blank=True)
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.VILLAGE, db_index=True)
    # Bumped by every transition: a form carries the version it was drawn from, so a stale click is refused.
    version = models.PositiveIntegerField(default=1)
    notice_start = models.DateField("公示开始", null=True, blank=True)
    notice_end = models.DateField("公示截止", null=True, blank=True)
    approved_on = models.DateField("认定日期", null=True, blank=True)
    revoked_on = models.DateField("撤销日期", null=True, blank=True)
    revoke_reason = models.CharField("撤销原因", max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "救助申请"
        verbose_name_plural = "救助申请"
        ordering = ["-applied_on", "-id"]
        indexes = [
            models.Index(fields=["region"], name="relief_app_region_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["item", "state"], name="relief_app_item_state"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["item", "family", "event_key"], condition=~models.Q(state="rejected"),
                                    name="relief_app_once_per_event"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="relief_app_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.family.head_name}家 · {self.item.name}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class Step(models.Model):
    """One entry of an application's history: who did what at which step, with their opinion."""

    class Action(models.TextChoices):
        APPLY = "apply", "提出申请"
        APPROVE = "approve", "同意"
        RETURN = "return", "退回"
        REJECT = "reject", "不予认定"
        RESUBMIT = "resubmit", "补正后重新提交"
        NOTICE_CLOSE = "notice_close", "公示期满"
        OBJECTION = "objection", "登记异议"
        OBJECTION_RESOLVED = "objection_resolved", "处理异议"
        REVOKE = "revoke", "撤销资格"
        PAID = "paid", "发放到户"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField("操作", max_length=20, choices=Action.choices)
    from_state = models.CharField("原状态", max_length=12, choices=State.choices, blank=True)
    to_state = models.CharField("新状态", max_length=12, choices=State.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField("经办人", max_length=60, blank=True)
    acted_at = models.DateTimeField("时间")
    findings = models.TextField("调查情况", blank=True)
    opinion = models.TextField("意见", blank=True)
    signatory_1 = models.CharField("计生专干签字", max_length=60, blank=True)
    signatory_2 = models.CharField("村(居)委会主任签字", max_length=60, blank=True)

    class Meta:
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"
        ordering = ["application_id", "acted_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} → {self.get_to_state_display()}"


class Attachment(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField("材料类别", max_length=20, choices=Document.choices)
    file = models.FileField("文件", upload_to="relief/%Y/%m/")
    content_type = models.CharField(max_length=40)
    original_name = models.CharField("原文件名", max_length=120, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "申请材料"
        verbose_name_plural = "申请材料"
        ordering = ["application_id", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.original_name}"

    @property
    def region_id(self) -> str:
        return self.application.region_id


class Objection(models.Model):
    """An objection raised during the public notice (公示); it must be resolved before approval."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="objections")
    raised_on = models.DateField("提出日期")
    raised_by = models.CharField("提出人", max_length=60, blank=True)
    content = models.TextField("异议内容")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    upheld = models.BooleanField("异议成立", null=True, blank=True)
    resolution = models.TextField("处理结果", blank=True)
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        verbose_name = "公示异议"
        verbose_name_plural = "公示异议"
        ordering = ["application_id", "id"]

    def __str__(self) -> str:
        return f"异议 {self.pk}"

    @property
    def region_id(self) -> str:
        return self.application.region_id


class Batch(models.Model):
    class BatchState(models.TextChoices):
        DRAFT = "draft", "待导出"
        EXPORTED = "exported", "已导出待回盘"
        RECONCILED = "reconciled", "已对账"

    region = models.ForeignKey(Region, verbose_name="县(市、区)", db_column="region_code", on_delete=models.PROTECT,
                               related_name="+")
    period = models.DateField("发放月份")  # first day of the month
    title = models.CharField("批次名称", max_length=100)
    state = models.CharField("状态", max_length=12, choices=BatchState.choices, default=BatchState.DRAFT)
    line_count = models.PositiveIntegerField("笔数", default=0)
    total = models.DecimalField("合计金额(元)", default=ZERO, **MONEY)
    # The bank file password is shown once at export; only its hash is kept, to check a later claim.
    password_hash = models.CharField(max_length=200, blank=True)
    bank_file = models.BinaryField("银行文件(已加密)", null=True, blank=True, editable=False)
    exported_at = models.DateTimeField("导出时间", null=True, blank=True)
    exported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reconciled_at = models.DateTimeField("对账时间", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "发放批次"
        verbose_name_plural = "发放批次"
        ordering = ["-period", "-id"]
        indexes = [models.Index(fields=["region", "period"], name="relief_batch_region_period")]

    def __str__(self) -> str:
        return self.title


class Line(models.Model):
    class LineState(models.TextChoices):
        PENDING = "pending", "待发放"
        PAID = "paid", "已到账"
        FAILED = "failed", "发放失败"

    class Kind(models.TextChoices):
        ONE_OFF = "one_off", "一次性"
        MONTHLY = "monthly", "按月特扶"

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="lines")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="lines")
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, db_column="region_code", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    period = models.DateField("所属月份", null=True, blank=True)
    payee_name = models.CharField("户名", max_length=60)
    id_number = EncryptedTextField("身份证号", blank=True)
    bank_name = models.CharField("开户银行", max_length=60, blank=True)
    bank_account = EncryptedTextField("银行账号", blank=True)
    amount = models.DecimalField("金额(元)", **MONEY)
    state = models.CharField("状态", max_length=10, choices=LineState.choices, default=LineState.PENDING)
    bank_reason = models.CharField("银行回盘说明", max_length=200, blank=True)
    settled_on = models.DateField("回盘日期", null=True, blank=True)
    retry_of = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="retry")
    # One live line per (application, member, month): a failed line frees the key for its retry.
    pay_key = models.CharField(max_length=60)

    class Meta:
        verbose_name = "发放明细"
        verbose_name_plural = "发放明细"
        ordering = ["batch_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["pay_key"], condition=~models.Q(state="failed"), name="relief_line_once"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="relief_line_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.payee_name} {self.amount}"

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def bank_account_masked(self) -> str:
        return mask_bank_account(self.bank_account)


class Recovery(models.Model):
    """Money to be recovered after eligibility was revoked (弄虚作假或不符合条件)."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="recovery")
    region = models.ForeignKey(Region, db_column="region_code", on_delete=models.PROTECT, related_name="+")
    amount_due = models.DecimalField("应追回(元)", **MONEY)
    opened_on = models.DateField("立案日期")
    settled_on = models.DateField("追回完毕日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "追回"
        verbose_name_plural = "追回"
        ordering = ["-opened_on", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount_due__gt=0), name="relief_recovery_positive")]

    def __str__(self) -> str:
        return f"追回 {self.application}"

    @property
    def is_settled(self) -> bool:
        return self.settled_on is not None


class Repayment(models.Model):
    recovery = models.ForeignKey(Recovery, on_delete=models.CASCADE, related_name="repayments")
    amount = models.DecimalField("金额(元)", **MONEY)
    paid_on = models.DateField("退回日期")
    note = models.CharField("说明", max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "退款"
        verbose_name_plural = "退款"
        ordering = ["recovery_id", "paid_on", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="relief_repayment_positive")]

    def __str__(self) -> str:
        return f"退回 {self.amount}"
