"""List pages and endpoints: the query count does not grow with the rows."""

import datetime as dt

from conftest import login
from guanhuai.relief.models import Application, ReliefItem


def _applications(families, n):
    item = ReliefItem.objects.get(code="hardship")
    for i in range(n):
        Application.objects.create(item=item, family=families[i % len(families)], region_id=families[0].region_id,
                                   event_key=f"event:2026-01-{i + 1:02d}", reason="x", applied_on=dt.date(2026, 1, 2),
                                   amount=item.amount)


def test_the_application_list_does_not_grow_with_its_rows(make_family, county_officer,
                                                          django_assert_max_num_queries):
    families = [make_family(head_name=f"户{i}") for i in range(3)]
    _applications(families, 3)
    client = login(county_officer)
    with django_assert_max_num_queries(20):
        assert client.get("/relief/").status_code == 200
    _applications(families[:1], 0)
    item = ReliefItem.objects.get(code="hardship")
    for i in range(12):
        Application.objects.create(item=item, family=families[1], region_id=families[1].region_id,
                                   event_key=f"event:2025-02-{i + 1:02d}", reason="x", applied_on=dt.date(2026, 1, 2),
                                   amount=item.amount)
    with django_assert_max_num_queries(20):
        assert client.get("/relief/").status_code == 200
    with django_assert_max_num_queries(20):
        assert len(client.get("/api/relief/applications").json()) == 15
