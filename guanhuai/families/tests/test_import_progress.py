"""The job page polls its progress bar with htmx while the worker runs, and reloads when it is done."""

from django.urls import reverse

from conftest import login
from guanhuai.families.import_jobs import job_file_set
from guanhuai.families.importing import import_check, import_job_create
from guanhuai.families.models import ImportJob

from .import_files import family_row, many_rows, roster


def test_a_waiting_job_shows_a_polled_progress_bar_and_the_check_completes_it(county_officer, regions,
                                                                              django_capture_on_commit_callbacks):
    # Queued but not yet picked up by the worker (the on-commit callback is held back).
    with django_capture_on_commit_callbacks(execute=False) as queued:
        job = import_job_create(acting_user=county_officer, region=regions["510104000000"], filename="a.xlsx",
                                data=roster([family_row(1)]))
    client = login(county_officer)
    progress_url = reverse("families:import_progress", args=[job.pk])
    html = client.get(reverse("families:import_job", args=[job.pk])).content.decode()
    assert f'hx-get="{progress_url}"' in html and 'hx-trigger="every 1s"' in html and "确认导入" not in html
    polled = client.get(progress_url, headers={"HX-Request": "true"})
    assert polled.status_code == 200 and "HX-Refresh" not in polled and 'role="progressbar"' in polled.content.decode()

    assert len(queued) == 1
    queued[0]()  # the worker runs the dry run
    job.refresh_from_db()
    assert job.state == ImportJob.State.CHECKED and job.progress == 100
    done = client.get(progress_url, headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true" and "hx-get" not in done.content.decode()


def test_progress_is_reported_every_500_rows(county_officer, regions):
    rows = many_rows(1200)
    job = ImportJob(created_by=county_officer, region=regions["510104000000"], filename="big.xlsx")
    job_file_set(job, roster(rows))
    seen = []
    import_check(job, on_progress=lambda value, note: seen.append((value, note)))
    notes = [note for _, note in seen]
    assert "已检查 500/1200 行" in notes and "已检查 1000/1200 行" in notes
    assert [v for v, _ in seen] == sorted(v for v, _ in seen) and seen[-1][0] == 100
    assert job.valid_rows == 1200
