"""Path parameters reach the services as the text they were, never as URL syntax."""

from htk_gateway.api.upstream import Upstreams


def test_query_fragment_and_control_characters_stay_in_the_path() -> None:
    upstreams = Upstreams({"submissions": "http://submissions"}, 1.0)
    assert (
        upstreams.url("submissions", "/actions/a1-B_2.c~") == "http://submissions/actions/a1-B_2.c~"
    )
    assert (
        upstreams.url("submissions", "/actions/x?organisation_id=o1#y\x1f%20 ä")
        == "http://submissions/actions/x%3Forganisation_id=o1%23y%1F%2520%20%C3%A4"
    )
