"""Column headers of the exports in the reader's language, with the codes beside the names.

A table's keys (``by_org_type:ngo``) stay the second header row, so a program reading the file
finds the same columns whatever the language; without a language only the keys are written.
"""

from htk_reporting.output.yearly import Lang, messages

# Distribution columns are "<group>:<value>"; a value's label is "value.<prefix><value>".
VALUE_PREFIX = {
    "by_org_type": "orgtype.",
    "by_target_group": "target.",
    "by_dimension": "dimension.",
    "freshness": "freshness.",
}


def column_label(key: str, lang: Lang) -> str:
    words = messages(lang)
    group, _, value = key.partition(":")
    if not value:
        return words.get(f"col.{key}", key)
    heading = words.get(f"group.{group}", group)
    found = words.get(f"value.{VALUE_PREFIX.get(group, '')}{value}") or words.get(f"value.{value}")
    # The code beside the name: the name alone would not say which category a sum came from.
    return f"{heading}: {found} ({value})" if found else f"{heading}: {value}"


def column_labels(keys: list[str], lang: Lang) -> list[str]:
    return [column_label(k, lang) for k in keys]
