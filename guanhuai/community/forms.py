"""Forms of the training pages. Business rules stay in the services."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from guanhuai.lib.forms import BootstrapMixin

from .models import TrainingKind


class TrainingForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label="培训主题", max_length=120)
    held_on = forms.DateField(label="培训日期", widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label="形式", choices=TrainingKind.choices)
    place = forms.CharField(label="地点", max_length=120, required=False)
    note = forms.CharField(label="说明", max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("held_on", timezone.localdate())
        super().__init__(*args, **kwargs)
