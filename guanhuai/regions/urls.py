from django.urls import path

from . import views

app_name = "regions"
urlpatterns = [
    path("", views.browse, name="browse"),
    path("import/", views.import_view, name="import"),
    path("<str:code>/", views.browse, name="browse_code"),
]
