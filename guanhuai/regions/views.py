from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.http import Http404
from django.shortcuts import render

from guanhuai.accounts.roles import has_perm
from guanhuai.families.models import Category, Status
from guanhuai.families.selectors import families_for_user
from guanhuai.lib.excel import SheetError

from .codes import PREFIX_LENGTH, VILLAGE
from .models import Region
from .selectors import region_get_for_user, region_path
from .services import region_import


@login_required
def browse(request, code: str | None = None):
    """Navigate the region tree: one row per child region with its family counts."""
    user = request.user
    if not has_perm(user, "family.view"):
        raise Http404
    region = region_get_for_user(user, code or user.region_id)
    children = list(Region.objects.filter(parent=region).order_by("code"))
    counts = {}
    if region.level < VILLAGE:
        k = PREFIX_LENGTH[region.level + 1]
        rows = (
            families_for_user(user)
            .filter(region__code__startswith=region.prefix)
            .annotate(child=Substr("region_id", 1, k))
            .values("child")
            .annotate(
                active=Count("id", filter=Q(status=Status.ACTIVE)),
                deceased=Count("id", filter=Q(status=Status.ACTIVE, category=Category.CHILD_DECEASED)),
                disabled=Count("id", filter=Q(status=Status.ACTIVE, category=Category.CHILD_DISABLED)),
                exited=Count("id", filter=Q(status=Status.EXITED)),
            )
        )
        counts = {row["child"]: row for row in rows}
    table = []
    for child in children:
        c = counts.get(child.prefix, {})
        table.append((child, c.get("active", 0), c.get("deceased", 0), c.get("disabled", 0), c.get("exited", 0)))
    path = region_path(region, stop_at=user.region)
    return render(request, "regions/browse.html",
                  {"region": region, "rows": table, "path": path, "active_nav": "regions",
                   "total": sum(r[1] for r in table)})


@login_required
def import_view(request):
    if not has_perm(request.user, "regions.manage"):
        raise Http404
    report = None
    if request.method == "POST" and request.FILES.get("file"):
        upload = request.FILES["file"]
        try:
            report = region_import(acting_user=request.user, data=upload.read(), filename=upload.name,
                                   commit=request.POST.get("commit") == "1")
        except SheetError as exc:
            messages.error(request, str(exc))
    return render(request, "regions/import.html", {"report": report, "active_nav": "region_import",
                                                   "region_count": Region.objects.count()})
