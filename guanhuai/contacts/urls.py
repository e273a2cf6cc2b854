from django.urls import path

from . import views, views_cards, views_import

app_name = "contacts"
urlpatterns = [
    path("", views.contact_list_view, name="list"),
    path("new/", views.contact_create, name="create"),
    path("<int:contact_id>/", views.contact_detail, name="detail"),
    path("<int:contact_id>/edit/", views.contact_edit, name="edit"),
    path("handover/", views.handover, name="handover"),
    path("coverage/", views.coverage, name="coverage"),
    path("coverage/<str:code>/", views.coverage, name="coverage_region"),
    path("roster/<str:code>.xlsx", views.roster_export, name="roster_export"),
    path("families/<int:family_id>/assign/", views.family_assign, name="assign"),
    path("assignments/<int:assignment_id>/end/", views.assignment_end, name="assignment_end"),
    path("cards/", views_cards.card_list, name="cards"),
    path("cards/issued/", views_cards.cards_issued, name="cards_issued"),
    path("cards/family/<int:family_id>.pdf", views_cards.family_card, name="family_card"),
    path("cards/region/<str:code>.pdf", views_cards.region_cards, name="region_cards"),
    path("import/", views_import.import_page, name="import"),
    path("import/template.xlsx", views_import.import_template, name="import_template"),
    path("import/<int:job_id>/", views_import.import_job, name="import_job"),
    path("import/<int:job_id>/progress/", views_import.import_progress, name="import_progress"),
    path("import/<int:job_id>/errors.xlsx", views_import.import_errors, name="import_errors"),
    path("import/<int:job_id>/commit/", views_import.import_commit, name="import_commit"),
]
