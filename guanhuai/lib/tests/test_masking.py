"""Masking sensitive values for pages, API and exports."""

import pytest

from guanhuai.lib.masking import mask, mask_bank_account, mask_id_number, mask_phone


def test_an_id_number_keeps_four_digits_at_each_end():
    assert mask_id_number("510104196205170011") == "5101**********0011"
    assert mask_id_number("11010519491231002X") == "1101**********002X"


def test_a_phone_keeps_the_first_three_and_last_four_digits():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("028-85551234") == "028*****1234"


def test_a_bank_account_keeps_four_digits_at_each_end():
    assert mask_bank_account("6222021234567890123") == "6222***********0123"


@pytest.mark.parametrize(("kind", "value", "masked"), [
    ("id_number", "12345678", "********"),
    ("phone", "1234567", "1******"),
    ("phone", "110", "1**"),
    ("bank_account", "1234", "****"),
])
def test_short_values_reveal_almost_nothing(kind, value, masked):
    assert mask(kind, value) == masked


@pytest.mark.parametrize("kind", ["id_number", "phone", "bank_account"])
@pytest.mark.parametrize("value", ["", None])
def test_empty_values_stay_empty(kind, value):
    assert mask(kind, value) == ""


def test_the_masked_value_keeps_the_length():
    for kind, value in [("id_number", "510104196205170011"), ("phone", "13812345678"),
                        ("bank_account", "6222021234567890123")]:
        assert len(mask(kind, value)) == len(value)


def test_an_unknown_kind_is_a_programming_error():
    with pytest.raises(KeyError):
        mask("email", "a@b.c")
