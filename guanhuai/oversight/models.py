"""Spot checks (抽查) of the dual-contact system by a county.

A check draws its sample from a recorded seed over the county's register as
it stood when the check was planned, and stores the drawn list, so anyone can
re-run the draw later and see the same families (``spotcheck_verify``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from guanhuai.families.models import Family
from guanhuai.regions.models import Region
from guanhuai.visits.models import Visit


class SpotCheck(models.Model):
    class State(models.TextChoices):
        PLANNED = "planned", "进行中"
        COMPLETED = "completed", "已完成"

    region = models.ForeignKey(Region, verbose_name="县(市、区)", db_column="region_code", on_delete=models.PROTECT,
                               related_name="+")
    title = models.CharField("抽查名称", max_length=100)
    planned_on = models.DateField("计划日期")
    register_as_of = models.DateTimeField("名册时点")
    seed = models.BigIntegerField("随机种子")
    sample_size = models.PositiveIntegerField("抽取户数")
    sample_share = models.DecimalField("抽取比例", max_digits=5, decimal_places=4, null=True, blank=True)
    population = models.PositiveIntegerField("名册户数")
    drawn_ids = models.JSONField("抽中家庭(按抽取顺序)", default=list)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PLANNED)
    completed_on = models.DateField("完成日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "抽查"
        verbose_name_plural = "抽查"
        ordering = ["-planned_on", "-id"]
        indexes = [models.Index(fields=["region", "planned_on"], name="spotcheck_region_date")]

    def __str__(self) -> str:
        return f"{self.region.name}{self.title}"


class SpotCheckFamily(models.Model):
    """One sampled family and what the checker found."""

    spot_check = models.ForeignKey(SpotCheck, on_delete=models.CASCADE, related_name="items")
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, db_column="region_code", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField("抽取序号")
    reached = models.BooleanField("联系上", null=True, blank=True)
    knows_first = models.BooleanField("知道第一联系人", null=True, blank=True)
    knows_second = models.BooleanField("知道第二联系人", null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField("满意度", null=True, blank=True,
                                                    validators=[MinValueValidator(1), MaxValueValidator(5)])
    problems = models.TextField("发现的问题", blank=True)
    recorded_at = models.DateTimeField("记录时间", null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        verbose_name = "抽查家庭"
        verbose_name_plural = "抽查家庭"
        ordering = ["spot_check_id", "position"]
        constraints = [models.UniqueConstraint(fields=["spot_check", "family"], name="spotcheck_family_once")]

    def __str__(self) -> str:
        return f"{self.spot_check} · {self.family}"

    @property
    def is_recorded(self) -> bool:
        return self.reached is not None


class SpotCheckVisit(models.Model):
    """The family's answer about one recorded visit; a denied visit is a suspected false report (虚报)."""

    item = models.ForeignKey(SpotCheckFamily, on_delete=models.CASCADE, related_name="visit_checks")
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="spot_checks")
    contact = models.ForeignKey("contacts.ContactPerson", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="spot_check_visits")
    confirmed = models.BooleanField("走访属实")

    class Meta:
        verbose_name = "走访核实"
        verbose_name_plural = "走访核实"
        constraints = [models.UniqueConstraint(fields=["item", "visit"], name="spotcheck_visit_once")]
        indexes = [models.Index(fields=["contact", "confirmed"], name="spotcheck_visit_contact")]

    def __str__(self) -> str:
        return f"走访 {self.visit_id}:{'属实' if self.confirmed else '家庭否认'}"

    @property
    def is_suspected_false_report(self) -> bool:
        return not self.confirmed


