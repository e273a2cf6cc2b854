"""Forms of the visit pages. They parse input only; the rules live in ``services``."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from guanhuai.families.forms_import import ImportForm
from guanhuai.families.models import Health, Mental
from guanhuai.lib.forms import BootstrapMixin

from .models import Channel, EventKind, MajorEvent, PetitionLevel, Referral

DATE = {"type": "date"}


def _blank(choices, label="—"):
    return [("", label)] + list(choices)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png", "multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class VisitForm(BootstrapMixin, forms.Form):
    visit_date = forms.DateField(label="走访日期", widget=forms.DateInput(attrs=DATE))
    channel = forms.ChoiceField(label="联系方式", choices=Channel.choices, widget=forms.RadioSelect,
                                error_messages={"required": "请选择联系方式"})
    contact = forms.TypedChoiceField(label="联系人", required=False, coerce=int, empty_value=None)
    health_observed = forms.ChoiceField(label="身体状况", required=False, choices=_blank(Health.choices, "—(未了解)"))
    mental_observed = forms.ChoiceField(label="精神状态", required=False, choices=_blank(Mental.choices, "—(未了解)"))
    needs_raised = forms.CharField(label="提出的诉求", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    policies_explained = forms.CharField(label="宣传的政策", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    problems_solved = forms.CharField(label="解决的问题", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    referred_to = forms.ChoiceField(label="转交部门", required=False, choices=_blank(Referral.choices[1:], "不转交"))
    referral_note = forms.CharField(label="转交说明", required=False, max_length=200)
    follow_up = forms.CharField(label="承诺事项", required=False, max_length=200)
    follow_up_due = forms.DateField(label="办结期限", required=False, widget=forms.DateInput(attrs=DATE))
    participants = forms.CharField(label="其他参与人", required=False, max_length=200)
    notes = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    photos = MultipleFileField(label="照片(JPEG/PNG,可多张)", required=False)

    SERVICE_FIELDS = ["visit_date", "channel", "participants", "health_observed", "mental_observed", "needs_raised",
                      "policies_explained", "problems_solved", "referred_to", "referral_note", "follow_up",
                      "follow_up_due", "notes"]

    def __init__(self, *args, contacts=(), with_photos: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visit_date"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["channel"].widget.attrs["class"] = "btn-check"
        self.fields["photos"].widget.attrs["class"] = "form-control"
        self.fields["contact"].choices = _blank([(c.pk, str(c)) for c in contacts], "—(不指定)")
        if not contacts:
            del self.fields["contact"]
        if not with_photos:
            del self.fields["photos"]

    # Shown folded under "更多" so a routine visit is a few taps.
    MORE_FIELDS = ["policies_explained", "problems_solved", "referred_to", "referral_note", "follow_up",
                   "follow_up_due", "participants", "photos", "notes"]

    def more_fields(self):
        return [self[name] for name in self.MORE_FIELDS if name in self.fields]

    def more_is_open(self) -> bool:
        """Unfold "更多" when it holds an error or a value (editing a visit that has them)."""
        return any(self[name].errors or (name != "photos" and self[name].value()) for name in self.MORE_FIELDS
                   if name in self.fields)

    def service_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.SERVICE_FIELDS}

    def clean_photos(self):
        photos = self.cleaned_data.get("photos") or []
        if len(photos) > 9:
            raise forms.ValidationError("一次最多上传 9 张照片")
        return photos


class DeleteForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label="删除理由", max_length=200, error_messages={"required": "请填写删除理由"},
                             widget=forms.TextInput(attrs={"placeholder": "例如:重复录入、录错家庭"}))


class VisitFilterForm(BootstrapMixin, forms.Form):
    date_from = forms.DateField(label="起始日期", required=False, widget=forms.DateInput(attrs=DATE))
    date_to = forms.DateField(label="截止日期", required=False, widget=forms.DateInput(attrs=DATE))
    channel = forms.ChoiceField(label="方式", required=False, choices=_blank(Channel.choices, "全部"))
    late = forms.BooleanField(label="只看迟报", required=False)
    region = forms.ChoiceField(label="区域", required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = sub_region_choices(user)


def sub_region_choices(user) -> list:
    """The regions one and two levels below the user's, grouped by the first: the 区域 filter."""
    from guanhuai.regions.models import Region

    region = getattr(user, "region", None)
    if region is None:
        return [("", "全部")]
    rows = list(Region.objects.filter(code__startswith=region.prefix, level__in=[region.level + 1, region.level + 2])
                .order_by("code").values_list("code", "name", "level", "parent_id"))
    children = [(code, name) for code, name, level, _ in rows if level == region.level + 1]
    below: dict[str, list] = {}
    for code, name, level, parent in rows:
        if level == region.level + 2:
            below.setdefault(parent, []).append((code, f"— {name}"))
    choices: list = [("", f"{region.name}(全部)")]
    for code, name in children:
        if below.get(code):
            choices.append((name, [(code, f"{name}(全部)")] + below[code]))
        else:
            choices.append((code, name))
    return choices


class EventForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label="事件类型", choices=EventKind.choices, widget=forms.RadioSelect,
                             error_messages={"required": "请选择事件类型"})
    petition_level = forms.ChoiceField(label="信访层级(信访倾向必选)", required=False,
                                       choices=_blank(PetitionLevel.choices))
    event_date = forms.DateField(label="发生日期", widget=forms.DateInput(attrs=DATE))
    description = forms.CharField(label="情况说明", widget=forms.Textarea(attrs={"rows": 4}),
                                  error_messages={"required": "请简要说明情况"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].widget.attrs["class"] = "btn-check"
        self.fields["event_date"].widget.attrs["max"] = timezone.localdate().isoformat()


class EventCloseForm(BootstrapMixin, forms.Form):
    outcome = forms.CharField(label="处理结果", widget=forms.Textarea(attrs={"rows": 3}),
                              error_messages={"required": "请填写处理结果"})


class EventFilterForm(BootstrapMixin, forms.Form):
    state = forms.ChoiceField(label="状态", required=False,
                              choices=list(MajorEvent.State.choices) + [("all", "全部")])
    kind = forms.ChoiceField(label="类型", required=False, choices=_blank(EventKind.choices, "全部"))
    overdue = forms.BooleanField(label="只看逾期未上门", required=False)


class VisitImportForm(ImportForm):
    """The family import's upload form, in the words of a visit file."""

    region = forms.ChoiceField(label="导入范围", help_text="表中的家庭须在所选范围内")
    file = forms.FileField(label="走访记录文件", allow_empty_file=True,
                           help_text="Excel .xlsx 或 .csv,第一个工作表;可先下载模板")
