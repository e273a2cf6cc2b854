"""Forms of the contacts pages. Validation of business rules stays in the services."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from guanhuai.lib.forms import BootstrapMixin
from guanhuai.regions.codes import LEVEL_NAMES
from guanhuai.regions.models import Region

from .models import ContactKind, ContactPerson, Slot

ACTIVE_CHOICES = [("", "全部"), ("1", "在岗"), ("0", "已离岗")]


def _region_choices(user) -> list[tuple[str, str]]:
    """The user's region and every region below it, indented by level."""
    if user.region_id is None:
        return []
    regions = Region.objects.filter(code__startswith=user.region.prefix, level__gte=user.region.level).order_by("code")
    top = user.region.level
    return [(r.code, f"{'　' * (r.level - top)}{r.name}({LEVEL_NAMES[r.level]})") for r in regions]


class ContactFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label="姓名/职务", required=False, max_length=60)
    kind = forms.ChoiceField(label="类别", required=False, choices=[("", "全部类别"), *ContactKind.choices])
    region = forms.ChoiceField(label="区划", required=False)
    active = forms.ChoiceField(label="状态", required=False, choices=ACTIVE_CHOICES)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "全部区划"), *_region_choices(user)]


class ContactForm(BootstrapMixin, forms.Form):
    region = forms.ChoiceField(label="所在区划", help_text="乡镇干部选乡镇,村居干部等选村(居);联系人只能负责该区划内的家庭")
    name = forms.CharField(label="姓名", max_length=60)
    kind = forms.ChoiceField(label="类别", choices=ContactKind.choices)
    post = forms.CharField(label="职务", max_length=60, required=False)
    unit = forms.CharField(label="单位", max_length=100, required=False)
    phone = forms.CharField(label="联系电话", max_length=20, required=False, help_text="工作电话,印在联系卡上")
    is_active = forms.BooleanField(label="在岗", required=False)
    left_on = forms.DateField(label="离岗日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user, contact: ContactPerson | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if contact is None:
            self.fields["region"].choices = _region_choices(user)
            del self.fields["is_active"], self.fields["left_on"]
        else:
            # The unit's region stays: families were assigned to this person because it holds them.
            del self.fields["region"]

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k != "region"}
        if "is_active" in data and data["is_active"]:
            data["left_on"] = None
        return data


class AssignmentForm(BootstrapMixin, forms.Form):
    slot = forms.ChoiceField(label="岗位", choices=Slot.choices)
    contact = forms.ModelChoiceField(label="联系人", queryset=ContactPerson.objects.none(), empty_label="请选择")
    start_date = forms.DateField(label="起始日期", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label="原因", max_length=200, required=False)

    def __init__(self, *args, contacts=None, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("start_date", timezone.localdate())
        super().__init__(*args, **kwargs)
        if contacts is not None:
            self.fields["contact"].queryset = contacts

    def grouped_contacts(self) -> list[tuple[str, list[ContactPerson]]]:
        groups: dict[str, list[ContactPerson]] = {}
        for contact in self.fields["contact"].queryset:
            groups.setdefault(contact.get_kind_display(), []).append(contact)
        return list(groups.items())


class EndAssignmentForm(BootstrapMixin, forms.Form):
    end_date = forms.DateField(label="结束日期", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label="结束原因", max_length=200,
                             widget=forms.TextInput(attrs={"placeholder": "结束原因", "aria-label": "结束原因"}))


class HandoverForm(BootstrapMixin, forms.Form):
    from_contact = forms.ModelChoiceField(label="离任联系人", queryset=ContactPerson.objects.none(),
                                          empty_label="请选择离任(调离、退休)的联系人")
    to_contact = forms.ModelChoiceField(label="接任联系人", queryset=ContactPerson.objects.none(),
                                        empty_label="请选择接任人")
    change_date = forms.DateField(label="交接日期", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label="交接原因", max_length=200)
    mark_left = forms.BooleanField(label="同时将离任联系人标记为已离岗", required=False, initial=True)

    def __init__(self, *args, sources, targets, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("change_date", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["from_contact"].queryset = sources
        self.fields["to_contact"].queryset = targets
        self.fields["from_contact"].label_from_instance = _contact_label
        self.fields["to_contact"].label_from_instance = _contact_label


def _contact_label(contact: ContactPerson) -> str:
    count = getattr(contact, "active_families", None)
    families = f" · {count} 户" if count is not None else ""
    return f"{contact.name}({contact.post or contact.get_kind_display()} · {contact.region.name}){families}"


class CardsIssuedForm(BootstrapMixin, forms.Form):
    families = forms.TypedMultipleChoiceField(label="家庭", coerce=int, choices=[])
    issued_on = forms.DateField(label="送达日期", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, family_ids: list[int], **kwargs):
        kwargs.setdefault("initial", {}).setdefault("issued_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["families"].choices = [(pk, pk) for pk in family_ids]

    def clean_issued_on(self):
        value = self.cleaned_data["issued_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("送达日期不能晚于今天")
        return value


class RosterUploadForm(forms.Form):
    file = forms.FileField(label="名册文件", help_text="Excel(.xlsx)或 CSV;一行一户")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs.update({"class": "form-control", "accept": ".xlsx,.csv"})
