from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "guanhuai.web"
    verbose_name = "页面框架"
