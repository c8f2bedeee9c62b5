"""The internals of habanero and arxiv the sources rely on are still there.

crossref.py swaps the `httpx2` module habanero's request modules call; arxiv.py replaces the
arxiv Client's requests.Session and its query URL. Neither is public API: a release that
moves them must fail here, by name, rather than send requests around our limiter.
"""

from __future__ import annotations

import importlib
import inspect

import pytest

from oflbib.resolvers.crossref import _HttpxForHabanero, _route_habanero_through_transport


@pytest.mark.parametrize("module", ["habanero.request", "habanero.request_class"])
def test_habanero_requests_go_through_a_module_level_httpx2(module) -> None:
    loaded = importlib.import_module(module)
    assert hasattr(loaded, "httpx2"), f"{module} no longer calls httpx2 at module level"
    assert "httpx2.get" in inspect.getsource(loaded), f"{module} no longer calls httpx2.get"
    _route_habanero_through_transport()
    assert isinstance(loaded.httpx2, _HttpxForHabanero)


def test_the_arxiv_client_keeps_its_session_and_query_url() -> None:
    import arxiv
    import requests

    client = arxiv.Client(delay_seconds=0, num_retries=0)
    assert isinstance(client._session, requests.Session)
    assert "{}" in client.query_url_format
    assert "_session" in inspect.getsource(arxiv.Client), "Client no longer uses _session"
    assert {"page_size", "delay_seconds", "num_retries"} <= set(vars(client))
    assert hasattr(arxiv, "HTTPError") and hasattr(arxiv.Result, "get_short_id")
