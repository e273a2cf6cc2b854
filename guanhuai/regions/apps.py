from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "guanhuai.regions"
    verbose_name = "行政区划"
