"""Where the index lives (issue 16, case 9): the user's data directory, the same from any folder;
ASSISTANT_HOME overrides it; an index in the old place (./.assistant) is pointed out with how to
move it. Settings from the environment are checked."""

import pytest

from assistant.config import APP_NAME, load_settings, old_home_notice
from assistant.errors import AssistantError


@pytest.fixture
def data_home(tmp_path, monkeypatch):
    monkeypatch.delenv("ASSISTANT_HOME", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # platformdirs' user data dir on Linux
    return tmp_path / "data" / APP_NAME


def test_the_index_home_is_the_same_from_any_folder(data_home, tmp_path, monkeypatch):
    homes = []
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        monkeypatch.chdir(tmp_path / folder)
        settings = load_settings()
        homes.append(settings.home)
        assert settings.default_home and old_home_notice(settings) is None
    assert homes == [data_home, data_home]
    monkeypatch.setenv("ASSISTANT_HOME", str(tmp_path / "mine"))
    assert load_settings().home == tmp_path / "mine" and not load_settings().default_home


def test_an_index_in_the_old_place_is_pointed_out(data_home, tmp_path, monkeypatch):
    (tmp_path / "w" / ".assistant" / "index").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "w")
    note = old_home_notice(load_settings())
    assert "holds an index from an older version" in note and f"mv '{tmp_path / 'w' / '.assistant'}' '{data_home}'" in note
    (data_home / "index").mkdir(parents=True)
    (data_home / "index" / "current").symlink_to(data_home)
    assert "which is not used" in old_home_notice(load_settings())
    monkeypatch.setenv("ASSISTANT_HOME", str(tmp_path / "w" / ".assistant"))
    assert old_home_notice(load_settings()) is None


@pytest.mark.parametrize("name,value", [("ASSISTANT_MAX_FILE_MB", "lots"), ("ASSISTANT_MAX_FILE_MB", "-1"),
                                        ("ASSISTANT_REQUEST_SECONDS", "inf"), ("ASSISTANT_FOLLOW_SYMLINKS", "maybe")])
def test_bad_settings_are_one_line(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(AssistantError, match=name):
        load_settings()


def test_limits_from_the_environment(monkeypatch):
    monkeypatch.setenv("ASSISTANT_MAX_FILE_MB", "5")
    monkeypatch.setenv("ASSISTANT_FOLLOW_SYMLINKS", "1")
    monkeypatch.setenv("ASSISTANT_LOG_QUERIES", "yes")
    settings = load_settings()
    assert settings.limits.max_file_mb == 5 and settings.limits.follow_outside_links and settings.log_queries
