"""The feed is rebuilt when the directory's data version moves; while one request rebuilds it,
others are answered from the version before instead of waiting."""

from __future__ import annotations

from directory.db import session_scope
from directory.oruk import feed
from directory.store import apply_service_change


def _description(url: str) -> str:
    return feed.current_feed(url).services["test-drop-in"].full["description"]


def test_a_write_rebuilds_and_a_rebuild_under_way_serves_the_version_before(url):
    before = feed.current_feed(url)
    assert feed.current_feed(url) is before  # nothing written: the same feed
    with session_scope(url) as session:
        apply_service_change(session, "test-drop-in", {"description": "Changed."})
    with feed._lock:  # as if another request were rebuilding
        assert feed.current_feed(url) is before
    assert _description(url) == "Changed."
    assert feed.current_feed(url).version > before.version


def test_with_no_feed_yet_a_request_builds_one(url):
    feed._feeds.pop(url, None)
    assert _description(url) == "Walk-in advice on housing and safety."
