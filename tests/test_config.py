"""Configuration precedence: defaults < instance/config.py < LMS_* environment < create_app()."""
from __future__ import annotations

import stat

from lms import create_app


def test_defaults_apply_when_nothing_is_set(app_factory, tmp_path):
    """Without any setting an installation has a 7-day invitation and a 10-character minimum."""
    app = app_factory(INSTANCE_PATH=tmp_path / "fresh")
    assert app.config["INVITATION_MAX_AGE"] == 7 * 24 * 3600
    assert app.config["MIN_PASSWORD_LENGTH"] == 10
    assert app.config["MAIL_SERVER"] is None
    assert app.config["LOGIN_LIMIT"] == "5 per minute"


def test_instance_file_then_environment_then_code(app_factory, tmp_path, monkeypatch):
    """instance/config.py overrides a default, LMS_* overrides the file, create_app() wins."""
    instance = tmp_path / "configured"
    instance.mkdir()
    (instance / "config.py").write_text(
        'MAIL_SERVER = "smtp.file.example"\nMAIL_PORT = 2525\nHOURS_BENCHMARK = 100\n'
        'LOGIN_LIMIT = "3 per minute"\n')
    monkeypatch.setenv("LMS_MAIL_PORT", "2626")
    monkeypatch.setenv("LMS_MAIL_USE_TLS", "yes")
    monkeypatch.setenv("LMS_LOGIN_LIMIT", "4 per minute")
    monkeypatch.setenv("LMS_LANGUAGES", '["nl"]')
    app = app_factory(INSTANCE_PATH=instance, LOGIN_LIMIT="9 per minute")
    assert app.config["MIN_PASSWORD_LENGTH"] == 10  # default
    assert app.config["MAIL_SERVER"] == "smtp.file.example"  # file over default
    assert app.config["HOURS_BENCHMARK"] == 100
    assert app.config["MAIL_PORT"] == 2626  # environment over file, converted to int
    assert app.config["MAIL_USE_TLS"] is True
    assert app.config["LANGUAGES"] == ["nl"]
    assert app.config["LOGIN_LIMIT"] == "9 per minute"  # create_app() over everything


def test_secret_key_is_generated_once_and_kept(app_factory, tmp_path):
    """Without a configured key, one is created in the instance folder and reused on restart,
    so sessions and invitation links survive a restart."""
    instance = tmp_path / "keyed"
    first = app_factory(INSTANCE_PATH=instance, SECRET_KEY=None)
    second = app_factory(INSTANCE_PATH=instance, SECRET_KEY=None)
    other = app_factory(INSTANCE_PATH=tmp_path / "elsewhere", SECRET_KEY=None)
    key_file = instance / "secret_key"
    assert len(first.secret_key) >= 32
    assert first.secret_key == second.secret_key == key_file.read_text().strip()
    assert other.secret_key != first.secret_key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_configured_secret_key_wins(tmp_path, monkeypatch):
    """A key from the environment is used and no key file is written."""
    monkeypatch.setenv("LMS_SECRET_KEY", "from-the-environment")
    app = create_app({"INSTANCE_PATH": tmp_path / "envkey", "TESTING": True,
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite'}"})
    assert app.secret_key == "from-the-environment"
    assert not (tmp_path / "envkey" / "secret_key").exists()
