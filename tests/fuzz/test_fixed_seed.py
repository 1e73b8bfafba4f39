"""CI draws the same fuzz and property cases on every run; `make fuzz` draws new ones."""

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parents[2]


def _draws() -> list[str]:
    seen: list[str] = []

    @given(st.text())
    @settings(max_examples=20)
    def probe(text: str) -> None:
        seen.append(text)

    probe()
    return seen


@pytest.mark.skipif(
    os.environ.get("HTK_HYPOTHESIS_PROFILE") == "fuzz", reason="make fuzz draws new cases"
)
def test_make_test_draws_the_same_cases_every_run() -> None:
    current = settings.default
    assert current is not None and current.derandomize
    first, second = _draws(), _draws()
    assert len(set(first)) > 5, "the probe draws cases at all"
    assert first == second


def test_make_fuzz_explores_with_the_fuzz_profile() -> None:
    makefile = (REPO / "Makefile").read_text()
    assert "\nfuzz: " in makefile and "HTK_HYPOTHESIS_PROFILE=fuzz" in makefile
    assert settings.get_profile("fuzz").derandomize is False
