from django.urls import path

from . import views, views_assessment, views_survey

app_name = "oversight"
urlpatterns = [
    path("spotchecks/", views.spotcheck_list_view, name="spotchecks"),
    path("spotchecks/<int:spotcheck_id>/", views.spotcheck_detail, name="spotcheck"),
    path("spotchecks/<int:spotcheck_id>/complete/", views.spotcheck_complete_view, name="spotcheck_complete"),
    path("spotchecks/<int:spotcheck_id>/families/<int:item_id>/", views.spotcheck_record, name="spotcheck_record"),
    path("contacts/<int:contact_id>/false-reports/", views.contact_false_reports, name="contact_false_reports"),
    path("surveys/", views_survey.survey_list_view, name="surveys"),
    path("surveys/<int:survey_id>/", views_survey.survey_detail, name="survey"),
    path("surveys/<int:survey_id>/results/", views_survey.survey_results_view, name="survey_results"),
    path("surveys/<int:survey_id>/questions/", views_survey.survey_question_add, name="survey_question_add"),
    path("surveys/<int:survey_id>/questions/<int:question_id>/", views_survey.survey_question_edit,
         name="survey_question"),
    path("surveys/<int:survey_id>/families/<int:item_id>/", views_survey.survey_record, name="survey_record"),
    path("assessment/", views_assessment.assessment_view, name="assessment"),
    path("assessment/archive/", views_assessment.assessment_archive_view, name="assessment_archive"),
    path("assessment/weights/", views_assessment.weights_view, name="assessment_weights"),
    path("assessment/awards/", views_assessment.awards_view, name="awards"),
    path("assessment/report/", views_assessment.evaluation_report_view, name="evaluation_report"),
]
