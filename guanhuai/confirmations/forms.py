"""Forms of the confirmation pages. Business rules stay in the services."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from guanhuai.families.models import (
    NEEDS,
    Category,
    ExitReason,
    Family,
    Health,
    Housing,
    Income,
    Living,
    Medical,
    Mental,
    Pension,
)
from guanhuai.lib.forms import BootstrapMixin

from .models import Outcome

DATE = {"type": "date"}


class OpenForm(BootstrapMixin, forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    start_date = forms.DateField(label="开始日期", widget=forms.DateInput(attrs=DATE))
    end_date = forms.DateField(label="结束日期", widget=forms.DateInput(attrs=DATE))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("year", timezone.localdate().year)
        super().__init__(*args, **kwargs)


class RecordForm(BootstrapMixin, forms.Form):
    """One family's confirmation: the outcome, and for a change the new values (prefilled with the current ones)."""

    outcome = forms.ChoiceField(label="确认结果", choices=Outcome.choices[1:], widget=forms.RadioSelect)
    category = forms.ChoiceField(label="家庭类别", choices=Category.choices)
    disability_grade = forms.TypedChoiceField(label="伤残等级", choices=[("", "—"), *((str(i), f"{i} 级")
                                                                                for i in range(1, 5))],
                                              coerce=int, empty_value=None, required=False)
    address = forms.CharField(label="住址", max_length=200, required=False)
    health = forms.ChoiceField(label="身体状况", choices=Health.choices)
    mental = forms.ChoiceField(label="精神状态", choices=Mental.choices)
    living = forms.ChoiceField(label="居住情况", choices=Living.choices)
    income = forms.ChoiceField(label="收入水平", choices=Income.choices)
    housing = forms.ChoiceField(label="住房情况", choices=Housing.choices)
    pension = forms.ChoiceField(label="养老保险", choices=Pension.choices)
    medical = forms.ChoiceField(label="医疗保险", choices=Medical.choices)
    needs = forms.MultipleChoiceField(label="利益诉求", choices=NEEDS, required=False,
                                      widget=forms.CheckboxSelectMultiple)
    needs_note = forms.CharField(label="诉求说明", max_length=500, required=False)
    exit_reason = forms.ChoiceField(label="退出原因", choices=[("", "—"), *ExitReason.choices], required=False)
    exit_date = forms.DateField(label="退出日期", required=False, widget=forms.DateInput(attrs=DATE))
    note = forms.CharField(label="说明", max_length=200, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    FAMILY = ["category", "disability_grade", "address", "health", "mental", "living", "income", "housing",
              "pension", "medical", "needs_note"]

    def __init__(self, *args, family: Family, members, **kwargs):
        initial = {name: getattr(family, name) for name in self.FAMILY}
        initial["needs"] = [name for name, _ in NEEDS if getattr(family, name)]
        initial["exit_date"] = timezone.localdate()
        kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        self.family = family
        self.fields["outcome"].widget.attrs["class"] = "btn-check"
        self.fields["needs"].widget.attrs["class"] = "form-check-input"
        self.member_fields = []
        for member in members:
            if not member.is_alive:
                continue
            name = f"deceased_{member.pk}"
            self.fields[name] = forms.DateField(
                label=f"{member.name}({member.get_role_display()})", required=False,
                widget=forms.DateInput(attrs={**DATE, "class": "form-control"}))
            self.member_fields.append((member, name))

    def family_fields(self):
        return [self[name] for name in ["category", "disability_grade", "health", "mental", "living", "income",
                                        "housing", "pension", "medical", "address", "needs_note"]]

    def member_bound_fields(self):
        return [self[name] for _, name in self.member_fields]

    def service_data(self) -> dict:
        d = self.cleaned_data
        outcome = d["outcome"]
        data = {"outcome": outcome, "note": d.get("note") or ""}
        if outcome == Outcome.CHANGED:
            family = self.family
            changed = {}
            for name in self.FAMILY:
                value = d.get(name)
                if name in ("address", "needs_note"):
                    value = value or ""
                if value != getattr(family, name):
                    changed[name] = value
            chosen = set(d.get("needs") or [])
            for name, _ in NEEDS:
                if (name in chosen) != getattr(family, name):
                    changed[name] = name in chosen
            data["family_data"] = changed
            data["deceased"] = {m.pk: d[name] for m, name in self.member_fields if d.get(name)}
        elif outcome == Outcome.EXITED:
            data["exit_reason"] = d.get("exit_reason") or ""
            data["exit_date"] = d.get("exit_date")
        return data

