from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "guanhuai.visits"
    verbose_name = "走访与重大事件"
