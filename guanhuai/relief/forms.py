"""Forms of the relief pages. Business rules stay in the services."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from guanhuai.lib.forms import BootstrapMixin

from .models import Document

DATE = {"type": "date"}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ApplyForm(BootstrapMixin, forms.Form):
    item = forms.ChoiceField(label="救助项目")
    member = forms.ChoiceField(label="涉及成员", required=False, help_text="紧急慰藉、圆梦行动为已故独生子女;可不选")
    event_date = forms.DateField(label="事件日期", required=False, widget=forms.DateInput(attrs=DATE),
                                 help_text="特困救助填写意外、大病或受灾的日期")
    reason = forms.CharField(label="申请理由", widget=forms.Textarea(attrs={"rows": 3}))
    written = forms.BooleanField(label="据家庭书面申请录入", required=False)
    applied_on = forms.DateField(label="申请日期", widget=forms.DateInput(attrs=DATE))

    def __init__(self, *args, items, members, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("applied_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [(i.code, f"{i.name}({i.amount_text})") for i in items]
        self.fields["member"].choices = [("", "—")] + [(m.pk, str(m)) for m in members]
        self.doc_fields = []
        for code, label in Document.choices:
            name = f"doc_{code}"
            self.fields[name] = forms.FileField(label=label, required=False, widget=MultipleFileInput(
                attrs={"accept": "image/jpeg,image/png,application/pdf", "multiple": True,
                       "class": "form-control form-control-sm"}))
            self.doc_fields.append(name)

    def documents(self, files) -> list[tuple[str, object]]:
        return [(name[4:], f) for name in self.doc_fields for f in files.getlist(name)]


class DecideForm(BootstrapMixin, forms.Form):
    action = forms.ChoiceField(label="办理结果", choices=[("approve", "同意"), ("return", "退回上一环节"),
                                                        ("reject", "不予认定")])
    findings = forms.CharField(label="调查情况", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    opinion = forms.CharField(label="意见 / 理由", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    signatory_1 = forms.CharField(label="计生专干签字", required=False, max_length=60)
    signatory_2 = forms.CharField(label="村(居)委会主任签字", required=False, max_length=60)
    version = forms.IntegerField(widget=forms.HiddenInput)


class AttachForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label="材料类别", choices=Document.choices)
    file = forms.FileField(label="文件(JPEG/PNG/PDF)")


class ObjectionForm(BootstrapMixin, forms.Form):
    raised_by = forms.CharField(label="提出人", required=False, max_length=60)
    raised_on = forms.DateField(label="提出日期", widget=forms.DateInput(attrs=DATE))
    content = forms.CharField(label="异议内容", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("raised_on", timezone.localdate())
        super().__init__(*args, **kwargs)


class ResolveForm(BootstrapMixin, forms.Form):
    upheld = forms.ChoiceField(label="异议是否成立", choices=[("0", "不成立"), ("1", "成立(不予认定)")])
    resolution = forms.CharField(label="处理结果", widget=forms.Textarea(attrs={"rows": 2}))


class RevokeForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label="撤销原因", max_length=300)
    version = forms.IntegerField(widget=forms.HiddenInput)


class BatchForm(BootstrapMixin, forms.Form):
    period = forms.DateField(label="发放月份", widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
                             input_formats=["%Y-%m", "%Y-%m-%d"])
    title = forms.CharField(label="批次名称", required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("period", timezone.localdate().replace(day=1))
        super().__init__(*args, **kwargs)
        self.fields["period"].widget.format = "%Y-%m"


class ReconcileForm(BootstrapMixin, forms.Form):
    file = forms.FileField(label="银行回盘文件(xlsx/csv)")
    password = forms.CharField(label="文件密码(回盘文件加密时填写)", required=False,
                               widget=forms.PasswordInput(render_value=False))


class RepaymentForm(BootstrapMixin, forms.Form):
    amount = forms.DecimalField(label="退回金额(元)", min_value=0, decimal_places=2, max_digits=12)
    paid_on = forms.DateField(label="退回日期", widget=forms.DateInput(attrs=DATE))
    note = forms.CharField(label="说明", required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("paid_on", timezone.localdate())
        super().__init__(*args, **kwargs)
