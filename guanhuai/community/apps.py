from django.apps import AppConfig


class CommunityConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "guanhuai.community"
    verbose_name = "社会关怀"
