"""The real processes end to end: widget-style REST calls → Rasa → actions → directory."""

from __future__ import annotations

import pytest
import yaml

from tests.conftest import PROJECT_ROOT, http_status, new_sender

pytestmark = pytest.mark.stack


def _response_texts(name: str) -> set[str]:
    texts = set()
    for path in (PROJECT_ROOT / "domain").glob("*.yml"):
        responses = (yaml.safe_load(path.read_text()) or {}).get("responses", {})
        texts |= {variant["text"].strip() for variant in responses.get(name, [])}
    return texts


def test_hi_gets_a_greeting(stack):
    greetings = _response_texts("utter_greet")
    assert greetings, "the domain defines utter_greet"
    replies = [m.get("text", "").strip() for m in stack.send(new_sender(), "hi")]
    assert any(reply in greetings for reply in replies), replies


def test_a_directory_question_reaches_the_directory(stack):
    import sqlalchemy

    reply = stack.texts(new_sender(), "I need a refuge in Westminster")
    engine = sqlalchemy.create_engine(stack.database_url, future=True)
    with engine.connect() as connection:
        names = connection.execute(sqlalchemy.text("select name from service")).scalars().all()
    engine.dispose()
    assert any(name in reply for name in names), reply


def test_the_http_api_is_off(stack):
    # --enable-api would expose whole transcripts here.
    assert http_status(f"{stack.rasa_url}/conversations/x/tracker") in (401, 403, 404, 405)
    assert http_status(f"{stack.rasa_url}/model/parse", "POST") in (401, 403, 404, 405)


def test_the_web_app_answers(stack):
    assert http_status(f"{stack.web_url}/healthz") == 200
