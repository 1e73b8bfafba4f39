import pytest
from hypothesis import given
from hypothesis import strategies as st

from htk_catalogue.business_id import check_digit, normalise_business_id


def test_valid_business_ids_are_accepted_in_canonical_form() -> None:
    assert normalise_business_id(" 0245437-2 ") == "0245437-2"
    assert normalise_business_id("1234567-1") == "1234567-1"
    assert normalise_business_id("245437-2") == "0245437-2"  # issued with six digits


@pytest.mark.parametrize("value", ["0245437-3", "02454372", "0245437 2", "abcdefg-h", "", "1-1"])
def test_invalid_business_ids_are_refused(value: str) -> None:
    with pytest.raises(ValueError):
        normalise_business_id(value)


@given(st.text(alphabet="0123456789", min_size=7, max_size=7))
def test_exactly_one_check_digit_fits_or_none_when_the_remainder_is_one(digits: str) -> None:
    fitting = [d for d in range(10) if _valid(f"{digits}-{d}")]
    expected = check_digit(digits)
    assert fitting == ([] if expected is None else [expected])


def _valid(value: str) -> bool:
    try:
        normalise_business_id(value)
    except ValueError:
        return False
    return True
