from django import template

from guanhuai.compliance.engine import STATUS_LABELS

register = template.Library()


@register.inclusion_tag("compliance/_status.html")
def status_badge(status: str):
    return {"status": status, "label": STATUS_LABELS.get(status, status)}


@register.filter
def pct(value):
    return "—" if value is None else f"{value * 100:.1f}%"


@register.filter
def get(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None
