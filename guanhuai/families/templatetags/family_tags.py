from django import template

register = template.Library()


@register.inclusion_tag("families/_reveal.html")
def reveal(kind: str, pk: int, masked: str, can_reveal: bool):
    return {"kind": kind, "pk": pk, "masked": masked, "can_reveal": can_reveal}
