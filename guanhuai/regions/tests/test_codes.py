"""The 12-digit division code: level, significant prefix, parent."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from guanhuai.regions.codes import (
    CITY,
    COUNTY,
    PROVINCE,
    TOWNSHIP,
    VILLAGE,
    CodeError,
    ancestor_code,
    level_of,
    parent_code_of,
    prefix_of,
)
from guanhuai.regions.models import Region


@pytest.mark.parametrize(("code", "level", "prefix", "parent"), [
    ("510000000000", PROVINCE, "51", None),
    ("510100000000", CITY, "5101", "510000000000"),
    ("510104000000", COUNTY, "510104", "510100000000"),
    ("510104001000", TOWNSHIP, "510104001", "510104000000"),
    ("510104001001", VILLAGE, "510104001001", "510104001000"),
    # 东莞-style: a city with no counties, whose towns hang directly under it.
    ("441900003000", TOWNSHIP, "441900003", "441900000000"),
])
def test_level_prefix_and_parent(code, level, prefix, parent):
    assert level_of(code) == level
    assert prefix_of(code) == prefix
    assert parent_code_of(code) == parent


@pytest.mark.parametrize("code", ["5101040010", "5101040010011", "51010400100A", "５１０１０４００１００１", "510104001001\n", "",
                                  None, "000000000000", "001100000000", " 510104001001"])
def test_it_rejects_a_code_of_the_wrong_shape(code):
    with pytest.raises(CodeError) as exc:
        level_of(code)
    assert "区划代码" in str(exc.value)


def test_ancestor_code_pads_to_twelve_digits():
    assert ancestor_code("510104001001", PROVINCE) == "510000000000"
    assert ancestor_code("510104001001", COUNTY) == "510104000000"
    assert ancestor_code("510104001001", VILLAGE) == "510104001001"


valid_codes = st.builds(
    lambda p, c, d, t, v, depth: (f"{p:02d}" + (f"{c:02d}" if depth > 1 else "00") + (f"{d:02d}" if depth > 2 else "00")
                                  + (f"{t:03d}" if depth > 3 else "000") + (f"{v:03d}" if depth > 4 else "000")),
    st.integers(11, 99), st.integers(1, 99), st.integers(1, 99), st.integers(1, 999), st.integers(1, 999),
    st.integers(1, 5),
)


@given(valid_codes)
def test_a_region_lies_inside_its_parent_and_one_level_below(code):
    parent = parent_code_of(code)
    if parent is None:
        assert level_of(code) == PROVINCE
        return
    assert level_of(parent) == level_of(code) - 1
    assert code.startswith(prefix_of(parent))
    assert len(parent) == 12


def test_a_region_contains_exactly_its_subtree(regions):
    county = Region.objects.get(code="510104000000")
    assert county.contains("510104002001")
    assert not county.contains("510105001001")
    assert county.prefix == "510104"
