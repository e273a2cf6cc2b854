from django.urls import path

from . import views_dashboards

app_name = "reports"
urlpatterns = [
    path("dashboard/", views_dashboards.dashboard_page, name="dashboard"),
    path("dashboard/<str:code>/", views_dashboards.dashboard_page, name="dashboard_code"),
    path("dashboard/<str:code>/xlsx/", views_dashboards.dashboard_xlsx, name="dashboard_xlsx"),
]
