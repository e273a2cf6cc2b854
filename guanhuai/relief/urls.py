from django.urls import path

from . import views

app_name = "relief"
urlpatterns = [
    path("", views.application_list_view, name="list"),
    path("items/", views.item_list, name="items"),
    path("apply/", views.apply_view, name="apply"),
    path("applications/<int:application_id>/", views.application_detail, name="application"),
    path("applications/<int:application_id>/decide/", views.decide, name="decide"),
    path("applications/<int:application_id>/resubmit/", views.resubmit, name="resubmit"),
    path("applications/<int:application_id>/close-notice/", views.close_notice, name="close_notice"),
    path("applications/<int:application_id>/revoke/", views.revoke, name="revoke"),
    path("applications/<int:application_id>/documents/", views.attach, name="attach"),
    path("applications/<int:application_id>/objections/", views.objection_add, name="objection_add"),
    path("applications/<int:application_id>/form.pdf", views.application_form_pdf, name="form_pdf"),
    path("documents/<int:attachment_id>/", views.attachment_view, name="attachment"),
    path("objections/<int:objection_id>/resolve/", views.objection_resolve, name="objection_resolve"),
    path("rosters/table6.xlsx", views.roster_table6, name="roster_table6"),
    path("rosters/table8.xlsx", views.roster_table8, name="roster_table8"),
    path("batches/", views.batch_list, name="batches"),
    path("batches/<int:batch_id>/", views.batch_detail, name="batch"),
    path("batches/<int:batch_id>/export/", views.batch_export, name="batch_export"),
    path("batches/<int:batch_id>/bank.xlsx", views.batch_bank_file, name="batch_bank_file"),
    path("batches/<int:batch_id>/reconcile/", views.batch_reconcile, name="batch_reconcile"),
    path("recoveries/", views.recovery_list, name="recoveries"),
    path("recoveries/<int:recovery_id>/", views.recovery_detail, name="recovery"),
]
