"""What a browser sends when it submits a form as shown: for tests that post pages' forms
without a browser (the action form's round trip, through the template or the running gateway)."""

from html.parser import HTMLParser
from typing import Any


class BrowserForm(HTMLParser):
    """What a browser sends when the edit form is submitted as it is shown."""

    def __init__(self, action_suffix: str) -> None:
        super().__init__(convert_charrefs=True)
        self.suffix = action_suffix
        self.inside = False
        self.pairs: list[tuple[str, str]] = []
        self.select: dict[str, Any] | None = None
        self.option: dict[str, Any] | None = None
        self.textarea: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("action", "").endswith(self.suffix)
        if not self.inside or "disabled" in a:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.pairs.append((a["name"], a.get("value", "on")))
            elif kind not in ("submit", "button", "file"):
                self.pairs.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self.select = {"name": a.get("name"), "multiple": "multiple" in a, "options": []}
        elif tag == "option" and self.select is not None:
            self.option = {"value": a.get("value"), "selected": "selected" in a, "text": ""}
            self.select["options"].append(self.option)
        elif tag == "textarea":
            self.textarea = {"name": a.get("name"), "text": ""}

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.textarea["text"] += data
        elif self.option is not None:
            self.option["text"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select is not None:
            options = self.select["options"]
            chosen = [o for o in options if o["selected"]]
            if not chosen and not self.select["multiple"] and options:
                chosen = options[:1]
            for o in chosen:
                value = o["value"] if o["value"] is not None else o["text"]
                self.pairs.append((self.select["name"], value))
            self.select = None
        elif tag == "option":
            self.option = None
        elif tag == "textarea" and self.textarea is not None:
            text = self.textarea["text"]
            text = text[1:] if text.startswith("\n") else text
            self.pairs.append((self.textarea["name"], text.replace("\n", "\r\n")))
            self.textarea = None

    def data(self) -> dict[str, Any]:
        """As the gateway's form_data gives it: a list for names that repeat."""
        out: dict[str, Any] = {}
        for name, value in self.pairs:
            if name in out:
                out[name] = [*(out[name] if isinstance(out[name], list) else [out[name]]), value]
            else:
                out[name] = value
        return out
