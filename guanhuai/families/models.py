"""The special-family archive (信息档案): families and their members."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from guanhuai.lib.fields import EncryptedTextField
from guanhuai.lib.masking import mask_bank_account, mask_id_number, mask_phone
from guanhuai.regions.models import Region


class Category(models.TextChoices):
    CHILD_DECEASED = "deceased", "独生子女死亡"
    CHILD_DISABLED = "disabled", "独生子女伤残"
    COMPLICATION = "complication", "计划生育手术并发症"


class Status(models.TextChoices):
    ACTIVE = "active", "在册"
    EXITED = "exited", "退出"


class ExitReason(models.TextChoices):
    PARENTS_DECEASED = "parents_deceased", "父母均已亡故"
    MOVED_AWAY = "moved_away", "迁出本地"
    REBIRTH_OR_ADOPTION = "rebirth", "再生育或收养"
    NOT_ELIGIBLE = "not_eligible", "不再符合条件"
    OTHER = "other", "其他"


class Health(models.TextChoices):
    GOOD = "good", "良好"
    CHRONIC = "chronic", "慢性病"
    SERIOUS = "serious", "重病"
    DISABLED = "disabled", "残疾"
    BEDRIDDEN = "bedridden", "失能卧床"


class Mental(models.TextChoices):
    STABLE = "stable", "稳定"
    LOW = "low", "情绪低落"
    DEPRESSED = "depressed", "抑郁倾向"
    CRISIS = "crisis", "心理危机"


class Living(models.TextChoices):
    ALONE = "alone", "独居"
    WITH_SPOUSE = "with_spouse", "与配偶同住"
    INSTITUTION = "institution", "养老机构"
    OTHER = "other", "其他"


class Income(models.TextChoices):
    DIBAO = "dibao", "低保"
    LOW = "low", "低收入"
    MIDDLE = "middle", "一般"
    GOOD = "good", "较好"


class Housing(models.TextChoices):
    OWN = "own", "自有住房"
    RENTED = "rented", "租住"
    LIVING_WITH_RELATIVES = "relatives", "借住亲友"
    INSTITUTION = "institution", "养老机构"
    OTHER = "other", "其他"


class Pension(models.TextChoices):
    EMPLOYEE = "employee", "城镇职工养老保险"
    RESIDENT = "resident", "城乡居民养老保险"
    NONE = "none", "未参保"


class Medical(models.TextChoices):
    EMPLOYEE = "employee", "职工医保"
    RESIDENT = "resident", "城乡居民医保"
    NONE = "none", "未参保"


NEEDS = [
    ("need_daily_care", "生活照料"),
    ("need_pension", "养老保障"),
    ("need_medical", "大病治疗"),
    ("need_comfort", "精神慰藉"),
    ("need_economic", "经济困难"),
    ("need_other", "其他"),
]


class RiskFlag(models.TextChoices):
    PETITION = "petition", "信访倾向"
    ALONE_ELDERLY = "alone_elderly", "独居高龄"
    MENTAL_CRISIS = "mental_crisis", "心理危机"
    SERIOUS_ILLNESS = "serious_illness", "重病"
    HARDSHIP = "hardship", "生活困难"


class Family(models.Model):
    region = models.ForeignKey(
        Region, verbose_name="村(居)", db_column="region_code", on_delete=models.PROTECT, related_name="families"
    )
    head_name = models.CharField("户主姓名", max_length=60, db_index=True)
    address = models.CharField("住址", max_length=200, blank=True)
    category = models.CharField("家庭类别", max_length=20, choices=Category.choices)
    disability_grade = models.PositiveSmallIntegerField(
        "伤残等级", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    certificate_no = models.CharField("光荣证号", max_length=40, blank=True)
    registered_on = models.DateField("纳入登记日期")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    exit_reason = models.CharField("退出原因", max_length=20, choices=ExitReason.choices, blank=True)
    exit_date = models.DateField("退出日期", null=True, blank=True)
    exit_note = models.CharField("退出说明", max_length=200, blank=True)
    health = models.CharField("身体状况", max_length=20, choices=Health.choices, default=Health.GOOD)
    mental = models.CharField("精神状态", max_length=20, choices=Mental.choices, default=Mental.STABLE)
    living = models.CharField("居住情况", max_length=20, choices=Living.choices, default=Living.WITH_SPOUSE)
    income = models.CharField("收入水平", max_length=20, choices=Income.choices, default=Income.MIDDLE)
    housing = models.CharField("住房情况", max_length=20, choices=Housing.choices, default=Housing.OWN)
    pension = models.CharField("养老保险", max_length=20, choices=Pension.choices, default=Pension.RESIDENT)
    medical = models.CharField("医疗保险", max_length=20, choices=Medical.choices, default=Medical.RESIDENT)
    need_daily_care = models.BooleanField("生活照料", default=False)
    need_pension = models.BooleanField("养老保障", default=False)
    need_medical = models.BooleanField("大病治疗", default=False)
    need_comfort = models.BooleanField("精神慰藉", default=False)
    need_economic = models.BooleanField("经济困难", default=False)
    need_other = models.BooleanField("其他诉求", default=False)
    needs_note = models.CharField("诉求说明", max_length=500, blank=True)
    risk_flags = models.JSONField("风险标记", default=list, blank=True)
    bank_name = models.CharField("开户银行", max_length=60, blank=True)
    account_holder = models.CharField("账户户名", max_length=60, blank=True)
    bank_account = EncryptedTextField("银行账号", blank=True)
    bank_account_bidx = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    created_at = models.DateTimeField("建档时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "特殊家庭"
        verbose_name_plural = "特殊家庭"
        ordering = ["region_id", "id"]
        indexes = [
            models.Index(fields=["region", "status"], name="family_region_status"),
            models.Index(fields=["region"], name="family_region_prefix", opclasses=["varchar_pattern_ops"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(category="disabled") | models.Q(disability_grade__gte=1, disability_grade__lte=4),
                name="family_disabled_has_grade",
            ),
            models.CheckConstraint(
                condition=models.Q(status="active") | (~models.Q(exit_reason="") & models.Q(exit_date__isnull=False)),
                name="family_exit_has_reason_and_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.head_name}家({self.get_category_display()})"

    @property
    def region_code(self) -> str:
        return self.region_id

    @property
    def needs_labels(self) -> list[str]:
        return [label for name, label in NEEDS if getattr(self, name)]

    @property
    def risk_labels(self) -> list[str]:
        labels = dict(RiskFlag.choices)
        return [labels.get(code, code) for code in self.risk_flags or []]

    @property
    def bank_account_masked(self) -> str:
        return mask_bank_account(self.bank_account)


class MemberRole(models.TextChoices):
    FATHER = "father", "父亲"
    MOTHER = "mother", "母亲"
    CHILD = "child", "独生子女"
    OTHER = "other", "其他"


class Sex(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class Hukou(models.TextChoices):
    RURAL = "rural", "农业户口"
    URBAN = "urban", "非农业户口"
    RESIDENT = "resident", "居民户口"


class Marital(models.TextChoices):
    MARRIED = "married", "已婚"
    WIDOWED = "widowed", "丧偶"
    DIVORCED = "divorced", "离异"
    REMARRIED = "remarried", "再婚"
    SINGLE = "single", "未婚"


class Member(models.Model):
    family = models.ForeignKey(Family, verbose_name="家庭", on_delete=models.CASCADE, related_name="members")
    role = models.CharField("家庭角色", max_length=10, choices=MemberRole.choices)
    name = models.CharField("姓名", max_length=60, db_index=True)
    sex = models.CharField("性别", max_length=1, choices=Sex.choices)
    id_number = EncryptedTextField("身份证号", blank=True)
    id_number_bidx = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    birth_date = models.DateField("出生日期")
    is_alive = models.BooleanField("健在", default=True)
    death_date = models.DateField("死亡日期", null=True, blank=True)
    phone = EncryptedTextField("联系电话", blank=True)
    phone_bidx = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    hukou = models.CharField("户口性质", max_length=10, choices=Hukou.choices, blank=True)
    marital = models.CharField("婚姻状况", max_length=10, choices=Marital.choices, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "家庭成员"
        verbose_name_plural = "家庭成员"
        ordering = ["family_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_alive=True) | models.Q(death_date__isnull=False),
                name="member_deceased_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}({self.get_role_display()})"

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def region_id(self) -> str:
        return self.family.region_id


class ImportJob(models.Model):
    """A spreadsheet upload: checked first (dry run), written only on confirmation.

    The uploaded bytes are kept until the job is committed or discarded so the
    commit writes exactly what the user saw in the dry-run report.
    """

    class State(models.TextChoices):
        UPLOADED = "uploaded", "已上传"
        CHECKING = "checking", "检查中"
        CHECKED = "checked", "检查完成"
        FAILED = "failed", "无法读取"
        COMMITTING = "committing", "写入中"
        COMMITTED = "committed", "已写入"
        DISCARDED = "discarded", "已放弃"

    kind = models.CharField("类型", max_length=20, default="families")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, verbose_name="导入到", db_column="region_code", on_delete=models.PROTECT,
                               related_name="+")
    filename = models.CharField("文件名", max_length=200)
    data = models.BinaryField("文件内容", editable=False)
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.UPLOADED)
    progress = models.PositiveSmallIntegerField("进度", default=0)
    total_rows = models.PositiveIntegerField("总行数", default=0)
    valid_rows = models.PositiveIntegerField("有效行数", default=0)
    error_rows = models.PositiveIntegerField("错误行数", default=0)
    warning_rows = models.PositiveIntegerField("警告行数", default=0)
    committed_rows = models.PositiveIntegerField("已写入行数", default=0)
    message = models.TextField("说明", blank=True)
    report = models.JSONField("检查报告", default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    committed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "导入任务"
        verbose_name_plural = "导入任务"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"导入 {self.filename}"
