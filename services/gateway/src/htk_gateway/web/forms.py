"""From HTML forms to the services' JSON, and the services' refusals back to messages beside
the fields, in the reader's language."""

from typing import Any

from fastapi import Request

from htk_gateway.auth import csrf
from htk_gateway.web.i18n import Translator
from htk_runtime.text import HIDDEN_CHARACTERS

FIELD_ALIASES = {
    "national": "place",
    "new_organisation": "new_organisation_name",
    "new_organisation.name_fi": "new_organisation_name",
}


# Rules about the whole action (no field) and the field that fixes them, by error type: never
# by the English text of the message, which may be reworded at any time.
TYPE_FIELDS = {
    "place_missing": "place",
    "end_before_start": "end_date",
    "partner_is_owner": "partner_organisation_ids",
}


def form_field(field: str, code: str | None = None) -> str:
    if not field and code in TYPE_FIELDS:
        return TYPE_FIELDS[code]
    if field in FIELD_ALIASES:
        return FIELD_ALIASES[field]
    head = field.split(".")[0] if field else ""
    if head in FIELD_ALIASES:
        return FIELD_ALIASES[head]
    return head or "form"


def error_message(
    t: Translator, field: str, code: str | None, prefix: str = "action"
) -> tuple[str, str]:
    """``(form field, message in the reader's language)`` for one refusal: the most precise of
    ``<prefix>.err.<field>.<type>``, ``<prefix>.err.<type>`` (rules about the whole action) and
    ``<prefix>.err.<field>``; never the service's English text."""
    name = form_field(field, code)
    candidates = [f"{prefix}.err.{name}"]
    if code:
        candidates[:0] = [f"{prefix}.err.{name}.{code}", f"{prefix}.err.{code}"]
    for key in candidates:
        if t.has(key):
            return name, t(key)
    return name, t("err.generic")


def translate_errors(t: Translator, errors: list[dict[str, Any]], prefix: str) -> dict[str, str]:
    """``{form field: message}``, one message per field, each from the message catalogue."""
    translated: dict[str, str] = {}
    for error in errors:
        field, code = str(error.get("field") or ""), str(error.get("type") or "") or None
        if code == HIDDEN_CHARACTERS:
            # Not the field's usual mistake: say what is wrong with the text itself.
            translated.setdefault(form_field(field, code), t("err.hidden_characters"))
            continue
        name, text = error_message(t, field, code, prefix)
        translated.setdefault(name, text)
    return translated


# Up to this many links an action has; the form shows the action's own and a few empty rows.
MAX_LINKS = 20
EMPTY_LINK_ROWS = 3
# Lists whose order means nothing: a save keeps the stored order of what is still chosen, so
# that a form saved as it was changes nothing.
SET_FIELDS = (
    "measures",
    "counties",
    "municipalities",
    "target_groups",
    "inequality_dimensions",
    "partner_organisation_ids",
)


def link_rows(form: dict[str, Any]) -> int:
    """How many link rows the form shows: every link it holds and room for more."""
    used = [i for i in range(MAX_LINKS) if form.get(f"link_url_{i}") or form.get(f"link_title_{i}")]
    return min(MAX_LINKS, max(5, (used[-1] + 1 if used else 0) + EMPTY_LINK_ROWS))


def _ordered(chosen: list[str], stored: list[str] | None) -> list[str]:
    if not stored:
        return chosen
    kept = [v for v in stored if v in chosen]
    return kept + [v for v in chosen if v not in kept]


def action_payload(form: dict[str, Any], stored: dict[str, Any] | None = None) -> dict[str, Any]:
    """The action as submissions takes it; empty optional fields are left out. ``stored`` is
    the content being edited: the order of its lists is kept."""

    def text(name: str) -> str:
        # Browsers send a textarea's line breaks as CRLF; the stored text has LF.
        return str(form.get(name) or "").replace("\r\n", "\n").strip()

    payload: dict[str, Any] = {
        "organisation_id": text("organisation_id"),
        "title": text("title"),
        "summary": text("summary"),
        "inequality_reduction": text("inequality_reduction"),
        "national": form.get("national") == "true",
        "state": text("state") or "ongoing",
        "language": text("language") or "fi",
    }
    for name in SET_FIELDS:
        payload[name] = _ordered(as_list(form.get(name)), (stored or {}).get(name))
    for optional in (
        "description",
        "place_detail",
        "start_date",
        "end_date",
        "contact_member_id",
    ):
        if text(optional):
            payload[optional] = text(optional)
    links = []
    for i in range(MAX_LINKS):
        url = text(f"link_url_{i}")
        if url:
            link = {"url": url}
            if text(f"link_title_{i}"):
                link["title"] = text(f"link_title_{i}")
            links.append(link)
    payload["links"] = links
    return payload


def form_from_content(content: dict[str, Any]) -> dict[str, Any]:
    """The edit form filled from a stored action: every field, every link."""
    form: dict[str, Any] = {
        k: v for k, v in content.items() if k not in ("links", "national") and v is not None
    }
    if content.get("national"):
        form["national"] = "true"
    for i, link in enumerate((content.get("links") or [])[:MAX_LINKS]):
        form[f"link_url_{i}"] = link.get("url", "")
        form[f"link_title_{i}"] = link.get("title") or ""
    return form


async def form_data(request: Request) -> dict[str, Any]:
    """The posted form after its CSRF check; lists for names that repeat."""
    form = await request.form()
    csrf.check(request, str(form.get("csrf") or ""), required=True)
    data: dict[str, Any] = {}
    for key in form:
        values = form.getlist(key)
        data[key] = values if len(values) > 1 else values[0]
    return data


def as_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [str(x) for x in value if str(x)]
    return [str(value)]
