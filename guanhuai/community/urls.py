from django.urls import path

from . import views

app_name = "community"
urlpatterns = [
    path("trainings/", views.training_list_view, name="trainings"),
    path("trainings/untrained/", views.untrained_view, name="untrained"),
    path("trainings/<int:training_id>/", views.training_detail, name="training"),
]
