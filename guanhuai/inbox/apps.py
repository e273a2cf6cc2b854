from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "guanhuai.inbox"
    verbose_name = "站内通知"
