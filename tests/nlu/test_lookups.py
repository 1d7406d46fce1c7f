"""data/nlu/lookups.yml's place table is generated from the place names we keep elsewhere."""

from bot.nlp.lookups import LOOKUPS, place_names, with_place_table


def test_the_committed_place_table_is_the_generated_one():
    text = LOOKUPS.read_text()
    assert with_place_table(text) == text, "run python -m bot.nlp.lookups (and retrain)"


def test_the_table_holds_vocabulary_and_gazetteer_names_in_both_cases():
    names = set(place_names())
    assert {"shepherd's bush", "Shepherd'S Bush"} <= names  # vocabulary neighbourhood
    assert {"hamersmith and fulam", "Hamersmith And Fulam"} <= names  # gazetteer misspelling
    assert not names & {"w6", "W6", "reading", "Reading"}  # districts and left-out words


def test_a_new_name_changes_the_table(monkeypatch):
    import bot.nlp.lookups as lookups

    monkeypatch.setattr(lookups, "ADDED", lookups.ADDED | {"nowhere green"})
    text = LOOKUPS.read_text()
    assert "      - Nowhere Green\n" in lookups.with_place_table(text)
    assert lookups.with_place_table(text) != text
