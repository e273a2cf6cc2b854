"""Forms of the oversight pages. Business rules stay in the services."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from guanhuai.lib.forms import BootstrapMixin

YES_NO = [("", "—"), ("1", "是"), ("0", "否")]
SATISFACTION = [("", "—"), *((str(i), f"{i} 分") for i in range(1, 6))]


def yes_no(value: str) -> bool | None:
    return {"1": True, "0": False}.get(value)


class PlanForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label="抽查名称", max_length=100, initial="双岗联系制度抽查")
    planned_on = forms.DateField(label="计划日期", widget=forms.DateInput(attrs={"type": "date"}))
    size = forms.IntegerField(label="抽取户数", required=False, min_value=1,
                              help_text="填写户数或比例其中一项")
    share = forms.DecimalField(label="抽取比例", required=False, min_value=0, max_value=1, decimal_places=4,
                               help_text="例如 0.05 表示 5%")
    seed = forms.IntegerField(label="随机种子", required=False, min_value=0,
                              help_text="留空则由系统生成;同一种子和同一时点的名册总能抽出同样的家庭")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("planned_on", timezone.localdate())
        super().__init__(*args, **kwargs)


class RecordForm(BootstrapMixin, forms.Form):
    reached = forms.ChoiceField(label="是否联系上", choices=YES_NO[1:])
    knows_first = forms.ChoiceField(label="知道第一联系人", choices=YES_NO, required=False)
    knows_second = forms.ChoiceField(label="知道第二联系人", choices=YES_NO, required=False)
    satisfaction = forms.ChoiceField(label="满意度", choices=SATISFACTION, required=False)
    problems = forms.CharField(label="发现的问题", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, visits, **kwargs):
        super().__init__(*args, **kwargs)
        self.visit_fields = []
        for visit in visits:
            name = f"visit_{visit.pk}"
            self.fields[name] = forms.ChoiceField(
                label=f"{visit.visit_date:%Y-%m-%d} {visit.get_channel_display()} "
                      f"{visit.contact.name if visit.contact else '(未指明联系人)'}",
                choices=[("", "未核实"), ("1", "属实"), ("0", "家庭否认")], required=False,
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
            self.visit_fields.append((visit, name))

    def service_data(self) -> dict:
        d = self.cleaned_data
        return {"reached": d["reached"] == "1", "knows_first": yes_no(d["knows_first"]),
                "knows_second": yes_no(d["knows_second"]),
                "satisfaction": int(d["satisfaction"]) if d["satisfaction"] else None,
                "problems": d["problems"],
                "visits": {v.pk: d[name] == "1" for v, name in self.visit_fields if d.get(name)}}


class SurveyPlanForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label="调查名称", max_length=100, initial="特殊家庭 1% 抽样电话调查")
    year = forms.IntegerField(label="考核年度", min_value=2000, max_value=2100)
    planned_on = forms.DateField(label="计划日期", widget=forms.DateInput(attrs={"type": "date"}))
    share = forms.DecimalField(label="抽样比例", min_value=0, max_value=1, decimal_places=4, initial="0.01",
                               help_text="0.01 表示 1%;按各县在册户数比例分配,每县至少 1 户")
    seed = forms.IntegerField(label="随机种子", required=False, min_value=0,
                              help_text="留空则由系统生成;同一种子和同一时点的名册总能抽出同样的家庭")

    def __init__(self, *args, **kwargs):
        today = timezone.localdate()
        kwargs.setdefault("initial", {}).update(planned_on=today, year=today.year)
        super().__init__(*args, **kwargs)


class QuestionForm(BootstrapMixin, forms.Form):
    text = forms.CharField(label="问题", max_length=200)
    kind = forms.ChoiceField(label="题型", choices=[])
    choices = forms.CharField(label="选项(单选题,每行一个)", required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    is_active = forms.BooleanField(label="启用", required=False, initial=True)

    def __init__(self, *args, **kwargs):
        from .models import QuestionKind

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = QuestionKind.choices

    def service_data(self) -> dict:
        d = self.cleaned_data
        return {"text": d["text"], "kind": d["kind"], "choices": [c for c in d["choices"].splitlines() if c.strip()]}


class SurveyResultForm(BootstrapMixin, forms.Form):
    reached = forms.ChoiceField(label="是否联系上", choices=YES_NO[1:])
    note = forms.CharField(label="备注", required=False, max_length=200)

    def __init__(self, *args, questions, **kwargs):
        from .models import QuestionKind

        super().__init__(*args, **kwargs)
        self.question_fields = []
        for q in questions:
            name = f"q{q.pk}"
            label = f"{q.position}. {q.text}"
            if q.kind == QuestionKind.YES_NO:
                field = forms.ChoiceField(label=label, choices=YES_NO, required=False)
            elif q.kind == QuestionKind.SCALE:
                field = forms.ChoiceField(label=label, choices=SATISFACTION, required=False)
            elif q.kind == QuestionKind.CHOICE:
                field = forms.ChoiceField(label=label, choices=[("", "—"), *((c, c) for c in q.choices)],
                                          required=False)
            else:
                field = forms.CharField(label=label, required=False, max_length=500)
            field.widget.attrs["class"] = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            self.fields[name] = field
            self.question_fields.append((q, name))

    def service_data(self) -> dict:
        d = self.cleaned_data
        reached = d["reached"] == "1"
        answers = {q.pk: d.get(name) for q, name in self.question_fields if reached and d.get(name)}
        return {"reached": reached, "note": d["note"], "answers": answers}
