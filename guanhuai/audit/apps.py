from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "guanhuai.audit"
    verbose_name = "审计"
