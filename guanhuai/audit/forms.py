from django import forms

from guanhuai.lib.forms import BootstrapMixin

from .labels import ACTION_LABELS, OBJECT_TYPES


class AuditSearchForm(BootstrapMixin, forms.Form):
    user = forms.CharField(label="用户名", required=False)
    object_type = forms.ChoiceField(label="对象类型", required=False,
                                    choices=[("", "全部")] + list(OBJECT_TYPES.items()))
    object_id = forms.CharField(label="对象编号", required=False)
    action = forms.ChoiceField(label="动作", required=False, choices=[("", "全部")] + list(ACTION_LABELS.items()))
    date_from = forms.DateField(label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
