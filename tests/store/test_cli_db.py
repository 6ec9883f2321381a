"""``brug db``: upgrade and report, with exit code 2 and a sentence on operator mistakes."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from gateway.cli import app
from gateway.store import Store
from gateway.store.migrate import upgrade

runner = CliRunner()


def test_upgrade_then_current(sqlite_url: str) -> None:
    first = runner.invoke(app, ["db", "upgrade", "--url", sqlite_url])
    assert first.exit_code == 0, first.output
    assert "upgraded from empty to 0005" in first.output
    again = runner.invoke(app, ["db", "upgrade", "--url", sqlite_url])
    assert "already at 0005" in again.output
    current = runner.invoke(app, ["db", "current", "--url", sqlite_url])
    assert "up to date" in current.output


def test_upgrade_from_an_existing_0002_database(sqlite_url: str) -> None:
    store = Store(sqlite_url)
    upgrade(store, "0002")
    store.dispose()
    result = runner.invoke(app, ["db", "upgrade", "--url", sqlite_url])
    assert result.exit_code == 0, result.output
    assert "upgraded from 0002 to 0005" in result.output


def test_url_from_environment(sqlite_url: str) -> None:
    result = runner.invoke(app, ["db", "upgrade"], env={"BRUG_DATABASE_URL": sqlite_url})
    assert result.exit_code == 0, result.output


def test_operator_mistakes_exit_2_without_traceback() -> None:
    for args in (
        ["db", "upgrade"],
        ["db", "upgrade", "--url", "nonsense"],
        ["db", "upgrade", "--url", "postgresql+psycopg://nobody@127.0.0.1:1/none"],
        ["db", "current", "--url", "sqlite:////nonexistent/dir/x.db"],
    ):
        result = runner.invoke(app, args, env={"BRUG_DATABASE_URL": ""})
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output
        assert "error:" in result.output


def test_without_url_the_gateway_configuration_names_the_store(
    sqlite_url: str, tmp_path: Path
) -> None:
    # BRUG_STORE__URL, as the service reads it
    result = runner.invoke(
        app, ["db", "upgrade"], env={"BRUG_DATABASE_URL": "", "BRUG_STORE__URL": sqlite_url}
    )
    assert result.exit_code == 0, result.output
    # else [store] url of the brug.toml in BRUG_CONFIG
    config = tmp_path / "brug.toml"
    config.write_text(
        f'[store]\nurl = "sqlite:///{tmp_path / "from-config.db"}"\n'
        '[pki]\nkey = "k.pem"\ncert = "c.pem"\ntrust = ["ca.pem"]\n'
        '[audit]\ninsz_hash_key = "0123456789abcdef0123456789abcdef"\n',
        encoding="utf-8",
    )
    env = {"BRUG_DATABASE_URL": None, "BRUG_STORE__URL": None, "BRUG_CONFIG": str(config)}
    result = runner.invoke(app, ["db", "upgrade"], env=env)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "from-config.db").exists()
