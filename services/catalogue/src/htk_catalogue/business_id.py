"""The Finnish Business ID (Y-tunnus): seven digits, a hyphen and a check digit.

The check digit is 11 minus the weighted sum (weights 7, 9, 10, 5, 8, 4, 2) modulo 11; a
remainder of 0 gives 0, and a remainder of 1 is never issued.
"""

import re

FORMAT = re.compile(r"^([0-9]{7})-([0-9])$")
WEIGHTS = (7, 9, 10, 5, 8, 4, 2)


def check_digit(digits: str) -> int | None:
    remainder = sum(int(d) * w for d, w in zip(digits, WEIGHTS, strict=True)) % 11
    if remainder == 1:
        return None
    return 0 if remainder == 0 else 11 - remainder


def normalise_business_id(value: str) -> str:
    """The Business ID in its canonical form, or ValueError saying what is wrong."""
    text = value.strip()
    # Old IDs were issued with six digits; the register writes them with a leading zero.
    if re.fullmatch(r"[0-9]{6}-[0-9]", text):
        text = "0" + text
    match = FORMAT.match(text)
    if not match:
        raise ValueError("a Business ID is seven digits, a hyphen and a check digit: 1234567-8")
    expected = check_digit(match.group(1))
    if expected is None or expected != int(match.group(2)):
        raise ValueError(f"{text} is not a valid Business ID: its check digit does not match")
    return text
