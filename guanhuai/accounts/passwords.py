import re

from django.core.exceptions import ValidationError

CLASSES = [
    (re.compile(r"[a-z]"), "小写字母"),
    (re.compile(r"[A-Z]"), "大写字母"),
    (re.compile(r"\d"), "数字"),
    (re.compile(r"[^a-zA-Z\d]"), "符号"),
]


class CharacterClassValidator:
    """At least three of: lower case, upper case, digits, symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        found = sum(1 for pattern, _ in CLASSES if pattern.search(password or ""))
        if found < self.min_classes:
            raise ValidationError(
                "密码至少要包含大写字母、小写字母、数字、符号中的 %(n)d 类。",
                code="password_too_simple",
                params={"n": self.min_classes},
            )

    def get_help_text(self):
        return f"密码至少 8 位,并包含大写字母、小写字母、数字、符号中的至少 {self.min_classes} 类。"


class MinimumLengthValidator:
    """Django's length rule with a Chinese message.

    Django 5.2 changed the message text and its zh-hans catalogue has not
    caught up, so users saw it in English.
    """

    def __init__(self, min_length: int = 8):
        self.min_length = min_length

    def validate(self, password, user=None):
        if len(password or "") < self.min_length:
            raise ValidationError(
                "密码长度太短,至少需要 %(min_length)d 个字符。",
                code="password_too_short",
                params={"min_length": self.min_length},
            )

    def get_help_text(self):
        return f"密码至少 {self.min_length} 个字符。"
