from django.urls import path

from . import views, views_dashboards

app_name = "reports"
urlpatterns = [
    path("returns/", views.returns_home, name="returns"),
    path("returns/import/", views.return_import, name="return_import"),
    path("returns/deadline/", views.deadline_set_view, name="deadline_set"),
    path("returns/<str:code>/", views.return_detail, name="return"),
    path("returns/<str:code>/submit/", views.return_submit_view, name="return_submit"),
    path("versions/<int:version_id>/accept/", views.version_accept, name="version_accept"),
    path("versions/<int:version_id>/send-back/", views.version_send_back, name="version_send_back"),
    path("versions/<int:version_id>/export/", views.version_export, name="version_export"),
    path("exports/<int:export_id>/file/", views.export_file, name="export_file"),
    path("exports/<int:export_id>/manifest/", views.export_manifest, name="export_manifest"),
    path("dashboard/", views_dashboards.dashboard_page, name="dashboard"),
    path("dashboard/<str:code>/", views_dashboards.dashboard_page, name="dashboard_code"),
    path("dashboard/<str:code>/xlsx/", views_dashboards.dashboard_xlsx, name="dashboard_xlsx"),
]
