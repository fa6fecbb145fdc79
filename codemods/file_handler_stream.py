"""file-handler-stream: a file handler an application builds in its own code (`logging.FileHandler(...)`, rotating, watched, `basicConfig(filename=...)`) becomes `logging.StreamHandler()`.

The reader and the rewrite are fixbot/formats/logconfig/code_handlers.py: the construction alone changes, so the
level, formatter and filters the code sets on the handler stay, and a directory made only for those files goes.
"""

from __future__ import annotations

from typing import Any

from fixbot.codemods import Codemod, Example

__all__ = ["FileHandlerStream"]

_BEFORE = """\
import logging
import os

LOG_DIR = "log"
os.makedirs(LOG_DIR, exist_ok=True)

logger = logging.getLogger("app")
handler = logging.FileHandler(os.path.join(LOG_DIR, "app.log"))
handler.setLevel(logging.INFO)
handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
logger.addHandler(handler)
"""


class FileHandlerStream(Codemod):
    NAME = "file-handler-stream"
    DESCRIPTION = (
        "Turn a file handler built in application code (logging.FileHandler, RotatingFileHandler, "
        "TimedRotatingFileHandler, WatchedFileHandler, basicConfig(filename=...)) into logging.StreamHandler(), "
        "keeping the level, formatter and filters the code sets on it; an os.makedirs made only for those files goes."
    )
    HANDLES = ("logging-handler",)
    FILES = ("*.py",)
    FORMATS = ("Python modules that build logging handlers",)
    CONTEXT = ("star_imported",)
    EXAMPLES = (
        Example(
            "the construction becomes a StreamHandler; its level and formatter stay; the makedirs for it goes",
            _BEFORE,
            _BEFORE.replace('LOG_DIR = "log"\nos.makedirs(LOG_DIR, exist_ok=True)\n', 'LOG_DIR = "log"\n')
            .replace('logging.FileHandler(os.path.join(LOG_DIR, "app.log"))', "logging.StreamHandler()")
            .replace("import os\n", ""),
            options={"star_imported": False},
        ),
        Example(
            "a rotating handler imported by name, in a function",
            "from logging.handlers import RotatingFileHandler\nimport logging\n\n\ndef get_logger(name):\n"
            "    handler = RotatingFileHandler('/var/log/app/app.log', maxBytes=10_000_000, backupCount=5)\n"
            "    logger = logging.getLogger(name)\n    logger.addHandler(handler)\n    return logger\n",
            "import logging\n\n\ndef get_logger(name):\n"
            "    handler = logging.StreamHandler()\n"
            "    logger = logging.getLogger(name)\n    logger.addHandler(handler)\n    return logger\n",
            options={"star_imported": False},
        ),
        Example(
            "basicConfig loses filename and filemode and logs to stderr",
            "import logging\n\nlogging.basicConfig(filename='/var/log/app.log', filemode='a', level=logging.INFO)\n",
            "import logging\n\nlogging.basicConfig(level=logging.INFO)\n",
        ),
        Example(
            "a directory the module uses for something else stays",
            'import logging\nimport os\n\nDATA = "/srv/data"\nos.makedirs(DATA, exist_ok=True)\n'
            'open(os.path.join(DATA, "x"), "w")\nh = logging.FileHandler(os.path.join(DATA, "app.log"))\n',
            'import logging\nimport os\n\nDATA = "/srv/data"\nos.makedirs(DATA, exist_ok=True)\n'
            'open(os.path.join(DATA, "x"), "w")\nh = logging.StreamHandler()\n',
        ),
        Example("a StreamHandler built in code is left as it is",
                "import logging\n\nhandler = logging.StreamHandler()\nlogging.getLogger().addHandler(handler)\n"),
        Example("no handler built here: nothing to do", "import logging\n\nlogger = logging.getLogger(__name__)\n",
                refuses="no file handler built"),
    )

    @classmethod
    def rewrite(cls, source: str, filename: str = "", **options: Any) -> str:
        from fixbot.formats.logconfig.code_handlers import rewrite
        from fixbot.formats.logconfig.pyedit import parse
        from fixbot.formats.python_tidy import finish

        tree = parse(source)
        return finish(source, tree, rewrite(tree, source), star_imported=options.get("star_imported", True))
