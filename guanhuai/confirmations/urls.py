from django.urls import path

from . import views

app_name = "confirmations"
urlpatterns = [
    path("", views.window_list, name="windows"),
    path("<int:window_id>/", views.window_detail, name="window"),
    path("<int:window_id>/close/", views.window_close, name="close"),
    path("<int:window_id>/families/", views.worklist, name="worklist"),
    path("<int:window_id>/bulk-confirm/", views.bulk_confirm, name="bulk_confirm"),
    path("<int:window_id>/families/<int:family_id>/", views.record, name="record"),
    path("<int:window_id>/export.xlsx", views.export, name="export"),
]
