"""Remove secrets from text quoted from a log before it is printed, committed or posted."""

from __future__ import annotations

import os
import re
from typing import Mapping

MASK = "***"

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Private key blocks, whole.
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)", re.S), MASK),
    # GitHub tokens: classic, OAuth, app, refresh and fine-grained.
    (re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})"), MASK),
    # AWS access key ids; Slack and Stripe-style tokens; JWTs.
    (re.compile(r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16}\b"), MASK),
    (re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"), MASK),
    (re.compile(r"\b[sr]k_(?:live|test)_[A-Za-z0-9]{16,}"), MASK),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"), MASK),
    # Authorization headers and bearer tokens.
    (re.compile(r"(?i)\b(authorization\s*[:=]\s*)(?:(?:bearer|basic|token)\s+)?[^\s'\",;]+"), r"\1" + MASK),
    (re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]{8,}"), r"\1" + MASK),
    # Userinfo in URLs: scheme://user:password@host. The password may hold `/` and `@` (unescaped, as people
    # write them), so it runs to the last `@` before the query; `host:8000/path@x` (a port) is no password.
    (
        re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s:/@'\"]*:)(?!\d+(?:[/?#\s'\"]|$))[^\s'\"<>?#]+(@)"),
        r"\1" + MASK + r"\2",
    ),
    # key=value and key: value where the key says secret.
    (
        re.compile(
            r"""(?imx)
            \b([\w.-]*(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?)
               [\w-]*["']?\s*[:=]\s*)  # DJANGO_SECRET_KEY, but not secrets.py:12
            # a quoted value may hold spaces and escaped quotes; one cut off at the end of the line runs to it
            ("(?:[^"\\\n]|\\.)*(?:"|$)|'(?:[^'\\\n]|\\.)*(?:'|$)|[^\s'",;&]+)"""
        ),
        r"\1" + MASK,
    ),
)

# Names that say their value is a secret (never AUTHOR or XAUTHORITY: those hold names and paths)...
_SECRET_NAME = re.compile(
    # A bare PWD is the shell's working directory, not a password: `pass`/`pwd` count only as part of a name.
    r"(?i)(token|secret|passw(or)?d|api_?key|private_?key|access_?key|credential|_(pass|pwd)(_|$)|^(pass|pwd)_)"
)
# ...unless they name where a secret is kept (Docker's POSTGRES_PASSWORD_FILE, SECRETS_DIR): that is a path.
_LOCATION_NAME = re.compile(r"(?i)_(file|path|dir|directory)$")


def secret_values(environ: Mapping[str, str] | None = None) -> list[str]:
    """Values of environment variables whose names say they are secret, longest first."""
    environ = os.environ if environ is None else environ
    values = {
        v for k, v in environ.items() if _SECRET_NAME.search(k) and not _LOCATION_NAME.search(k) and len(v) >= 6
    }
    return sorted(values, key=len, reverse=True)


def redact(text: str, environ: Mapping[str, str] | None = None) -> str:
    """`text` with every secret it recognises replaced by ***."""
    for value in secret_values(environ):
        text = text.replace(value, MASK)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text
