"""The public API's lists in the one envelope: pages join up, cursors are checked."""

import json

import pytest
from fastapi import Response

from htk_gateway.api_contract import as_page, cursor_value, page_in_memory
from htk_runtime.errors import DomainError
from htk_runtime.listing import Page, encode_cursor

CODES = [{"code": f"{n:03d}"} for n in range(7, 0, -1)]


def test_a_short_list_pages_in_order_without_gaps() -> None:
    seen, cursor = [], None
    while True:
        page = page_in_memory(CODES, 3, cursor, "code")
        assert page.limit == 3 and len(page.items) <= 3
        seen += [item["code"] for item in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == sorted(c["code"] for c in CODES)


@pytest.mark.parametrize(
    "cursor", [encode_cursor({"code": 5}), encode_cursor({"other": "001"}), "not-a-cursor"]
)
def test_a_made_up_cursor_is_refused_naming_it(cursor: str) -> None:
    with pytest.raises(DomainError) as refused:
        page_in_memory(CODES, 3, cursor, "code")
    assert refused.value.status_code == 422 and refused.value.field == "cursor"


def test_a_cursor_carries_the_services_own_position() -> None:
    assert cursor_value(encode_cursor({"offset": 40}), "offset", lambda v: isinstance(v, int)) == 40
    assert cursor_value(None, "offset", lambda v: True) is None
    with pytest.raises(DomainError):
        cursor_value(encode_cursor({"offset": True}), "offset", lambda v: isinstance(v, int))


def test_answers_become_pages_and_refusals_pass() -> None:
    listed = Response(json.dumps([{"code": "001"}]), media_type="application/json")
    page = as_page(listed, lambda body: Page[dict[str, str]](items=body, limit=50))
    assert json.loads(bytes(page.body)) == {
        "items": [{"code": "001"}],
        "next_cursor": None,
        "limit": 50,
    }
    refused = Response(b'{"message": "no"}', status_code=403)
    assert as_page(refused, lambda body: Page[dict[str, str]](items=[], limit=1)) is refused
    # A service already answering in the envelope is relayed as it is.
    enveloped = Response(json.dumps({"items": [], "next_cursor": None, "limit": 5}))
    assert as_page(enveloped, lambda body: Page[dict[str, str]](items=[], limit=1)) is enveloped
