from django import forms

from guanhuai.lib.forms import BootstrapMixin
from guanhuai.regions.models import Region

from .roles import Role


class LoginForm(BootstrapMixin, forms.Form):
    username = forms.CharField(label="用户名", max_length=150)
    password = forms.CharField(label="密码", widget=forms.PasswordInput)


class TotpForm(BootstrapMixin, forms.Form):
    code = forms.CharField(label="6 位验证码", max_length=8)


class PasswordChangeForm(BootstrapMixin, forms.Form):
    old_password = forms.CharField(label="原密码", widget=forms.PasswordInput, required=False)
    new_password = forms.CharField(label="新密码", widget=forms.PasswordInput,
                                   help_text="至少 8 位,包含大写字母、小写字母、数字、符号中的至少 3 类")
    new_password2 = forms.CharField(label="再次输入新密码", widget=forms.PasswordInput)

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", "两次输入的新密码不一致")
        return data


class UserCreateForm(BootstrapMixin, forms.Form):
    username = forms.RegexField(label="用户名", regex=r"^[\w.@+-]{3,150}$",
                                error_messages={"invalid": "用户名只能包含字母、数字和 . @ + - _"})
    full_name = forms.CharField(label="姓名", max_length=60)
    role = forms.ChoiceField(label="角色", choices=Role.choices)
    region = forms.CharField(label="所属区划代码(12位)", max_length=12)
    phone = forms.CharField(label="手机号", max_length=20, required=False)
    email = forms.EmailField(label="电子邮箱", required=False)
    password = forms.CharField(label="初始密码", widget=forms.PasswordInput,
                               help_text="用户首次登录时必须修改")

    def clean_region(self):
        code = self.cleaned_data["region"].strip()
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise forms.ValidationError("区划代码不存在")
        return region


class TokenForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label="令牌名称", max_length=60)
