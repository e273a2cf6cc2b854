from __future__ import annotations

from ninja import Router, Schema

from .models import Region
from .selectors import region_get_for_user

router = Router(tags=["行政区划"])


class RegionOut(Schema):
    code: str
    name: str
    level: int
    parent_code: str | None


def _out(region: Region) -> RegionOut:
    return RegionOut(code=region.code, name=region.name, level=region.level, parent_code=region.parent_id)


@router.get("/{code}", response=RegionOut, summary="区划详情(限本辖区)")
def region_detail(request, code: str):
    return _out(region_get_for_user(request.auth, code))


@router.get("/{code}/children", response=list[RegionOut], summary="下级区划(限本辖区)")
def region_children(request, code: str):
    region = region_get_for_user(request.auth, code)
    return [_out(r) for r in Region.objects.filter(parent=region).order_by("code")]
