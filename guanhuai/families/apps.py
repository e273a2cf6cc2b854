from django.apps import AppConfig


class FamiliesConfig(AppConfig):
    name = "guanhuai.families"
    verbose_name = "家庭档案"
