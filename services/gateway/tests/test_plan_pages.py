"""The plan pages say the catalogue's refusals in the reader's language: every rule the
catalogue can name has a message in fi, sv and en, filled with the rule's values."""

from pathlib import Path

import pytest

from htk_gateway.pages.plan import describe_change, explain
from htk_gateway.web.i18n import LANGUAGES, Translator

CATALOGUE = Path(__file__).resolve().parents[2] / "catalogue/src/htk_catalogue"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_rule_the_catalogue_names_has_a_message(lang: str) -> None:
    t = Translator(lang)
    for rule in ("empty_name", "bad_code", "no_parent", "merge_level", "active_children"):
        assert t.has(f"planerr.{rule}"), rule
    expected = {
        "not_utf8", "empty_file", "missing_column", "unknown_column", "too_many_rows",
        "duplicate_line", "no_rows", "extra_cells", "bad_code", "empty_name", "too_long",
        "bad_example", "bad_state", "invalid", "duplicate_code", "no_priorities", "no_parent",
        "active_under_inactive", "merged_into_missing", "merged_into_unknown", "merge_level",
        "merge_into_inactive", "merged_into_not_merged", "no_node", "priority_fixed",
        "not_active", "nothing_to_change", "code_used", "no_active_parent", "active_children",
    }  # fmt: skip
    source = "\n".join(p.read_text("utf-8") for p in CATALOGUE.glob("plan_*.py"))
    for rule in expected:
        assert f'"{rule}"' in source, f"the catalogue no longer names {rule}"
        assert t.has(f"planerr.{rule}"), rule


def test_a_refusal_is_said_with_its_values_and_an_unknown_rule_in_the_services_words() -> None:
    fi, sv = Translator("fi"), Translator("sv")
    error = {"error": "merged_into_unknown", "params": {"code": "1.3", "into": "9.9"}}
    assert explain(fi, error) == "1.3 yhdistetään kohtaan 9.9, jota ei ole suunnitelmassa."
    assert explain(sv, error) == "1.3 slås ihop med 9.9, som inte finns i planen."
    assert explain(fi, {"error": "new_rule", "message": "in English"}) == "in English"
    # A message whose values did not come falls back rather than failing the page.
    assert explain(fi, {"error": "no_parent", "params": {}, "message": "x"}) == "x"


def test_a_versions_change_is_said_in_the_readers_language() -> None:
    fi, en = Translator("fi"), Translator("en")
    assert describe_change(fi, "merge 1.1.2 into 1.1.1") == "1.1.2 yhdistettiin kohtaan 1.1.1"
    assert describe_change(en, "import plan.csv") == "file plan.csv imported"
    assert describe_change(en, "something else") == "something else"
