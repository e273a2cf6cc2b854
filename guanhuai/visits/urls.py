from django.urls import path

from . import views, views_import

app_name = "visits"
urlpatterns = [
    path("", views.visit_list_view, name="list"),
    path("new/", views.visit_record, name="record"),
    path("pick/", views.family_pick, name="pick"),
    path("family/<int:family_id>/", views.family_visits, name="family"),
    path("<int:visit_id>/", views.visit_detail, name="detail"),
    path("<int:visit_id>/edit/", views.visit_edit, name="edit"),
    path("<int:visit_id>/delete/", views.visit_delete, name="delete"),
    path("photos/<int:photo_id>/", views.visit_photo, name="photo"),
    path("events/", views.event_list_view, name="events"),
    path("events/new/", views.event_report, name="event_report"),
    path("events/<int:event_id>/", views.event_detail, name="event_detail"),
    path("events/<int:event_id>/close/", views.event_close, name="event_close"),
    path("import/", views_import.import_page, name="import"),
    path("import/template.xlsx", views_import.import_template, name="import_template"),
    path("import/<int:job_id>/", views_import.import_job, name="import_job"),
    path("import/<int:job_id>/progress/", views_import.import_progress, name="import_progress"),
    path("import/<int:job_id>/errors.xlsx", views_import.import_errors, name="import_errors"),
    path("import/<int:job_id>/commit/", views_import.import_commit, name="import_commit"),
]
