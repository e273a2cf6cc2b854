import json

import pytest
from django.core.management import CommandError, call_command


def test_it_prints_the_tables_as_json(county_data, year, capsys):
    call_command("statistics_report", region="510104000000", year=year, json=True)
    data = json.loads(capsys.readouterr().out)
    assert data["region"]["code"] == "510104000000" and data["year"] == year
    families = next(t for t in data["tables"] if t["key"] == "families")
    assert [r["name"] for r in families["rows"]] == ["东城镇", "西山乡"] and families["total"][3] == 4


def test_it_refuses_an_unknown_region(regions):
    with pytest.raises(CommandError, match="不存在"):
        call_command("statistics_report", region="519999000000")
