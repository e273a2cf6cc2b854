"""The demo shows a drawn survey with results, trainings with attendance and this year's weights, once."""

import pytest
from django.core.management import call_command

from guanhuai.community.models import Training, TrainingAttendance
from guanhuai.oversight.models import AssessmentWeights, SampleSurvey, SurveyFamily


@pytest.fixture
def demo(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", families=60)


def test_the_demo_has_a_survey_trainings_and_weights_and_a_rerun_adds_none(demo):
    survey = SampleSurvey.objects.get()
    assert survey.sample_size >= 4  # at least one family per county
    assert SurveyFamily.objects.filter(survey=survey, reached__isnull=False).exists()
    assert Training.objects.count() == 2 and TrainingAttendance.objects.exists()
    assert AssessmentWeights.objects.count() == 1
    call_command("seed_demo", families=60)
    assert SampleSurvey.objects.count() == 1 and Training.objects.count() == 2
    assert AssessmentWeights.objects.count() == 1
