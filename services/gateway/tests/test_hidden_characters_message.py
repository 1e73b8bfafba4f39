"""A refusal of hidden characters is explained as such, in the reader's language: recognised by
its error type, whatever its English text says."""

import pytest
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from htk_gateway.web.forms import translate_errors
from htk_gateway.web.i18n import Translator
from htk_runtime.errors import validation_errors
from htk_runtime.text import PublicText


class Draft(BaseModel):
    title: PublicText


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_hidden_characters_get_their_own_message(lang: str) -> None:
    t = Translator(lang)
    with pytest.raises(ValidationError) as refused:
        Draft(title="Kerho\u202enuorille")
    # As a service answers it (the one error shape), with the message reworded on purpose.
    [title] = validation_errors(RequestValidationError(refused.value.errors()))
    title["message"] = "reworded"
    errors = [title, {"field": "summary", "message": "String should have at least 10 characters"}]
    translated = translate_errors(t, errors, prefix="action")
    assert translated["title"] == t("err.hidden_characters")
    assert translated["summary"] == t("action.err.summary")
    assert translated["title"] != translated["summary"]


def test_the_type_survives_the_error_shape() -> None:
    with pytest.raises(ValidationError) as refused:
        Draft(title="\u200b\u200b")
    assert refused.value.errors()[0]["type"] == "hidden_characters"
    assert "invisible" in refused.value.errors()[0]["msg"]
