"""Professional phrasing the model never saw: `rasa test nlu` on the held-out file.

Runs Rasa in a subprocess (an in-process Agent would print user text through structlog).
The model is the project's (models/vawg.tar.gz, built by `make model`); VAWG_TEST_MODEL points
at another one, e.g. a private training run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
HELD_OUT = ROOT / "tests" / "nlu" / "held_out_professional.yml"
MODEL = Path(os.environ.get("VAWG_TEST_MODEL", ROOT / "models" / "vawg.tar.gz"))
MIN_INTENT_ACCURACY = 0.92
MIN_DEFINITION_ACCURACY = 0.9


def _examples(path: Path) -> dict[str, str]:
    examples = {}
    for block in (yaml.safe_load(path.read_text()) or {}).get("nlu", []):
        if "intent" not in block:
            continue  # lookup tables and regexes: features, not examples
        for line in (block.get("examples") or "").splitlines():
            if line.strip().startswith("- "):
                examples[line.strip()[2:].strip().lower()] = block["intent"]
    return examples


def test_the_held_out_set_is_big_enough_and_never_trained_on():
    held_out = _examples(HELD_OUT)
    assert len(held_out) >= 60
    trained = {}
    for path in (ROOT / "data" / "nlu").glob("*.yml"):
        trained.update(_examples(path))
    assert not held_out.keys() & trained.keys()


@pytest.mark.slow
def test_professional_intents_on_held_out_messages(tmp_path):
    if not MODEL.exists():
        pytest.fail(f"No trained model at {MODEL}: run `make model` (make test does it first).")
    out = tmp_path / "results"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "rasa",
            "test",
            "nlu",
            "--model",
            str(MODEL),
            "--nlu",
            str(HELD_OUT),
            "--out",
            str(out),
            "--no-plot",
            "--quiet",
        ],  # fmt: skip
        cwd=ROOT,
        check=True,
        capture_output=True,
        env=dict(os.environ, RASA_TELEMETRY_ENABLED="false"),
        timeout=900,
    )
    intents = json.loads((out / "intent_report.json").read_text())
    definitions = json.loads((out / "response_selection_report.json").read_text())
    print(f"held-out intents {intents['accuracy']:.3f}, definitions {definitions['accuracy']:.3f}")
    assert intents["accuracy"] >= MIN_INTENT_ACCURACY, _errors(out)
    assert definitions["accuracy"] >= MIN_DEFINITION_ACCURACY, _errors(out)


def _errors(out: Path) -> str:
    errors = out / "intent_errors.json"
    if not errors.exists():
        return "see the report"
    wrong = json.loads(errors.read_text())
    return "; ".join(
        f"{e['text']!r}: {e['intent']} -> {e['intent_prediction']['name']}" for e in wrong
    )
