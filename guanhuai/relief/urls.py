from django.urls import path

app_name = "relief"
urlpatterns = []
