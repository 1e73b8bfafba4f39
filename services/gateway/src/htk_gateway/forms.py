"""From HTML forms to the services' JSON, and the services' refusals back to messages beside
the fields, in the reader's language."""

from typing import Any

from htk_gateway.i18n import Translator
from htk_gateway.web import as_list
from htk_runtime.text import HIDDEN_CHARACTERS

# Refusals that concern the whole action name no field; their text tells which one it is.
WHOLE_ACTION_ERRORS = {
    "where the action happens": "place",
    "end_date": "end_date",
    "partner": "organisation_id",
}
FIELD_ALIASES = {
    "national": "place",
    "new_organisation": "new_organisation_name",
    "new_organisation.name_fi": "new_organisation_name",
    "contact_member_id": "organisation_id",
}


def form_field(field: str, message: str) -> str:
    if field in FIELD_ALIASES:
        return FIELD_ALIASES[field]
    head = field.split(".")[0] if field else ""
    if head in FIELD_ALIASES:
        return FIELD_ALIASES[head]
    if head:
        return head
    lowered = message.lower()
    for needle, name in WHOLE_ACTION_ERRORS.items():
        if needle in lowered:
            return name
    return "form"


def translate_errors(t: Translator, errors: list[dict[str, Any]], prefix: str) -> dict[str, str]:
    """``{form field: message}``, one message per field, each from the message catalogue."""
    translated: dict[str, str] = {}
    for error in errors:
        name = form_field(str(error.get("field") or ""), str(error.get("message") or ""))
        if name in translated:
            continue
        if HIDDEN_CHARACTERS in str(error.get("message") or ""):
            # Not the field's usual mistake: say what is wrong with the text itself.
            translated[name] = t("err.hidden_characters")
            continue
        key = f"{prefix}.err.{name}"
        translated[name] = t(key) if t.has(key) else t("err.generic")
    return translated


def action_payload(form: dict[str, Any]) -> dict[str, Any]:
    """The action as submissions takes it; empty optional fields are left out."""

    def text(name: str) -> str:
        return str(form.get(name) or "").strip()

    payload: dict[str, Any] = {
        "organisation_id": text("organisation_id"),
        "title": text("title"),
        "summary": text("summary"),
        "inequality_reduction": text("inequality_reduction"),
        "measures": as_list(form.get("measures")),
        "national": form.get("national") == "true",
        "counties": as_list(form.get("counties")),
        "municipalities": as_list(form.get("municipalities")),
        "target_groups": as_list(form.get("target_groups")),
        "inequality_dimensions": as_list(form.get("inequality_dimensions")),
        "state": text("state") or "ongoing",
        "language": text("language") or "fi",
    }
    for optional in ("description", "place_detail", "start_date", "end_date"):
        if text(optional):
            payload[optional] = text(optional)
    links = []
    for i in range(3):
        url = text(f"link_url_{i}")
        if url:
            link = {"url": url}
            if text(f"link_title_{i}"):
                link["title"] = text(f"link_title_{i}")
            links.append(link)
    payload["links"] = links
    return payload


def form_from_content(content: dict[str, Any]) -> dict[str, Any]:
    """The edit form filled from a stored action."""
    form: dict[str, Any] = {
        k: v for k, v in content.items() if k not in ("links", "national") and v is not None
    }
    if content.get("national"):
        form["national"] = "true"
    for i, link in enumerate((content.get("links") or [])[:3]):
        form[f"link_url_{i}"] = link.get("url", "")
        form[f"link_title_{i}"] = link.get("title") or ""
    return form
