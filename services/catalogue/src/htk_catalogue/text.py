"""Normal forms used to compare what people type: emails and organisation names."""

import re
import unicodedata

# Deliberately simple: one @, something before it, a dotted domain after, no spaces. Whether the
# address works is proven by the login link sent there, not by a pattern.
EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")
LEGAL_SUFFIXES = re.compile(
    r"\b(ry|r\.y\.|rf|r\.f\.|oy|ab|oyj|abp|ky|tmi|sr|säätiö|stiftelse)\.?$", re.IGNORECASE
)


def normalise_email(value: str) -> str:
    text = value.strip()
    if len(text) > 254 or not EMAIL.match(text):
        raise ValueError(f"{text!r} is not an email address")
    return text


def email_key(email: str) -> str:
    return email.strip().casefold()


def name_key(name: str) -> str:
    """'Mieli  ry', 'MIELI r.y.' and 'Mieli' compare equal; accents stay (ä is not a)."""
    text = unicodedata.normalize("NFC", name).casefold().strip()
    text = LEGAL_SUFFIXES.sub("", text)
    text = re.sub(r"[^\w]+", " ", text)
    return " ".join(text.split())
