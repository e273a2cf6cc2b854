from django.urls import path

from . import views, views_import

app_name = "families"
urlpatterns = [
    path("", views.family_list_view, name="list"),
    path("new/", views.family_create, name="create"),
    path("export.xlsx", views.family_export, name="export"),
    path("import/", views_import.import_page, name="import"),
    path("import/template.xlsx", views_import.import_template, name="import_template"),
    path("import/<int:job_id>/", views_import.import_job, name="import_job"),
    path("import/<int:job_id>/progress/", views_import.import_progress, name="import_progress"),
    path("import/<int:job_id>/errors.xlsx", views_import.import_errors, name="import_errors"),
    path("import/<int:job_id>/commit/", views_import.import_commit, name="import_commit"),
    path("<int:pk>/", views.family_detail, name="detail"),
    path("<int:pk>/edit/", views.family_edit, name="edit"),
    path("<int:pk>/exit/", views.family_exit, name="exit"),
    path("<int:pk>/reinstate/", views.family_reinstate, name="reinstate"),
    path("<int:pk>/history/", views.history, name="history"),
    path("<int:pk>/members/new/", views.member_add, name="member_add"),
    path("members/<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("members/<int:pk>/delete/", views.member_delete, name="member_delete"),
    path("reveal/<str:kind>/<int:pk>/", views.reveal, name="reveal"),
]
