"""The office service recipe (deploy/): install.sh run into a temporary prefix without root
(--no-systemd --no-user), linking the venv the tests run in (--venv-from) so that it takes
seconds; the folders, modes, settings file and unit it writes; a second run changing nothing;
one-line failures; and the rendered unit checked by `systemd-analyze verify` where it exists."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "deploy" / "install.sh"
TEMPLATE = ROOT / "deploy" / "school-assistant.service"
VENV = Path(sys.prefix)
UNIT = "school-assistant.service"

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="install.sh needs bash")


def install(prefix: Path, *extra: str, venv: Path | None = VENV) -> subprocess.CompletedProcess:
    args = ["bash", str(SCRIPT), "--prefix", str(prefix), "--no-systemd", "--no-user"]
    if venv is not None:
        args += ["--venv-from", str(venv)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    return subprocess.run(args + list(extra), capture_output=True, text=True, timeout=60, env=env)


def settings(envfile: Path) -> dict[str, str]:
    lines = envfile.read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def errors(result: subprocess.CompletedProcess) -> list[str]:
    """stderr's lines besides warnings (such as a Python under /root, which the unit could not reach)."""
    return [line for line in result.stderr.splitlines() if not line.startswith("warning: ")]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    if not (VENV / "bin" / "assistant").exists():
        pytest.skip(f"{VENV} has no bin/assistant (run bash scripts/setup.sh)")
    prefix = tmp_path_factory.mktemp("service") / "school-assistant"
    result = install(prefix)
    assert result.returncode == 0, result.stdout + result.stderr
    return prefix, result


