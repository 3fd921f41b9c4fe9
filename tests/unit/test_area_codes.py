import pytest

from jingzhun.areas.choices import AreaLevel
from jingzhun.areas.codes import InvalidAreaCode, level_of, normalise_code, parent_code, subtree_bounds


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("150000000000", AreaLevel.PROVINCE),
        ("150100000000", AreaLevel.CITY),
        ("150124000000", AreaLevel.COUNTY),
        ("150124100000", AreaLevel.TOWNSHIP),
        ("150124100201", AreaLevel.VILLAGE),
    ],
)
def test_level_of(code, level):
    assert level_of(code) == level


def test_parent_code_and_normalise():
    assert parent_code("150124100201") == "150124100000"
    assert parent_code("150124100000") == "150124000000"
    assert parent_code("150000000000") is None
    assert normalise_code("150124") == "150124000000"
    assert normalise_code(" 150124100 ") == "150124100000"


@pytest.mark.parametrize("bad", ["15012", "15a124", "1501241002011", "", "１５０１２４"])
def test_normalise_refuses_malformed(bad):
    with pytest.raises(InvalidAreaCode):
        normalise_code(bad)


def test_subtree_bounds_cover_exactly_the_prefix():
    low, high = subtree_bounds("150124100000", AreaLevel.TOWNSHIP)
    assert (low, high) == ("150124100000", "150124100999")
    assert low <= "150124100201" <= high
    assert not (low <= "150124101201" <= high)
