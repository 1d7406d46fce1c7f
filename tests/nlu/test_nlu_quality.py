"""NLU quality, measured by the real `rasa test nlu` and asserted from its reports.

- Held-out set (tests/nlu/held_out.yml, never trained on) against the trained model:
  intent accuracy >= 0.92, recall of immediate_danger exactly 1.0, borough/need/strand
  entity F1 >= 0.95 each.
- 5-fold cross-validation over all of data/ (teammates' intents included): intent macro-F1
  >= 0.95, on a seeded split so that it measures the data. It trains five times, so it leaves
  out the ResponseSelector (FAQ answers are measured on the held-out set instead); the intent
  pipeline is exactly config.yml's.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import MODEL, PROJECT_ROOT, nlu_examples

HELD_OUT = Path(__file__).parent / "held_out.yml"
ENTITY_EXTRACTOR = "GazetteerEntityExtractor"

pytestmark = pytest.mark.slow


def rasa(args: list[str], timeout: int = 1800) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "rasa", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def report(out: Path, name: str) -> dict:
    path = out / name
    assert path.exists(), f"rasa wrote no {name}: {sorted(p.name for p in out.iterdir())}"
    return json.loads(path.read_text())


@pytest.fixture(scope="module")
def held_out_reports(tmp_path_factory):
    if not MODEL.exists():
        pytest.fail(f"No trained model at {MODEL}: run `make model`.")
    out = tmp_path_factory.mktemp("held-out")
    rasa(
        ["test", "nlu", "--model", str(MODEL), "--nlu", str(HELD_OUT), "--out", str(out)]
        + ["--successes"]
    )
    return out


def test_held_out_set_is_large_and_separate_from_training_data():
    def examples(path: Path) -> set[str]:
        return {text.lower() for _, text, _ in nlu_examples(path)}

    held_out = examples(HELD_OUT)
    training = set().union(*(examples(p) for p in (PROJECT_ROOT / "data").rglob("*.yml")))
    assert len(held_out) >= 150
    assert not held_out & training


def test_held_out_intent_accuracy(held_out_reports):
    intents = report(held_out_reports, "intent_report.json")
    print(f"held-out intent accuracy: {intents['accuracy']:.3f}")
    assert intents["accuracy"] >= 0.92


def test_held_out_danger_recall_is_total(held_out_reports):
    danger = report(held_out_reports, "intent_report.json")["immediate_danger"]
    missed = [
        e["text"]
        for e in report(held_out_reports, "intent_errors.json")
        if e["intent"] == "immediate_danger"
    ] if (held_out_reports / "intent_errors.json").exists() else []  # fmt: skip
    assert danger["recall"] == 1.0, missed


def _value_examples(held_out_reports) -> list[dict]:
    return report(held_out_reports, f"{ENTITY_EXTRACTOR}_errors.json") + report(
        held_out_reports, f"{ENTITY_EXTRACTOR}_successes.json"
    )


def _guessed(entity: dict) -> bool:
    # The learned guessers' entities (bot/nlp/guesser.py) alone carry a confidence.
    return entity.get("confidence") is not None


@pytest.mark.parametrize("entity", ["borough", "need", "strand"])
def test_held_out_entity_f1(held_out_reports, entity):
    """F1 over the canonical values the gazetteer's phrases yield. Rasa's own entity report
    scores token spans: "boss took my passport" against the labelled "took my passport" counts
    as a miss there, though both give modern-slavery. These labels mark the words that name a
    strand; the strand guesser reads a whole message that names none ("he's choking me now":
    domestic abuse), which only the end-to-end set can score (tests/e2e)."""
    true_pos = false_pos = false_neg = 0
    for example in _value_examples(held_out_reports):
        gold = {e["value"] for e in example["entities"] if e["entity"] == entity}
        found = {
            e["value"]
            for e in example["predicted_entities"]
            if e["entity"] == entity and not _guessed(e)
        }
        true_pos += len(gold & found)
        false_pos += len(found - gold)
        false_neg += len(gold - found)
    f1 = 2 * true_pos / (2 * true_pos + false_pos + false_neg)
    print(f"held-out {entity} value F1: {f1:.3f}")
    assert f1 >= 0.95


# Messages that describe nothing: a strand guessed there would narrow the answer for no reason.
# Measured 2026-12-03: 3 of 62.
_DESCRIBE_NOTHING = re.compile(r"^(faq/|greet|goodbye|thanks|affirm|deny|skip|show_more|change_)")


def test_the_strand_guesser_keeps_quiet_on_messages_that_describe_nothing(held_out_reports):
    quiet = {
        text
        for intent, text, annotated in nlu_examples(HELD_OUT)
        if _DESCRIBE_NOTHING.match(intent) and '"entity": "strand"' not in annotated
    }
    # Rasa reports only the messages with an entity found or labelled.
    guessed = {
        example["text"]
        for example in _value_examples(held_out_reports)
        if example["text"] in quiet
        and any(e["entity"] == "strand" and _guessed(e) for e in example["predicted_entities"])
    }
    assert len(quiet) >= 50
    print(f"strand guessed on {len(guessed)} of {len(quiet)} messages that describe nothing")
    assert len(guessed) / len(quiet) <= 0.05, sorted(guessed)


def test_held_out_faq_answers_are_selected(held_out_reports):
    selection = report(held_out_reports, "response_selection_report.json")
    print(f"held-out FAQ response accuracy: {selection['accuracy']:.3f}")
    assert selection["accuracy"] >= 0.85


def _fast_config(path: Path) -> Path:
    """config.yml without the ResponseSelector (it runs after intent classification and never
    changes the intent), so five trainings stay quick (about 3 minutes here)."""
    config = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text())
    config["pipeline"] = [
        c for c in config["pipeline"] if not c["name"].endswith("ResponseSelector")
    ]
    config_path = path / "config.yml"
    config_path.write_text(yaml.safe_dump(config, sort_keys=False))
    return config_path


# Issue 4: a cross-validated intent macro-F1 of at least 0.95. Measured 2026-11-23: 0.957
# (0.74 on 2026-11-22, before the training data grew fourfold).
CV_MACRO_F1_TARGET = 0.95

# Rasa shuffles the examples into folds with numpy's global generator and no seed, so each run
# would measure a different split. Seeded like training, the same data gives the same figure.
SEEDED_RASA = (
    "import random, sys, numpy; random.seed(7); numpy.random.seed(7); "
    "from rasa.__main__ import main; sys.argv[0] = 'rasa'; main()"
)


def test_cross_validation_intent_macro_f1(tmp_path):
    out = tmp_path / "cv"
    result = subprocess.run(
        [
            sys.executable, "-c", SEEDED_RASA, "test", "nlu", "--nlu", "data",
            "--config", str(_fast_config(tmp_path)),
            "--cross-validation", "--folds", "5", "--out", str(out),
        ],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=2400,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    intents = report(out, "intent_report.json")
    macro_f1 = intents["macro avg"]["f1-score"]
    print(f"cross-validation intent macro-F1: {macro_f1:.3f} (target {CV_MACRO_F1_TARGET})")
    assert macro_f1 >= CV_MACRO_F1_TARGET