def test_the_script_parses():
    result = subprocess.run(["bash", "-n", str(SCRIPT)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "set -euo pipefail" in SCRIPT.read_text(encoding="utf-8")


def test_install_makes_folders_venv_and_settings(installed):
    prefix, result = installed
    assert "changed: created" in result.stdout and result.stdout.rstrip().count("\n") >= 5
    for name in ("data", "corpus"):
        assert (prefix / name).is_dir()
        assert mode(prefix / name) == 0o750, name
    # The corpus begins with the shipped documents (a service with an empty corpus cannot start).
    shipped = sorted(p.name for p in (ROOT / "corpus").iterdir())
    assert sorted(p.name for p in (prefix / "corpus").iterdir()) == shipped
    assert (prefix / "venv").is_symlink() and (prefix / "venv").resolve() == VENV.resolve()
    assert os.access(prefix / "venv" / "bin" / "assistant", os.X_OK)

    envfile = prefix / "assistant.env"
    assert mode(envfile) == 0o600
    values = settings(envfile)
    assert values["ASSISTANT_HOME"] == f"{prefix}/data"
    assert values["ASSISTANT_CORPUS"] == f"{prefix}/corpus"
    assert re.fullmatch(r"[0-9a-f]{64}", values["ASSISTANT_API_KEY"])
    assert values["ASSISTANT_ALLOW_UPLOAD"] == "1"
    assert values["ASSISTANT_HOST"] == "0.0.0.0" and values["ASSISTANT_PORT"] == "8000"
    assert not list(prefix.glob("*.tmp.*")), "a temporary file was left behind"


def test_unit_is_rendered_with_the_prefix(installed):
    prefix, _ = installed
    unit = (prefix / UNIT).read_text(encoding="utf-8")
    assert "@PREFIX@" not in unit
    lines = set(unit.splitlines())
    for line in (
        "User=assistant",
        f"EnvironmentFile={prefix}/assistant.env",
        f"ExecStart={prefix}/venv/bin/assistant serve --host ${{ASSISTANT_HOST}} --port ${{ASSISTANT_PORT}}",
        f"ReadWritePaths={prefix}/data {prefix}/corpus",
        f"WorkingDirectory={prefix}/data",
        "Restart=on-failure",
        "NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes",
        "PrivateDevices=yes", "ProtectKernelTunables=yes", "ProtectControlGroups=yes",
        "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX", "MemoryMax=4G",
    ):
        assert line in lines, line
    assert any(line.startswith("LimitNOFILE=") for line in lines)
    assert unit == TEMPLATE.read_text(encoding="utf-8").replace("@PREFIX@", str(prefix))


def test_serve_accepts_the_units_options():
    """The unit's ExecStart passes --host and --port; `assistant serve` must take both."""
    result = subprocess.run([str(VENV / "bin" / "assistant"), "serve", "--help"], capture_output=True,
                            text=True, timeout=60, env={**os.environ, "COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    assert "--host" in result.stdout and "--port" in result.stdout


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_analyze_verifies_the_unit(installed):
    prefix, _ = installed
    result = subprocess.run(["systemd-analyze", "verify", "--man=no", str(prefix / UNIT)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    # Nothing of ours is reported (e.g. "Unknown key name", "Failed to parse").
    assert UNIT not in result.stderr, result.stderr


def test_second_run_changes_nothing(installed):
    prefix, _ = installed
    envfile, unit = prefix / "assistant.env", prefix / UNIT
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (envfile, unit)}
    result = install(prefix)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "nothing changed" in result.stdout
    assert not re.search(r"^changed:", result.stdout, re.M), result.stdout
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (envfile, unit)} == before


def test_an_edited_settings_file_is_kept_and_its_mode_restored(tmp_path):
    prefix = tmp_path / "p"
    assert install(prefix).returncode == 0
    envfile = prefix / "assistant.env"
    key = settings(envfile)["ASSISTANT_API_KEY"]
    edited = envfile.read_text(encoding="utf-8").replace("ASSISTANT_PORT=8000", "ASSISTANT_PORT=8100")
    envfile.write_text(edited + "ASSISTANT_LOG_QUERIES=1\n", encoding="utf-8")
    envfile.chmod(0o644)
    (prefix / "data").chmod(0o755)

    result = install(prefix, "--port", "8200")
    assert result.returncode == 0, result.stderr
    assert f"{envfile} mode 600" in result.stdout and f"{prefix}/data mode 750" in result.stdout
    assert "kept as it is" in result.stderr  # --port is not written into an existing file
    assert mode(envfile) == 0o600 and mode(prefix / "data") == 0o750
    values = settings(envfile)
    assert values["ASSISTANT_API_KEY"] == key and values["ASSISTANT_PORT"] == "8100"
    assert values["ASSISTANT_LOG_QUERIES"] == "1"
    assert "nothing changed" in install(prefix).stdout


def test_a_new_install_gets_a_new_key(installed, tmp_path):
    prefix, _ = installed
    other = tmp_path / "other"
    assert install(other).returncode == 0
    assert settings(other / "assistant.env")["ASSISTANT_API_KEY"] != settings(prefix / "assistant.env")["ASSISTANT_API_KEY"]


def test_dry_run_changes_nothing(tmp_path):
    prefix = tmp_path / "dry"
    result = install(prefix, "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "would: created" in result.stdout and "would be made" in result.stdout
    assert not prefix.exists()


@pytest.mark.parametrize("extra, says", [
    (["--bogus"], "unknown option"),
    (["--port", "80"], "1024"),
    (["--venv-from", "/nonexistent/venv"], "--venv-from"),
    (["--prefix", "/tmp/with space"], "no spaces"),
])
def test_failures_are_one_line(tmp_path, extra, says):
    result = install(tmp_path / "p", *extra)
    assert result.returncode != 0
    lines = errors(result)
    assert len(lines) == 1 and lines[0].startswith("install.sh: "), result.stderr
    assert says in lines[0]
    assert not (tmp_path / "p").exists()


def test_a_failing_step_is_one_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = install(blocker / "p")  # mkdir fails: a file stands where a folder should be
    assert result.returncode != 0
    lines = errors(result)
    assert len(lines) == 1 and "mkdir failed" in lines[0], result.stderr
    assert lines[0].startswith("install.sh: ") and "run install.sh again" in lines[0]
