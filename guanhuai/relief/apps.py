from django.apps import AppConfig


class ReliefConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "guanhuai.relief"
    verbose_name = "关怀救助"
