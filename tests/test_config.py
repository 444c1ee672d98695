"""Working folders: data, runs and figures go under the current directory (or $MTLIB_HOME),
never into the package."""

from pathlib import Path

import pytest

import mtlib
from mtlib import folders
from mtlib.harness import config


@pytest.fixture
def plain_env(monkeypatch):
    for name in ("MTLIB_HOME", "MTLIB_DATA", "MTLIB_RUNS", "MTLIB_FIGURES"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_folders_follow_the_current_directory(plain_env, tmp_path):
    plain_env.chdir(tmp_path)
    profile = config.get_profile("smoke")
    assert folders.figures_dir() == tmp_path / "figures" and (tmp_path / "figures").is_dir()
    assert profile.dataset_dir() == tmp_path / "data" / "smoke"
    assert profile.run_dir() == tmp_path / "runs" / "smoke"
    assert config.FIELD_PROFILES["field_smoke"].run_dir() == tmp_path / "runs" / "field_smoke"
    package = Path(mtlib.__file__).parent
    assert package not in folders.figures_dir().parents


def test_environment_moves_them(plain_env, tmp_path):
    plain_env.chdir(tmp_path)
    plain_env.setenv("MTLIB_HOME", str(tmp_path / "home"))
    assert folders.data_root() == tmp_path / "home" / "data"
    plain_env.setenv("MTLIB_RUNS", str(tmp_path / "elsewhere"))
    assert folders.runs_root() == tmp_path / "elsewhere"
    assert folders.data_root() == tmp_path / "home" / "data"
