from django.urls import path

from . import views

app_name = "oversight"
urlpatterns = [
    path("spotchecks/", views.spotcheck_list_view, name="spotchecks"),
    path("spotchecks/<int:spotcheck_id>/", views.spotcheck_detail, name="spotcheck"),
    path("spotchecks/<int:spotcheck_id>/complete/", views.spotcheck_complete_view, name="spotcheck_complete"),
    path("spotchecks/<int:spotcheck_id>/families/<int:item_id>/", views.spotcheck_record, name="spotcheck_record"),
    path("contacts/<int:contact_id>/false-reports/", views.contact_false_reports, name="contact_false_reports"),
]
