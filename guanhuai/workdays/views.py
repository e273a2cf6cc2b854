from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from guanhuai.accounts.roles import has_perm

from .calendar import add_working_days
from .festivals import festivals_of
from .models import CalendarDay, CalendarYear
from .services import calendar_load


@login_required
def calendar_page(request):
    """Published years, this year's exceptions and festivals; administrators load a new year here."""
    can_load = has_perm(request.user, "regions.manage")
    if request.method == "POST":
        if not can_load:
            raise Http404
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "请选择文件")
        else:
            try:
                years = calendar_load(acting_user=request.user, data=upload.read(), filename=upload.name,
                                      source=request.POST.get("source", ""))
            except ValidationError as exc:
                messages.error(request, ";".join(exc.messages))
            except UnicodeDecodeError:
                messages.error(request, "文件应为 UTF-8 编码的 CSV 或 JSON")
            else:
                messages.success(request, f"已载入 {'、'.join(map(str, years))} 年的官方日历")
        return redirect("workdays:calendar")
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    year = min(max(year, 1901), 2099)
    today = timezone.localdate()
    sample = add_working_days(today, 5)
    return render(request, "workdays/calendar.html", {
        "years": CalendarYear.objects.all(), "year": year, "published": CalendarYear.objects.filter(year=year).exists(),
        "days": CalendarDay.objects.filter(date__year=year), "festivals": festivals_of(year), "can_load": can_load,
        "sample": sample, "today": today, "prev_year": year - 1, "next_year": year + 1, "active_nav": "workdays",
    })
