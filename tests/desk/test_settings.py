import pytest

from desk.settings import DEFAULT_SECRET, SettingsError, load_settings


def test_defaults_in_development(tmp_path):
    s = load_settings({"DUTYDESK_ENV": "development"}, instance_path=tmp_path)
    assert s.timezone == "Asia/Shanghai"
    assert s.port == 5000
    assert s.database_url == f"sqlite:///{tmp_path / 'dutydesk.sqlite'}"
    assert s.secret_key == DEFAULT_SECRET


def test_refuses_default_secret_outside_development(tmp_path):
    with pytest.raises(SettingsError, match="DUTYDESK_SECRET_KEY"):
        load_settings({}, instance_path=tmp_path)


def test_production_with_a_secret(tmp_path):
    s = load_settings({"DUTYDESK_SECRET_KEY": "x" * 40, "DATABASE_URL": "postgresql+psycopg://h/db",
                       "DUTYDESK_PORT": "8080", "DUTYDESK_TIMEZONE": "Europe/Berlin"}, instance_path=tmp_path)
    assert (s.env, s.port, s.database_url, s.tz.key) == ("production", 8080, "postgresql+psycopg://h/db",
                                                         "Europe/Berlin")


@pytest.mark.parametrize("env,message", [({"DUTYDESK_PORT": "eighty"}, "DUTYDESK_PORT"),
                                         ({"DUTYDESK_TIMEZONE": "Mars/Olympus"}, "time zone")])
def test_bad_values_are_refused_clearly(tmp_path, env, message):
    with pytest.raises(SettingsError, match=message):
        load_settings({"DUTYDESK_ENV": "development", **env}, instance_path=tmp_path)


def test_create_app_refuses_default_secret_in_production(tmp_path, monkeypatch):
    from desk.app import create_app

    monkeypatch.delenv("DUTYDESK_ENV", raising=False)
    monkeypatch.delenv("DUTYDESK_SECRET_KEY", raising=False)
    with pytest.raises(SettingsError):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}", "DUTYDESK_ENV": "production"})


def test_secure_cookies_can_be_turned_off_for_plain_http(tmp_path):
    base = {"DUTYDESK_SECRET_KEY": "x" * 40}
    assert load_settings(base, instance_path=tmp_path).secure_cookies is True
    assert load_settings({**base, "DUTYDESK_SECURE_COOKIES": "0"}, instance_path=tmp_path).secure_cookies is False


@pytest.mark.parametrize("env", ["testing", "staging", "production"])
def test_the_built_in_secret_is_for_development_only(tmp_path, env):
    with pytest.raises(SettingsError, match="DUTYDESK_SECRET_KEY"):
        load_settings({"DUTYDESK_ENV": env}, instance_path=tmp_path)


def test_a_short_secret_is_refused(tmp_path):
    with pytest.raises(SettingsError, match="at least 32"):
        load_settings({"DUTYDESK_SECRET_KEY": "x" * 31}, instance_path=tmp_path)
    assert load_settings({"DUTYDESK_SECRET_KEY": "x" * 32}, instance_path=tmp_path).secret_key == "x" * 32


def test_proxy_hops(tmp_path):
    base = {"DUTYDESK_ENV": "development"}
    assert load_settings(base, instance_path=tmp_path).proxy_hops == 0
    assert load_settings({**base, "DUTYDESK_PROXY_HOPS": "2"}, instance_path=tmp_path).proxy_hops == 2
    with pytest.raises(SettingsError, match="DUTYDESK_PROXY_HOPS"):
        load_settings({**base, "DUTYDESK_PROXY_HOPS": "-1"}, instance_path=tmp_path)
