"""Reading plan files: every error with its line and field, and the shipped example plan."""

from pathlib import Path

import pytest

from htk_catalogue.plan_file import PlanFileRefused, parse_plan

REPO_DATA = Path(__file__).resolve().parents[3] / "data"
HEADER = "code,name_fi,name_sv,name_en,description_fi,responsible,example,state,merged_into\n"


def refused(text: str | bytes) -> list[tuple[int, str]]:
    data = text.encode() if isinstance(text, str) else text
    with pytest.raises(PlanFileRefused) as caught:
        parse_plan(data)
    return [(e.line, e.field) for e in caught.value.errors]


def test_the_shipped_example_plan_has_the_four_real_priorities_and_marked_examples() -> None:
    nodes = parse_plan((REPO_DATA / "plan/example-plan.csv").read_bytes())
    priorities = [n for n in nodes if n.level == "priority"]
    assert [p.code for p in priorities] == ["1", "2", "3", "4"]
    assert priorities[0].name.fi == "Kaikille mahdollisuus osallisuuteen"
    assert not any(p.example for p in priorities)
    others = [n for n in nodes if n.level != "priority"]
    assert others and all(n.example for n in others)
    assert all(n.name.en.startswith("EXAMPLE") for n in others)


def test_every_error_is_listed_with_its_line_and_field() -> None:
    text = (
        HEADER
        + "1,Eka,Första,First,,,no,,\n"  # line 2: fine
        + "1.1,,Delmål,Sub-goal,,,yes,,\n"  # line 3: name_fi empty
        + "1.01,A,B,C,,,maybe,,\n"  # line 4: bad code and bad example
        + "1.2,A,B,C,,,no,,\n"  # line 5: fine
        + "1.2,A,B,C,,,no,,\n"  # line 6: duplicate code
        + "2.1.1,A,B,C,,,no,,\n"  # line 7: parent 2.1 missing
        + "1.2.1,A,B,C,,,no,merged,\n"  # line 8: merged without merged_into
        + "1.2.2,A,B,C,,,no,gone,\n"  # line 9: bad state
    )
    assert refused(text) == [
        (3, "name_fi"),
        (4, "code"),
        (4, "example"),
        (6, "code"),
        (7, "code"),
        (8, "merged_into"),
        (9, "state"),
    ]


def test_lines_count_from_the_start_of_a_row_whose_cell_spans_lines() -> None:
    text = HEADER + '1,"Eka\nrivi",Första,First,,,no,,\n1.1,A,,C,,,no,,\n'
    assert refused(text) == [(4, "name_sv")]


def test_header_problems_are_reported_on_line_one() -> None:
    assert refused("code,name_fi,colour\n1,A,red\n") == [
        (1, "name_sv"),
        (1, "name_en"),
        (1, "colour"),
    ]


def test_text_that_is_not_utf8_is_refused() -> None:
    assert refused(HEADER.encode() + "1,Hyvä,Bra,Good,,,no,,\n".encode("latin-1")) == [(1, "file")]


def test_a_bom_and_merge_into_an_active_node_are_accepted() -> None:
    text = (
        "\ufeff"
        + HEADER
        + "1,A,B,C,,,no,,\n1.1,A,B,C,,,no,,\n1.2,A,B,C,,,no,merged,1.1\n1.3,A,B,C,,,no,retired,\n"
    )
    nodes = {n.code: n for n in parse_plan(text.encode())}
    assert nodes["1.2"].merged_into == "1.1" and nodes["1.3"].state == "retired"
