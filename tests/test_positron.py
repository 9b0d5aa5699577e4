"""The Positron shell: its configuration, its unit tests, and a real window under Xvfb.

- Per combination (cheap): the project's `positron` extra exists exactly when positron is chosen.
- Per distinct positron subtree (cheap): Briefcase's configuration agrees with the answers and the
  Django project (sources, ids, requirements), and Briefcase itself accepts it.
- Per distinct positron code (heavy): the shell's own unit tests (Toga's dummy backend), and
  `xvfb-run -a python scripts/smoke.py positron`: the app opens a real window, the Django page
  shows (title, origin) and is painted (the screenshot is neither blank nor the splash), a script
  cannot take the window off the app origin, and the app quits leaving nothing running.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

import renders

SHELL = Path("shells") / "positron"
MIN_DISTINCT_COLOURS = 16
_GUI_PROBE = (
    "import gi; gi.require_version('Gtk', '3.0'); gi.require_version('WebKit2', '4.1'); "
    "from gi.repository import Gtk, WebKit2"
)


def _copy(project: Path, tmp_path: Path) -> Path:
    target = tmp_path / "project"
    shutil.copytree(project, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def _env(project: Path) -> dict[str, str]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    for name in ("PYTEST_ADDOPTS", "PYTEST_XDIST_WORKER", "DJANGO_SETTINGS_MODULE", "TOGA_BACKEND"):
        env.pop(name, None)
    env["PYTHONPATH"] = os.pathsep.join([str(project / "src"), str(project / SHELL / "src")])
    return env


def _missing_for_window() -> str | None:
    """What this machine lacks to open a real Toga/WebKitGTK window, or None."""
    if not sys.platform.startswith("linux"):
        return "the real-window smoke runs on Linux (GTK under Xvfb)"
    if shutil.which("xvfb-run") is None:
        return "xvfb-run is not installed (apt install xvfb xauth)"
    if importlib.util.find_spec("toga_gtk") is None:
        return "toga-gtk is not installed (pip install toga-gtk==0.5.4 'pygobject<3.51')"
    probe = subprocess.run([sys.executable, "-c", _GUI_PROBE], capture_output=True, text=True)
    if probe.returncode != 0:
        return (
            "the GTK 3 / WebKit2 4.1 GObject bindings are missing "
            f"(apt install gir1.2-gtk-3.0 gir1.2-webkit2-4.1): {probe.stderr.strip()[-300:]}"
        )
    if importlib.util.find_spec("PIL") is None:
        return "Pillow is not installed (pip install pillow): needed to check the screenshot"
    return None


def _session_processes(sid: int) -> list[str]:
    """Processes still in session ``sid`` (Linux /proc)."""
    left = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name, _, rest = text.partition(" (")[2].rpartition(") ")
        fields = rest.split()
        if len(fields) > 3 and int(fields[3]) == sid:
            left.append(f"{stat.parent.name} {name}")
    return left


def _run_window_script(command: list[str], project: Path, env: dict[str, str]):
    """Run a real-window script under Xvfb in its own session; (its JSON result, stderr, detail)."""
    proc = subprocess.Popen(
        ["xvfb-run", "-a", sys.executable, *command],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # everything it starts stays in this session: checked after
    )
    try:
        stdout, stderr = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 9)
            proc.wait()
    lines = [line for line in stdout.splitlines() if line.startswith("{")]
    detail = f"exit {proc.returncode}\nstdout:\n{stdout[-3000:]}\nstderr:\n{stderr[-3000:]}"
    assert lines, f"no JSON line from {command[0]}\n{detail}"
    result = json.loads(lines[-1])
    assert result["status"] == "passed", f"{result}\n{detail}"
    assert proc.returncode == 0, detail
    return result, stderr, detail, proc.pid


# -- cheap: configuration ------------------------------------------------------------------------


def test_positron_extra_only_with_the_positron_shell(combination):
    project = Path(combination["dir"])
    requirements = project / "requirements-desktop-positron.txt"  # a wrapped project's
    if combination["data"].get("existing_project"):
        assert requirements.is_file() == ("positron" in combination["data"]["shells"])
        if not requirements.is_file():
            return
        lines = requirements.read_text().splitlines()
        extra = [line for line in lines if line and not line.startswith("#")]
    else:
        assert not requirements.exists()
        pyproject = tomllib.loads((project / "pyproject.toml").read_text())
        extras = pyproject["project"]["optional-dependencies"]
        if "positron" not in combination["data"]["shells"]:
            assert "positron" not in extras
            return
        extra = extras["positron"]
    linux = [r for r in extra if "sys_platform == 'linux'" in r]
    assert any(r.startswith("toga-gtk==0.5.4") for r in linux), extra
    assert any(r.startswith("pygobject<3.51") for r in linux), extra
    assert any(r.startswith("toga-cocoa") and "darwin" in r for r in extra), extra
    assert any(r.startswith("toga-winforms") and "win32" in r for r in extra), extra
    assert any(r.startswith("briefcase") for r in extra), extra


def test_briefcase_configuration_matches_the_answers(positron_tree):
    project = positron_tree.root
    answers = renders.answers(project)
    package = answers["package_name"]
    app_name = f"{package}_positron"
    shell_toml = tomllib.loads((project / SHELL / "pyproject.toml").read_text())
    briefcase = shell_toml["tool"]["briefcase"]
    app = briefcase["app"][app_name]
    bundle = answers["app_id"].rsplit(".", 1)[0].lower()
    assert briefcase["bundle"] == bundle
    assert briefcase["version"] == answers["version"]
    assert briefcase["project_name"] == answers["project_slug"]
    assert app["formal_name"] == answers["project_name"]
    assert app["sources"] == [f"src/{app_name}", f"../../src/{package}"]
    for source in app["sources"]:
        assert (project / SHELL / source).is_dir(), source
    # The Django project's own dependencies travel with the app.
    root = tomllib.loads((project / "pyproject.toml").read_text())
    assert set(root["project"]["dependencies"]) <= set(app["requires"])
    assert app["linux"]["requires"] == ["toga-gtk==0.5.4", "pygobject<3.51"]
    # identity.py says the same bundle identifier Briefcase derives.
    identity = (project / SHELL / "src" / app_name / "identity.py").read_text()
    assert f'APP_NAME = "{app_name}"' in identity
    assert re.search(rf'^BUNDLE = "{re.escape(bundle)}"', identity, re.M)
    # The shell lints with the project's ruff settings.
    assert shell_toml["tool"]["ruff"]["extend"] == "../../pyproject.toml"
    if importlib.util.find_spec("briefcase") is None:
        return
    from briefcase.config import DraftAppConfig, parse_config
    from briefcase.console import Console

    _, apps = parse_config(
        project / SHELL / "pyproject.toml",
        platform="linux",
        output_format="system",
        console=Console(),
    )
    config = DraftAppConfig(**apps[app_name])  # Briefcase's own validation
    assert config.module_name == app_name
    assert config.bundle_identifier == f"{bundle}.{app_name.replace('_', '-')}"


# -- heavy: the shell's unit tests and a real window ---------------------------------------------


@pytest.mark.heavy
def test_positron_unit_tests(positron_code_tree, tmp_path):
    if importlib.util.find_spec("toga_dummy") is None:
        pytest.skip("toga-dummy is not installed (pip install toga-dummy==0.5.4)")
    project = _copy(positron_code_tree.root, tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"]
        + ["-rs", str(SHELL / "tests")],
        cwd=project,
        env=_env(project),
        capture_output=True,
        text=True,
        timeout=600,
    )
    tail = (result.stdout + result.stderr)[-6000:]
    covered = positron_code_tree.combinations
    where = f"{len(covered)} combinations, e.g. {covered[0]}"
    assert result.returncode == 0, f"shell unit tests failed ({where}):\n{tail}"
    summary = result.stdout.strip().splitlines()[-1]
    assert " passed" in summary and "skipped" not in summary, f"{where}: {summary}\n{tail}"


@pytest.mark.heavy
def test_positron_window_shows_the_django_page(positron_code_tree, tmp_path):
    missing = _missing_for_window()
    if missing:
        pytest.skip(missing)
    from PIL import Image

    project = _copy(positron_code_tree.root, tmp_path)
    answers = renders.answers(project)
    screenshot = tmp_path / "positron.png"
    env = {**_env(project), "POSITRON_SMOKE_SCREENSHOT": str(screenshot)}
    started = time.monotonic()
    result, _, detail, sid = _run_window_script(["scripts/smoke.py", "positron"], project, env)
    assert result["title"] == " ".join(answers["project_name"].split())
    assert result["url"].startswith(result["origin"]) and result["origin"].startswith(
        "http://127.0.0.1:"
    )
    assert "/desktop-auth/bootstrap/" not in result["url"]
    assert result["navigation_hook"] == "webkitgtk"
    # WebKitGTK keeps cookies in a file under app data: an accounts login survives a relaunch.
    assert Path(result["cookie_store"]).parent == Path(result["app_data_dir"])
    assert result["off_origin_navigation"] == "refused"
    assert result["backend_stopped"] is True and result["threads_left"] == []
    assert result["exit_code"] == 0
    with Image.open(screenshot) as image:
        width, height = image.size
        colours = image.convert("RGB").getcolors(maxcolors=1 << 24) or []
    assert width > 200 and height > 200, image.size
    assert len(colours) >= MIN_DISTINCT_COLOURS, f"the screenshot looks blank: {len(colours)}"
    # ... and shows the Django page, not the splash the window starts with.
    package = answers["package_name"]
    splash = (project / SHELL / "src" / f"{package}_positron" / "splash.py").read_text()
    background = re.search(r'^BACKGROUND = "#([0-9a-f]{6})"', splash, re.M).group(1)
    dominant = max(colours)[1]
    assert dominant != tuple(bytes.fromhex(background)), "the screenshot shows the splash page"
    deadline = time.monotonic() + 10
    while (left := _session_processes(sid)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not left, f"processes left running after the app quit: {left}"
    print(
        f"positron window: page in {result['seconds_to_page']} s, "
        f"painted in {result['seconds_to_painted']} s, "
        f"{len(colours)} colours, smoke took {time.monotonic() - started:.1f} s"
    )


PROBE_VIEW = """from django.http import HttpResponse


