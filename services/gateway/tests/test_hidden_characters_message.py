"""A refusal of hidden characters is explained as such, in the reader's language."""

import pytest

from htk_gateway.web.forms import translate_errors
from htk_gateway.web.i18n import Translator
from htk_runtime.text import public_text


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_hidden_characters_get_their_own_message(lang: str) -> None:
    t = Translator(lang)
    with pytest.raises(ValueError) as refused:
        public_text("Kerho\u202enuorille")
    errors = [
        {"field": "title", "message": f"Value error, {refused.value}"},
        {"field": "summary", "message": "String should have at least 10 characters"},
    ]
    translated = translate_errors(t, errors, prefix="action")
    assert translated["title"] == t("err.hidden_characters")
    assert translated["summary"] == t("action.err.summary")
    assert translated["title"] != translated["summary"]
