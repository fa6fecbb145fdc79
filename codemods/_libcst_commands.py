"""The `python -m libcst.tool codemod` entry points of the Python codemods; only libcst.tool imports this module.

Each command runs the same plain-libcst rewrite fixbot does, and turns a `Refusal` into libcst's `SkipFile`.
The codemod modules hand these out through their `__getattr__` (codemods.lazy_commands), so that fixbot,
which never runs them, does not pay for importing libcst.codemod and libcst.matchers (~200 ms).
"""

from __future__ import annotations

import argparse

import libcst as cst
from libcst.codemod import CodemodCommand, CodemodContext, SkipFile

from fixbot.codemods import Refusal
from fixbot.formats.deploy.gunicorn_config import GunicornConfig
from fixbot.codemods.logging_console import console_only
from fixbot.codemods.logging_path import point_at_log_dir


class _Command(CodemodCommand):
    def transform_module(self, tree: cst.Module) -> cst.Module:
        # Codemod.transform_module wraps the tree in a MetadataWrapper, which deep-copies it: as costly as
        # parsing. The rewrites resolve what metadata they need themselves.
        try:
            return self.transform_module_impl(tree)
        except Refusal as refusal:
            raise SkipFile(str(refusal)) from None


class LoggingConsoleCommand(_Command):
    """`python -m libcst.tool codemod logging_console.LoggingConsoleCommand FILE`."""

    DESCRIPTION = "Rewrite a Django settings module's LOGGING so that no handler writes to a file."

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        return console_only(tree)


class LoggingPathCommand(_Command):
    """`python -m libcst.tool codemod logging_path.LoggingPathCommand --log-dir DIR FILE`."""

    DESCRIPTION = "Point LOGGING's file handlers at os.environ.get('DJANGO_LOG_DIR', <dir>), created before LOGGING."

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument("--log-dir", dest="log_dir", default=None, help="directory the entrypoint creates")
        arg_parser.add_argument("--project", default=None, help="names /tmp/<project>-logs when --log-dir is not given")

    def __init__(self, context: CodemodContext, log_dir: str | None = None, project: str | None = None) -> None:
        super().__init__(context)
        self.options = (log_dir, project)

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        return point_at_log_dir(tree, self.context.filename or "", *self.options)


class GunicornConfigCommand(_Command):
    """`python -m libcst.tool codemod gunicorn_stdout.GunicornConfigCommand FILE`."""

    DESCRIPTION = "Gunicorn config module: accesslog and errorlog to '-'"

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        # libcst.tool parsed this tree for this one command: the wrapper need not deep-copy it.
        return cst.MetadataWrapper(tree, unsafe_skip_copy=True).visit(GunicornConfig())