def probe(request):
    return HttpResponse("<!doctype html><title>probe</title><h1>code one</h1>")
"""


@pytest.mark.heavy
def test_positron_dev_run_reloads_after_an_edit(positron_code_tree, tmp_path):
    """`dev --shell positron` as it runs: the backend a child that restarts on a code edit;
    the window's View > Reload then shows the new page (shells/positron/scripts/dev_smoke.py)."""
    missing = _missing_for_window()
    if missing:
        pytest.skip(missing)
    project = _copy(positron_code_tree.root, tmp_path)
    layer = project / "src" / renders.answers(project)["package_name"] / "desktop"
    (layer / "dev_probe.py").write_text(PROBE_VIEW)
    with (layer / "urls.py").open("a") as urls:  # the start page: the probe
        urls.write("\nfrom . import dev_probe  # noqa: E402\n\n")
        urls.write('urlpatterns += [path("dev-probe/", dev_probe.probe)]\n')
    with (layer / "settings" / "dev.py").open("a") as settings:
        settings.write('\nDESKTOP_START_URL = "/dev-probe/"\n')
    script = SHELL / "scripts" / "dev_smoke.py"
    command = [str(script), str(layer / "dev_probe.py"), "code one", "code two"]
    result, stderr, detail, _ = _run_window_script(command, project, _env(project))
    assert "dev_probe.py changed, restarting" in stderr, detail
    assert result["processes_left"] == [] and result["backend_stopped"] is True
    print(f"positron dev: new page {result['seconds_to_new_page']} s after the edit")
