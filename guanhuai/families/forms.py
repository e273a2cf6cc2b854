from __future__ import annotations

from django import forms

from guanhuai.lib.forms import BootstrapMixin

from .models import (
    NEEDS,
    Category,
    ExitReason,
    Health,
    Housing,
    Hukou,
    Income,
    Living,
    Marital,
    Medical,
    MemberRole,
    Mental,
    Pension,
    RiskFlag,
    Sex,
    Status,
)


def _blank(choices):
    return [("", "—")] + list(choices)


class FamilyForm(BootstrapMixin, forms.Form):
    region = forms.ChoiceField(label="村(居)")
    head_name = forms.CharField(label="户主姓名", max_length=60)
    address = forms.CharField(label="住址", max_length=200, required=False)
    category = forms.ChoiceField(label="家庭类别", choices=Category.choices)
    disability_grade = forms.TypedChoiceField(label="伤残等级(伤残家庭必填)", required=False, coerce=int,
                                              empty_value=None, choices=_blank([(i, f"{i} 级") for i in range(1, 5)]))
    certificate_no = forms.CharField(label="光荣证号", max_length=40, required=False)
    registered_on = forms.DateField(label="纳入登记日期", widget=forms.DateInput(attrs={"type": "date"}))
    health = forms.ChoiceField(label="身体状况", choices=Health.choices)
    mental = forms.ChoiceField(label="精神状态", choices=Mental.choices)
    living = forms.ChoiceField(label="居住情况", choices=Living.choices)
    income = forms.ChoiceField(label="收入水平", choices=Income.choices)
    housing = forms.ChoiceField(label="住房情况", choices=Housing.choices)
    pension = forms.ChoiceField(label="养老保险", choices=Pension.choices)
    medical = forms.ChoiceField(label="医疗保险", choices=Medical.choices)
    needs = forms.MultipleChoiceField(label="利益诉求", choices=NEEDS, required=False,
                                      widget=forms.CheckboxSelectMultiple)
    needs_note = forms.CharField(label="诉求说明", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    risk_flags = forms.MultipleChoiceField(label="风险标记", choices=RiskFlag.choices, required=False,
                                           widget=forms.CheckboxSelectMultiple)
    bank_name = forms.CharField(label="开户银行", max_length=60, required=False)
    account_holder = forms.CharField(label="账户户名", max_length=60, required=False)
    bank_account = forms.CharField(label="银行账号", max_length=30, required=False)

    def __init__(self, *args, user=None, edit: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = village_choices(user)
        for name in ("needs", "risk_flags"):
            self.fields[name].widget.attrs["class"] = "form-check-input"
        if edit:
            self.fields["bank_account"].help_text = "留空表示不修改;已登记的账号只显示脱敏值"

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("region")
        needs = set(data.pop("needs") or [])
        for name, _ in NEEDS:
            data[name] = name in needs
        return data


def village_choices(user) -> list:
    """Villages in the user's jurisdiction, grouped by township, for the region select."""
    from guanhuai.regions.models import Region

    if user is None or user.region_id is None:
        return []
    villages = (Region.objects.filter(level=5, code__startswith=user.region.prefix)
                .select_related("parent").order_by("code"))
    groups: dict[str, list] = {}
    for village in villages:
        township = village.parent.name if village.parent else ""
        groups.setdefault(township, []).append((village.code, village.name))
    if len(groups) == 1:
        return [("", "—")] + next(iter(groups.values()))
    return [("", "—")] + [(township, items) for township, items in groups.items()]


class MemberForm(BootstrapMixin, forms.Form):
    role = forms.ChoiceField(label="家庭角色", choices=MemberRole.choices)
    name = forms.CharField(label="姓名", max_length=60)
    id_number = forms.CharField(label="身份证号", max_length=20, required=False)
    sex = forms.ChoiceField(label="性别", choices=_blank(Sex.choices), required=False,
                            help_text="留空则按身份证号判断")
    birth_date = forms.DateField(label="出生日期", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                 help_text="留空则按身份证号判断")
    is_alive = forms.TypedChoiceField(label="是否健在", choices=[("1", "健在"), ("0", "已故")],
                                      coerce=lambda v: v == "1", initial="1")
    death_date = forms.DateField(label="死亡日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    hukou = forms.ChoiceField(label="户口性质", choices=_blank(Hukou.choices), required=False)
    marital = forms.ChoiceField(label="婚姻状况", choices=_blank(Marital.choices), required=False)
    confirm_duplicate = forms.BooleanField(label="我已核实,确认登记(身份证号可能重复时勾选)", required=False)

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("confirm_duplicate", None)
        return data


class ExitForm(BootstrapMixin, forms.Form):
    reason = forms.ChoiceField(label="退出原因", choices=ExitReason.choices)
    exit_date = forms.DateField(label="退出日期", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label="说明", max_length=200, required=False)


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label="理由", max_length=500)


class FamilyFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label="姓名或身份证号", required=False)
    region = forms.CharField(label="区划代码", required=False, max_length=12)
    category = forms.ChoiceField(label="类别", required=False, choices=_blank(Category.choices))
    status = forms.ChoiceField(label="状态", required=False, choices=_blank(Status.choices))
    health = forms.ChoiceField(label="身体状况", required=False, choices=_blank(Health.choices))
    need = forms.ChoiceField(label="诉求", required=False, choices=_blank(NEEDS))
