from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from guanhuai.accounts.roles import has_perm

from .forms import AuditSearchForm
from .labels import ACTION_LABELS
from .models import AuditEvent
from .selectors import AuditFilters, audit_search


@login_required
def search(request):
    if not has_perm(request.user, "audit.view"):
        raise Http404
    form = AuditSearchForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        # Showing the unfiltered log under a rejected filter would look like an answer to it.
        events = AuditEvent.objects.none()
    else:
        events = audit_search(request.user, AuditFilters(**form.cleaned_data) if form.is_bound else AuditFilters())
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/search.html", {"form": form, "page": page, "labels": ACTION_LABELS,
                                                 "query": query.urlencode(), "active_nav": "audit"})
