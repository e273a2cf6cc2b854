from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "guanhuai.accounts"
    verbose_name = "账号"
