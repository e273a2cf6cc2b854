from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "guanhuai.workdays"
    verbose_name = "工作日历"