class SampleSurvey(models.Model):
    """The province's yearly 1% sample survey (抽样调查): a stratified draw, one stratum per county.

    Like a spot check it records the seed, the register time and the drawn list, so
    ``survey_verify`` can re-run the draw.
    """

    region = models.ForeignKey(Region, verbose_name="调查范围", db_column="region_code", on_delete=models.PROTECT,
                               related_name="+")
    year = models.PositiveSmallIntegerField("考核年度")
    title = models.CharField("调查名称", max_length=100)
    planned_on = models.DateField("计划日期")
    register_as_of = models.DateTimeField("名册时点")
    seed = models.BigIntegerField("随机种子")
    share = models.DecimalField("抽样比例", max_digits=5, decimal_places=4)
    population = models.PositiveIntegerField("名册户数")
    sample_size = models.PositiveIntegerField("抽取户数")
    strata = models.JSONField("各县名册户数和抽取户数", default=dict)
    drawn_ids = models.JSONField("抽中家庭(按县、抽取顺序)", default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "抽样调查"
        verbose_name_plural = "抽样调查"
        ordering = ["-year", "-planned_on", "-id"]

    def __str__(self) -> str:
        return f"{self.year} 年{self.title}"


class QuestionKind(models.TextChoices):
    YES_NO = "yes_no", "是/否"
    SCALE = "scale", "评分 1–5"
    CHOICE = "choice", "单选"
    TEXT = "text", "文字"


class SurveyQuestion(models.Model):
    """One question of a survey's phone questionnaire; questions are data the province edits."""

    survey = models.ForeignKey(SampleSurvey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField("序号")
    text = models.CharField("问题", max_length=200)
    kind = models.CharField("题型", max_length=10, choices=QuestionKind.choices)
    choices = models.JSONField("选项", default=list, blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "调查问题"
        verbose_name_plural = "调查问题"
        ordering = ["survey_id", "position", "id"]

    def __str__(self) -> str:
        return f"{self.position}. {self.text}"


class SurveyFamily(models.Model):
    """One sampled family of a survey and whether the caller reached it."""

    survey = models.ForeignKey(SampleSurvey, on_delete=models.CASCADE, related_name="items")
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, db_column="region_code", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField("抽取序号")
    reached = models.BooleanField("联系上", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    recorded_at = models.DateTimeField("记录时间", null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        verbose_name = "调查家庭"
        verbose_name_plural = "调查家庭"
        ordering = ["survey_id", "position"]
        constraints = [models.UniqueConstraint(fields=["survey", "family"], name="survey_family_once")]
        indexes = [models.Index(fields=["survey", "region"], name="survey_item_region")]

    def __str__(self) -> str:
        return f"{self.survey} · {self.family}"

    @property
    def is_recorded(self) -> bool:
        return self.reached is not None


class SurveyAnswer(models.Model):
    item = models.ForeignKey(SurveyFamily, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.PROTECT, related_name="answers")
    yes = models.BooleanField("是/否", null=True, blank=True)
    score = models.PositiveSmallIntegerField("评分", null=True, blank=True,
                                             validators=[MinValueValidator(1), MaxValueValidator(5)])
    text = models.CharField("回答", max_length=500, blank=True)

    class Meta:
        verbose_name = "调查回答"
        verbose_name_plural = "调查回答"
        constraints = [models.UniqueConstraint(fields=["item", "question"], name="survey_answer_once")]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.display}"

    @property
    def display(self) -> str:
        if self.yes is not None:
            return "是" if self.yes else "否"
        if self.score is not None:
            return f"{self.score} 分"
        return self.text


class AssessmentWeights(models.Model):
    """Weights and penalties of the yearly region assessment (目标责任考核), versioned per year.

    A year uses its latest version; a year without one uses the latest version of the nearest earlier year,
    and with none at all the defaults in ``assessment.DEFAULT_WEIGHTS``.
    """

    year = models.PositiveSmallIntegerField("考核年度")
    version = models.PositiveIntegerField("版本")
    weights = models.JSONField("指标权重")
    penalties = models.JSONField("扣分标准")
    note = models.CharField("修订说明", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "考核权重"
        verbose_name_plural = "考核权重"
        ordering = ["-year", "-version"]
        constraints = [models.UniqueConstraint(fields=["year", "version"], name="assessment_weights_version")]

    def __str__(self) -> str:
        return f"{self.year} 年考核权重 第 {self.version} 版"


class AssessmentResult(models.Model):
    """A region's archived score for a year (存档), with its full breakdown, so past years read stored figures."""

    year = models.PositiveSmallIntegerField("考核年度")
    region = models.ForeignKey(Region, db_column="region_code", on_delete=models.PROTECT, related_name="+")
    weights = models.ForeignKey(AssessmentWeights, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField("得分", max_digits=6, decimal_places=2)
    breakdown = models.JSONField("明细")
    computed_on = models.DateField("计算日期")
    archived_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    archived_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "考核结果存档"
        verbose_name_plural = "考核结果存档"
        ordering = ["year", "region_id"]
        constraints = [models.UniqueConstraint(fields=["year", "region"], name="assessment_result_once")]

    def __str__(self) -> str:
        return f"{self.year} {self.region_id} {self.score}"
