"""A Django settings package of the incident's shape, written into a test repository, and where its LOGGING is in effect."""

from __future__ import annotations

WSGI = "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings.service')\n"
LOGGING = "LOGGING = {'version': 1}\n"
SETTINGS = "apps/backend/config/settings"
FRAME = "/app/apps/backend/config/wsgi.py:16"


def settings_package(active: str = "from .base import *\n", base: str = LOGGING) -> dict[str, str]:
    return {
        "apps/backend/manage.py": WSGI,
        "apps/backend/config/__init__.py": "",
        "apps/backend/config/wsgi.py": WSGI,
        "apps/backend/config/settings/__init__.py": "",
        "apps/backend/config/settings/base.py": base,
        "apps/backend/config/settings/service.py": active,
    }


def logging_site(view, settings_file: str, module: str):
    """Where the LOGGING in effect is defined, following `from .base import *` chains from the active settings
    file, and who else shares it (what settings_find plans on)."""
    from types import SimpleNamespace

    from fixbot.settings_walk import Walk

    state = Walk(view)
    state.visit(settings_file, module, ())
    if state.definer is None:
        return None
    definer, chain = state.definer
    why = (f"{chain[0]} is the active settings module and defines LOGGING itself" if len(chain) == 1 else
           f"{chain[0]} is the active settings module; it gets LOGGING from {definer} through " + " -> ".join(chain))
    return SimpleNamespace(file=definer, chain=chain, mutations=tuple(state.mutations),
                           shared_with=view.importers_of(definer, exclude=set(chain)), why=why)
