from django import template

from guanhuai.audit.labels import ACTION_LABELS

register = template.Library()


@register.filter
def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


@register.filter
def change_items(changes):
    """Render a changes dict as (field, old, new) triples."""
    if not isinstance(changes, dict):
        return []
    out = []
    for key, value in changes.items():
        if isinstance(value, list) and len(value) == 2:
            out.append((key, value[0], value[1]))
        else:
            out.append((key, "", value))
    return out
