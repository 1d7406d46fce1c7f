"""Rasa's own checks over the training data and the conversation tests."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import MODEL, PROJECT_ROOT

RASA = [sys.executable, "-m", "rasa"]


def _run(args: list[str], timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run(
        RASA + args, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=timeout
    )


def test_training_data_validates_without_warnings():
    result = _run(
        [
            "data",
            "validate",
            "--domain",
            "domain",
            "--data",
            "data",
            "--config",
            "config.yml",
            "--fail-on-warnings",
        ]
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]


@pytest.mark.slow
def test_conversation_tests_pass(tmp_path):
    if not MODEL.exists():
        pytest.fail(f"No trained model at {MODEL}: run `make model`.")
    result = _run(
        [
            "test",
            "core",
            "--model",
            str(MODEL),
            "--stories",
            "tests/conversations",
            "--endpoints",
            "endpoints.yml",
            "--out",
            str(tmp_path),
            "--fail-on-prediction-errors",
        ]
    )
    failed = tmp_path / "failed_test_stories.yml"
    detail = failed.read_text() if failed.exists() else result.stdout[-4000:]
    assert result.returncode == 0, detail + result.stderr[-4000:]
