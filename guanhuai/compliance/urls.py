from django.urls import path

from . import views

app_name = "compliance"
urlpatterns = [
    path("mine/", views.my_families, name="mine"),
    path("region/", views.region_page, name="region"),
    path("region/<str:code>/", views.region_page, name="region_code"),
    path("family/<int:pk>/", views.family_page, name="family"),
    path("profiles/", views.profiles, name="profiles"),
]
