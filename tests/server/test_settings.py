"""Settings from defaults, a TOML file and PRODREADY_* variables."""

from __future__ import annotations

from pathlib import Path

import pytest

from prodready.server import ENV_VARIABLES, SettingsError, load_settings
from prodready.server._settings import DEFAULT_MAX_BODY_BYTES, normalise_database_url


def test_defaults() -> None:
    settings = load_settings(environ={})
    assert settings.database_url.startswith("sqlite:///")
    assert settings.database_url.endswith("/prodready/prodready.db")
    assert settings.public_reads is True
    assert settings.badges_public is True
    assert settings.max_body_bytes == DEFAULT_MAX_BODY_BYTES == 5 * 1024 * 1024
    assert settings.notify_score_drop == 5.0
    assert settings.sqlite_synchronous == "FULL"


def test_environment_overrides_file_and_overrides_win(tmp_path: Path) -> None:
    config = tmp_path / "server.toml"
    config.write_text(
        '[server]\ndatabase_url = "sqlite:///from-file.db"\nnotify_score_drop = 3\n'
        "public_reads = false\n"
        '[[server.webhooks]]\nname = "ops"\nurl = "https://hooks.example/x"\nformat = "slack"\n'
    )
    env = {
        "PRODREADY_CONFIG": str(config),
        "PRODREADY_NOTIFY_SCORE_DROP": "7.5",
        "PRODREADY_DATABASE_URL": "postgres://u:p@db/prodready",
    }
    settings = load_settings(environ=env)
    assert settings.notify_score_drop == 7.5
    assert settings.public_reads is False
    assert settings.badges_public is False
    assert settings.database_url == "postgresql+psycopg://u:p@db/prodready"
    assert settings.dialect == "postgresql"
    assert [w.name for w in settings.webhooks] == ["ops"]
    assert load_settings(environ=env, public_reads=True, log_level=None).public_reads is True


def test_webhooks_from_json_environment() -> None:
    env = {"PRODREADY_WEBHOOKS": '[{"name": "a", "url": "http://127.0.0.1:9/x"}]'}
    assert load_settings(environ=env).webhooks[0].format == "json"
    with pytest.raises(SettingsError, match="PRODREADY_WEBHOOKS is not valid JSON"):
        load_settings(environ={"PRODREADY_WEBHOOKS": "[{"})


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"PRODREADY_MAX_BODY_BYTES": "ten"}, "PRODREADY_MAX_BODY_BYTES"),
        ({"PRODREADY_PUBLIC_READS": "maybe"}, "PRODREADY_PUBLIC_READS"),
        ({"PRODREADY_DATABASE_URL": "mysql://x/y"}, "unsupported database"),
        ({"PRODREADY_DATABASE_URL": "postgresql+asyncpg://x/y"}, "postgresql+psycopg"),
        ({"PRODREADY_WEBHOOKS": '[{"name": "a b", "url": "ftp://x"}]'}, "webhooks.0"),
        ({"PRODREADY_LOG_LEVEL": "loud"}, "PRODREADY_LOG_LEVEL"),
    ],
)
def test_bad_values_name_the_variable(env: dict[str, str], needle: str) -> None:
    with pytest.raises(SettingsError, match="invalid server settings") as caught:
        load_settings(environ=env)
    assert needle in str(caught.value)


def test_config_file_problems(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="does not exist"):
        load_settings(config_file=tmp_path / "missing.toml", environ={})
    broken = tmp_path / "broken.toml"
    broken.write_text("[server\n")
    with pytest.raises(SettingsError, match="invalid TOML"):
        load_settings(config_file=broken, environ={})
    unknown = tmp_path / "unknown.toml"
    unknown.write_text("[server]\ncolour = 'blue'\n")
    with pytest.raises(SettingsError, match=r"unknown\.toml") as caught:
        load_settings(config_file=unknown, environ={})
    assert "colour: Extra inputs are not permitted" in str(caught.value)


def test_plain_paths_become_sqlite_urls(tmp_path: Path) -> None:
    assert normalise_database_url(str(tmp_path / "x.db")) == f"sqlite:///{tmp_path / 'x.db'}"
    assert normalise_database_url("postgresql://h/db") == "postgresql+psycopg://h/db"


def test_every_variable_is_documented() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "server.md").read_text()
    for name in (*ENV_VARIABLES, "PRODREADY_CONFIG", "PRODREADY_SERVER", "PRODREADY_TOKEN"):
        assert name in docs, f"{name} is missing from docs/server.md"
