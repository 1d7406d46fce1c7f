"""Start-up guards: a store that would keep conversations, or logging that would show them,
stops the server before it serves anything."""

from __future__ import annotations

import socket
import subprocess
import sys
import textwrap

import pytest

from bot import launcher, logging_setup, rasa_server
from bot.tracker_store import UnsafeConfiguration
from tests.conftest import MODEL, PROJECT_ROOT, free_port

BROKEN_STORE = "tracker_store:\n  type: bot.tracker_store.EphemeralInMemoryTrackerStor\n"


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_launcher_refuses_a_broken_tracker_store_and_starts_nothing(tmp_path):
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(BROKEN_STORE)
    ports = [free_port() for _ in range(3)]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "--rasa-port",
            str(ports[0]),
            "--actions-port",
            str(ports[1]),
            "--web-port",
            str(ports[2]),
            "--model",
            str(MODEL),
            "--endpoints",
            str(endpoints),
        ],  # fmt: skip
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "EphemeralInMemoryTrackerStor' cannot be loaded" in result.stderr
    assert "Refusing to start" in result.stderr
    assert "The stack is up" not in result.stdout
    assert not any(_listening(port) for port in ports)


def test_the_rasa_wrapper_refuses_a_broken_tracker_store_itself(tmp_path):
    # Even when started without the launcher, Rasa never serves with a fallback store.
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(BROKEN_STORE)
    port = free_port()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.rasa_server",
            "run",
            "--model",
            str(MODEL),
            "--port",
            str(port),
            "--endpoints",
            str(endpoints),
            "--credentials",
            str(PROJECT_ROOT / "credentials.yml"),
        ],  # fmt: skip
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "error: Rasa not started." in result.stderr
    assert "cannot be loaded" in result.stderr
    assert not _listening(port)


def test_inside_rasa_the_silent_fallbacks_are_errors():
    # In a fresh interpreter: the guards patch Rasa, which must not leak into this test process.
    script = textwrap.dedent(
        """
        from rasa.core.agent import Agent
        from rasa.core.tracker_store import InMemoryTrackerStore, TrackerStore
        from rasa.shared.core.domain import Domain
        from rasa.utils.endpoints import ClientResponseError, EndpointConfig
        from bot.rasa_server import install_guards
        from bot.tracker_store import UnsafeConfiguration

        unguarded = TrackerStore.create(EndpointConfig(type="bot.nope.Store"))
        assert type(unguarded) is InMemoryTrackerStore, type(unguarded)  # Rasa's fallback
        install_guards()
        try:
            TrackerStore.create(EndpointConfig(type="bot.nope.Store"))
        except UnsafeConfiguration as error:
            assert "cannot be loaded" in str(error)
        else:
            raise AssertionError("fell back")
        store = TrackerStore.create(
            EndpointConfig(type="bot.tracker_store.EphemeralInMemoryTrackerStore", ttl_seconds=9)
        )
        assert Agent._create_tracker_store(store, Domain.empty()) is store  # no FailSafe wrapper
        try:
            Agent._create_tracker_store(InMemoryTrackerStore(Domain.empty()), Domain.empty())
        except UnsafeConfiguration:
            pass
        else:
            raise AssertionError("accepted a store that keeps conversations")
        error = ClientResponseError(500, "Internal Server Error", '{"tracker": "secret words"}')
        assert "secret words" not in str(error) and "secret words" in error.text
        print("guarded")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    assert result.stdout.strip().endswith("guarded"), result.stderr[-3000:]


@pytest.mark.parametrize(
    "option", ["--enable-api", "--debug", "-vv", "--verbose", "--log-file=/tmp/x.log"]
)
def test_options_that_expose_conversations_are_refused(option):
    with pytest.raises(UnsafeConfiguration, match="not allowed"):
        rasa_server.check_arguments(["run", "--model", "models", option])


def test_the_rasa_run_configuration_is_quiet_and_telemetry_free(tmp_path):
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text((PROJECT_ROOT / "endpoints.yml").read_text())
    environ = {}
    argv = rasa_server.prepare(["run", "--endpoints", str(endpoints)], environ)
    assert "--quiet" in argv
    assert environ["RASA_TELEMETRY_ENABLED"] == "false"
    assert environ["LOG_LEVEL"] == "WARNING"
    env = launcher.child_environment({})
    assert env["RASA_TELEMETRY_ENABLED"] == "false"
    assert env["LOG_LEVEL"] == "WARNING"


@pytest.mark.parametrize("level", ["DEBUG", "INFO", "debug", "NOTSET", "verbose"])
def test_log_levels_below_warning_are_refused(level):
    with pytest.raises(logging_setup.UnsafeLogging):
        logging_setup.check_environment({"LOG_LEVEL": level})


def test_structured_log_fields_that_carry_text_are_redacted():
    event = {"event": "rest.message.received.failure", "text": "secret", "user_text": "secret"}
    assert logging_setup.redact(None, "error", event) == {
        "event": "rest.message.received.failure",
        "text": "[redacted]",
        "user_text": "[redacted]",
    }


def test_the_launcher_starts_rasa_and_actions_through_the_guarding_wrappers():
    args = launcher.parse_args([])
    argv = {child.name: child.argv for child in launcher.build_children(args, PROJECT_ROOT)}
    assert argv["rasa"][1:3] == ["-m", "bot.rasa_server"]
    assert argv["actions"][1:3] == ["-m", "bot.actions_server"]
    assert "--enable-api" not in argv["rasa"]
    cors = argv["rasa"][argv["rasa"].index("--cors") + 1 :]
    assert cors and "*" not in cors
    assert args.endpoints == PROJECT_ROOT / "endpoints.yml"


def test_a_broken_store_is_refused_by_the_launcher_check(tmp_path):
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(BROKEN_STORE)
    with pytest.raises(launcher.LaunchError, match="cannot be loaded"):
        launcher.check_tracker_store(endpoints)


def test_action_replies_are_still_validated_with_the_validator_built_once():
    # In a fresh interpreter, like the test above: install_guards patches Rasa globally.
    script = textwrap.dedent(
        """
        from jsonschema import ValidationError
        from rasa.core.actions.action import RemoteAction
        from bot.rasa_server import _action_result_validator, install_guards

        install_guards()
        action = RemoteAction("action_x", None)
        good = {"events": [{"event": "slot", "name": "borough", "value": "westminster"}],
                "responses": [{"text": "hello"}]}
        assert action._validate_action_result(good) is True
        for bad in ({"events": "not a list"}, {"events": [{"no_event_key": 1}]}):
            try:
                action._validate_action_result(bad)
            except ValidationError as error:
                assert "Failed to validate Action server response" in error.message
            else:
                raise AssertionError(f"accepted {bad}")
        assert _action_result_validator.cache_info().misses == 1
        print("validated")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0 and "validated" in result.stdout, result.stderr[-3000:]
