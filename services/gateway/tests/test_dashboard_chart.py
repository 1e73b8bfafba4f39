"""The trend chart's geometry: a period without data breaks a line instead of drawing a zero."""

from htk_gateway.pages.dashboard import actions_url, line_chart


def test_lines_scale_to_the_peak_and_break_where_there_is_no_data() -> None:
    rows = [
        {"period": "2026-01", "actions": 2, "organisations": None, "municipalities": 1},
        {"period": "2026-02", "actions": 4, "organisations": None, "municipalities": 2},
        {"period": "2026-03", "actions": 8, "organisations": 3, "municipalities": None},
        {"period": "2026-04", "actions": 8, "organisations": 4, "municipalities": 5},
    ]
    chart = line_chart(rows)
    lines = {line["key"]: line for line in chart["lines"]}
    assert len(lines["actions"]["segments"]) == 1 and len(lines["actions"]["markers"]) == 4
    assert len(lines["organisations"]["markers"]) == 2  # the two months with data
    assert len(lines["municipalities"]["segments"]) == 2  # broken at March
    # The peak sits on the top of the plot, zero on its bottom.
    top = min(y for _, y in lines["actions"]["markers"])
    assert top == 12 and chart["ticks"][-1] == {"value": 8, "y": 12}
    assert chart["ticks"][0] == {"value": 0, "y": chart["bottom"]}
    assert [p["label"] for p in chart["periods"]] == ["2026-01", "2026-03", "2026-04"]
    assert line_chart([])["lines"][0]["segments"] == []


def test_the_list_behind_a_figure_keeps_its_filters() -> None:
    assert actions_url("1.2", "county:06", facet="org_type", value="ngo") == (
        "/coverage/actions?node=1.2&scope=county%3A06&facet=org_type&value=ngo"
    )
