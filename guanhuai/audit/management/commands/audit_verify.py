"""Verify the audit hash chain; exit non-zero naming the first bad event."""

from django.core.management.base import BaseCommand, CommandError

from guanhuai.audit.services import audit_verify


class Command(BaseCommand):
    help = "校验审计日志哈希链;发现被修改、删除或重排的事件时以非零状态退出并指出第一条"

    def handle(self, *args, **options):
        result = audit_verify()
        if not result.ok:
            raise CommandError(f"审计链校验失败:{result.message}(first bad event: #{result.bad_id})")
        self.stdout.write(self.style.SUCCESS(result.message))
