from django import template

register = template.Library()


@register.filter
def weekday_cn(day) -> str:
    """周一 … 周日, whatever the request's language (the calendar is a Chinese official one)."""
    return "周" + "一二三四五六日"[day.weekday()]
