from django.urls import include, path

from .api import api

urlpatterns = [
    path("api/", api.urls),
    path("accounts/", include("guanhuai.accounts.urls")),
    path("audit/", include("guanhuai.audit.urls")),
    path("contacts/", include("guanhuai.contacts.urls")),
    path("families/", include("guanhuai.families.urls")),
    path("regions/", include("guanhuai.regions.urls")),
    path("workdays/", include("guanhuai.workdays.urls")),
    path("compliance/", include("guanhuai.compliance.urls")),
    path("visits/", include("guanhuai.visits.urls")),
    path("oversight/", include("guanhuai.oversight.urls")),
    path("confirmations/", include("guanhuai.confirmations.urls")),
    path("reports/", include("guanhuai.reports.urls")),
    path("relief/", include("guanhuai.relief.urls")),
    path("community/", include("guanhuai.community.urls")),
    path("inbox/", include("guanhuai.inbox.urls")),
    path("", include("guanhuai.web.urls")),
]
