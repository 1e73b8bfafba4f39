"""An action's history and differences as people read them: names of organisations, places,
plan nodes and members instead of their ids, and field names in the reader's language.

Submissions stores ids (they stay true when a name changes); the pages look the names up here,
in one place for the review queue, the member's own page and the history.
"""

from typing import Any

from fastapi import Request

from htk_gateway.web import reference
from htk_gateway.web.i18n import Translator

# Fields whose values are codes, and the message prefix that names each value.
ENUM_PREFIXES = {
    "target_groups": "target.",
    "inequality_dimensions": "dimension.",
    "state": "state.",
    "language": "lang.",
}


class Names:
    """Everything a change list may need to name, read once per page."""

    def __init__(
        self,
        t: Translator,
        nodes: dict[str, Any],
        places: dict[str, Any],
        orgs: dict[str, Any],
        people: dict[str, str],
    ) -> None:
        self.t, self.nodes, self.places, self.orgs, self.people = t, nodes, places, orgs, people

    def person(self, member_id: Any) -> str:
        if not member_id:
            return ""
        return self.people.get(str(member_id)) or self.t("history.unknown_person")

    def organisation(self, org_id: Any) -> str:
        return self.t.name(self.orgs.get(str(org_id))) or str(org_id)

    def value(self, field: str, value: Any) -> str:
        t = self.t
        if value is None or value == "" or value == []:
            return "–"
        if isinstance(value, list):
            return "; ".join(self.value(field, v) for v in value)
        if isinstance(value, dict):  # a link
            return str(value.get("url") or value.get("label") or "")
        if isinstance(value, bool):
            return t("diff.yes") if value else t("diff.no")
        text = str(value)
        if field == "measures":
            node = self.nodes.get(text)
            return f"{text} {t.name(node.get('name'))}" if node else text
        if field in ("counties", "municipalities"):
            return t.name(self.places.get(text)) or text
        if field in ("organisation_id", "partner_organisation_ids"):
            return self.organisation(text)
        if field == "contact_member_id":
            return self.person(text)
        prefix = ENUM_PREFIXES.get(field)
        if prefix and t.has(prefix + text):
            return t(prefix + text)
        return text

    def label(self, field: str) -> str:
        key = f"diff.field.{field}"
        return self.t(key) if self.t.has(key) else field

    def changes(self, changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for c in changes:
            field = str(c.get("field", ""))
            row: dict[str, Any] = {"field": field, "label": self.label(field)}
            if "added" in c or "removed" in c:
                row["added"] = [self.value(field, v) for v in c.get("added", [])]
                row["removed"] = [self.value(field, v) for v in c.get("removed", [])]
            row["before"] = self.value(field, c.get("before"))
            row["after"] = self.value(field, c.get("after"))
            out.append(row)
        return out


async def names(request: Request, t: Translator, member_ids: Any = ()) -> Names:
    return Names(
        t,
        reference.plan_nodes(await reference.plan(request)),
        await reference.place_names(request),
        await reference.organisation_names(request),
        await reference.member_names(request, member_ids),
    )
