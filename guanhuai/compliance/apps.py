from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "guanhuai.compliance"
    verbose_name = "联系走访合规"

    def ready(self) -> None:
        from guanhuai.families import hooks

        from .state import families_changed_refresh

        hooks.register(families_changed_refresh)
