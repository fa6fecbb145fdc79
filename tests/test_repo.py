"""The repository view: log paths mapped safely into the repository, the active settings, where LOGGING lives."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fixbot import diagnose
from fixbot.settings_find import settings_module
from fixbot.config import Config, parse_config
from fixbot.errors import BadInput
from fixbot.plan import make_plan
from fixbot.repo import RepoView
from tests.support.repos import git_out as git
from tests.support.repos import make_repo
from tests.support import ROOT
from tests.support.settings import FRAME, LOGGING, SETTINGS, WSGI, logging_site, settings_package

LEDGERSG = ROOT / "examples" / "ledgersg"





# --- paths from the log ---------------------------------------------------------------------------------------


@pytest.fixture
def layout(tmp_path) -> RepoView:
    return make_repo(tmp_path, {
        "wsgi.py": "",
        "apps/backend/config/wsgi.py": "",
        "src/service/config/asgi.py": "",
        "one/config/urls.py": "",
        "two/config/urls.py": "",
    })


@pytest.mark.parametrize(
    "logged, expected",
    [
        pytest.param("/app/apps/backend/config/wsgi.py", "apps/backend/config/wsgi.py", id="longest suffix"),
        pytest.param("apps/backend/config/wsgi.py", "apps/backend/config/wsgi.py", id="relative"),
        pytest.param("/srv/deploy/config/asgi.py", "src/service/config/asgi.py", id="other prefix"),
        pytest.param("/srv/backend/config/wsgi.py", "apps/backend/config/wsgi.py", id="other prefix beats a shorter match at the top"),
        pytest.param("/elsewhere/wsgi.py", "wsgi.py", id="only the name matches"),
        pytest.param(r"C:\app\apps\backend\config\wsgi.py", "apps/backend/config/wsgi.py", id="windows path"),
        pytest.param(r"\\server\share\apps\backend\config\wsgi.py", "apps/backend/config/wsgi.py", id="unc path"),
    ],
)
def test_log_path_maps_into_the_repository(layout, logged, expected):
    assert layout.map_log_path(logged) == expected


@pytest.mark.parametrize(
    "logged",
    [
        pytest.param("/etc/passwd", id="absolute outside"),
        pytest.param("../../x", id="parent"),
        pytest.param("/app/../../apps/backend/config/wsgi.py", id="parent inside an absolute path"),
        pytest.param("/app/config/urls.py", id="two files match equally: a guess"),
        pytest.param("/app/apps/backend/config", id="a directory"),
        pytest.param("/app/.git/config", id="git's own files"),
        pytest.param("/app/wsgi.py\x00.txt", id="NUL"),
        pytest.param("", id="empty"),
    ],
)
def test_log_path_outside_or_unclear_maps_to_nothing(layout, logged):
    assert layout.map_log_path(logged) is None


def test_symlink_leading_out_of_the_repository_is_never_selected(tmp_path):
    outside = tmp_path / "outside"
    (outside / "config").mkdir(parents=True)
    (outside / "config" / "wsgi.py").write_text(WSGI)
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "linked").symlink_to(outside)
    (repo / "settings.py").symlink_to(outside / "config" / "wsgi.py")
    view = make_repo(repo, {"README": ""})
    assert view.map_log_path("/app/linked/config/wsgi.py") is None
    assert view.map_log_path("/app/settings.py") is None
    assert view.safe("linked/config/wsgi.py") is None
    with pytest.raises(BadInput, match="not a file inside the repository"):
        view.read("settings.py")


# --- a view of HEAD (what `apply` plans on when it commits) ---------------------------------------------------


def test_head_view_reads_the_commit_and_never_the_disk(tmp_path):
    from fixbot.files import MAX_SOURCE
    from fixbot.gitops.read import tree_files

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "wsgi.py").write_text(WSGI)
    root = tmp_path / "repo"
    root.mkdir()
    make_repo(root, {**settings_package(), "big.py": "#" * (MAX_SOURCE + 1), "deep/link/wsgi.py": WSGI})
    (root / "linked").symlink_to(outside)  # a committed symlink out of the repository
    (root / "settings.py").symlink_to(root / "apps/backend/manage.py")  # and one inside it
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial")
    head = git(root, "rev-parse", "HEAD").strip()
    git(root, "update-index", "--add", "--cacheinfo", f"160000,{head},vendor/sub")  # a submodule
    git(root, "commit", "-q", "-m", "submodule")
    # The working tree and the index move on; none of it is HEAD.
    (root / SETTINGS / "base.py").write_text("LOGGING = (\n")
    (root / SETTINGS / "local.py").write_text(LOGGING)
    git(root, "add", f"{SETTINGS}/local.py")
    (root / "scratch.py").write_text("")
    (root / "vendor/sub").mkdir(parents=True)
    (root / "vendor/sub/wsgi.py").write_text(WSGI)

    files = tree_files(root)
    assert files["linked"].mode == 0o120000 and files["vendor/sub"].mode == 0o160000
    assert files[f"{SETTINGS}/base.py"].mode == 0o100644

    with RepoView.open(root, rev="HEAD") as view:
        assert view.read(f"{SETTINGS}/base.py") == LOGGING
        for name in (f"{SETTINGS}/local.py", "scratch.py", "linked", "linked/wsgi.py", "settings.py", "vendor/sub",
                     "vendor/sub/wsgi.py", "../repo/README", ".git/config", "deep/../big.py"):
            assert view.safe(name) is None, name
            assert name not in view.tracked
        assert view.map_log_path("/app/linked/wsgi.py") is None
        assert view.map_log_path("/app/vendor/sub/wsgi.py") is None
        with pytest.raises(BadInput, match=r"^big.py: is .* fixbot parses files up to"):
            view.read("big.py")
        site = logging_site(view, f"{SETTINGS}/service.py", "config.settings.service")
        assert site.file == f"{SETTINGS}/base.py"
    # The disk view, for comparison, sees the working tree's broken base.py.
    with pytest.raises(BadInput, match="does not parse"):
        logging_site(RepoView.open(root), f"{SETTINGS}/service.py", "config.settings.service")


def test_head_view_of_a_directory_that_is_no_repository_top_level_is_one_line(tmp_path):
    from fixbot.gitops import GitError

    make_repo(tmp_path, settings_package())
    git(tmp_path, "commit", "-q", "-m", "initial")
    with pytest.raises(GitError, match="pass its top level"):
        RepoView.open(tmp_path / "apps", rev="HEAD")
    with pytest.raises(GitError, match="not a git repository"):
        RepoView.open(tmp_path.parent, rev="HEAD")


def test_a_file_that_cannot_be_read_is_one_line_of_bad_input(tmp_path, monkeypatch):
    view = make_repo(tmp_path, settings_package())

    def fail(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", fail)
    with pytest.raises(BadInput, match=rf"^{SETTINGS}/base.py: cannot read: Permission denied$"):
        view.read(f"{SETTINGS}/base.py")
    assert view.read_or_none(f"{SETTINGS}/base.py") is None


# --- which settings module ran ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "wsgi",
    [
        pytest.param("os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings.service')\n", id="single quotes"),
        pytest.param('os.environ.setdefault(\n    "DJANGO_SETTINGS_MODULE", "config.settings.service"\n)\n', id="double quotes"),
        pytest.param('os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.service"\n', id="item assignment"),
    ],
)
def test_settings_from_the_wsgi_default(tmp_path, wsgi):
    files = settings_package()
    files["apps/backend/config/wsgi.py"] = wsgi
    files["apps/backend/manage.py"] = "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings.base')\n"
    choice = settings_module(make_repo(tmp_path, files), [FRAME])
    assert (choice.module, choice.file) == ("config.settings.service", f"{SETTINGS}/service.py")
    assert "apps/backend/config/wsgi.py defaults" in choice.why


SUPERVISORD = '[program:web]\ncommand=gunicorn x\nenvironment=DJANGO_SETTINGS_MODULE="config.settings.prod",DEBUG="0"\n'


@pytest.mark.parametrize(
    "name, text",
    [
        pytest.param("Dockerfile", "FROM python\nENV DJANGO_SETTINGS_MODULE=config.settings.prod\n", id="Dockerfile ENV"),
        pytest.param("Dockerfile", "FROM python\nENV DJANGO_SETTINGS_MODULE config.settings.prod\n", id="Dockerfile ENV legacy form"),
        pytest.param("entrypoint.sh", "#!/bin/sh\nexport DJANGO_SETTINGS_MODULE=config.settings.prod\nexec gunicorn x\n", id="entrypoint export"),
        pytest.param(".env", "DEBUG=0\nDJANGO_SETTINGS_MODULE='config.settings.prod'\n", id=".env"),
        pytest.param("start.sh", "#!/bin/sh\npython manage.py migrate --settings=config.settings.prod\n", id="--settings"),
        pytest.param("Containerfile", "FROM python\nENV DJANGO_SETTINGS_MODULE=config.settings.prod\n", id="Containerfile"),
        pytest.param("docker-entrypoint", "#!/bin/sh\nexport DJANGO_SETTINGS_MODULE=config.settings.prod\n", id="docker-entrypoint"),
        pytest.param("supervisord.conf", SUPERVISORD, id="supervisord environment"),
        pytest.param("gunicorn.conf", 'raw_env = ["DJANGO_SETTINGS_MODULE=config.settings.prod"]\n', id="gunicorn.conf"),
        pytest.param(
            "entrypoint.sh",
            '#!/bin/sh\n# DJANGO_SETTINGS_MODULE=config.settings.service\necho "DJANGO_SETTINGS_MODULE is set"\n'
            "export DJANGO_SETTINGS_MODULE=config.settings.prod\n",
            id="comments and prose skipped",
        ),
    ],
)
def test_the_deploy_environment_wins_over_the_setdefault(tmp_path, name, text):
    files = settings_package()
    files[f"{SETTINGS}/prod.py"] = "from .base import *\n"
    files[name] = text
    view = make_repo(tmp_path, files)
    choice = settings_module(view, [FRAME])
    assert (choice.module, choice.file) == ("config.settings.prod", f"{SETTINGS}/prod.py")
    assert choice.why.startswith(f"{name} sets")
    # without frames from the log the module is still found, beside the project's entry points
    assert settings_module(view, []).file == f"{SETTINGS}/prod.py"


def test_no_settings_module_anywhere(tmp_path):
    assert settings_module(make_repo(tmp_path, {"app.py": "print('hi')\n"}), []) is None


# --- .fixbot.yml ------------------------------------------------------------------------------------------------------


def test_logging_path_strategy_uses_the_entrypoints_log_directory(tmp_path):
    repo = tmp_path / "ledgersg"
    shutil.copytree(LEDGERSG, repo, ignore=shutil.ignore_patterns("__pycache__"))
    view = make_repo(repo, {})
    findings = [f for f in diagnose.diagnose_path(str(LEDGERSG / "logs/boot-failure.log")) if f.fixable]

    plan = make_plan(findings, view, parse_config("logging: path\n"))
    (step,) = plan.steps
    assert (step.codemod, step.path) == ("logging-path", f"{SETTINGS}/service.py")
    assert step.options["log_dir"] == "/tmp/backend_logs"
    assert any(note.startswith("entrypoint.sh: Gunicorn also writes") for note in plan.notes)

    default = make_plan(findings, view, Config())
    assert [(s.codemod, s.path) for s in default.steps] == [("logging-console", f"{SETTINGS}/service.py")]
