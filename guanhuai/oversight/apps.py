from django.apps import AppConfig


class OversightConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "guanhuai.oversight"
    verbose_name = "督导考核"
