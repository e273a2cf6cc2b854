"""The upload form of the roster import."""

from __future__ import annotations

from django import forms
from django.conf import settings

from guanhuai.lib.forms import BootstrapMixin
from guanhuai.regions.codes import VILLAGE
from guanhuai.regions.models import Region


def import_region_choices(user) -> list[tuple[str, str]]:
    """The user's own region (the default) and the regions directly under it."""
    region = user.region
    choices = [(region.code, f"{region.name}(全部)" if region.level < VILLAGE else region.name)]
    for child in Region.objects.filter(parent=region).order_by("code"):
        choices.append((child.code, f"— {child.name}"))
    return choices


class ImportForm(BootstrapMixin, forms.Form):
    region = forms.ChoiceField(label="导入到", help_text="表中的村(居)须在所选范围内;村名有重名时请加“乡镇(街道)”列")
    # An empty file is let through so the job records why it cannot be read, like any other bad file.
    file = forms.FileField(label="花名册文件", allow_empty_file=True, help_text="Excel .xlsx(或 .csv),第一个工作表;可先下载模板")

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = import_region_choices(user)
        self.fields["region"].initial = user.region_id
        self.fields["file"].widget.attrs["accept"] = ".xlsx,.csv"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(f"文件超过 {limit // (1024 * 1024)} MB 的上限,请拆分后分批导入")
        return upload
