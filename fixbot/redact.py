"""Make text quoted from a log safe to print, commit or post: secrets masked, controls escaped, commands inert.

Secrets are found by Yelp's detect-secrets plugins (a maintained ruleset), run on every line fixbot prints, commits
or posts, plus fixbot's own structural rules for what no ruleset knows in deploy logs (header names inside quotes,
URL userinfo of any characters, the password arguments of common command lines); `redact` runs only on what
fixbot prints, so a 1 GB log costs no more than its findings.
"""

from __future__ import annotations

import functools
import math
import os
import re
from collections import Counter
from typing import Mapping

MASK = "***"


def _random_run(match: re.Match[str]) -> str:
    """A bare AWS secret key (40 characters) or a line of a key block: random enough to be a secret, where a path,
    an identifier or a git SHA (lower-case hex: at most 4 bits a character) is not."""
    value = match.group(0)
    entropy = -sum(n / len(value) * math.log2(n / len(value)) for n in Counter(value).values())
    return MASK if entropy > 4.2 else value


# Characters fixbot skips where it looks for a key or a marker: ANSI colour codes (SGR) around a key.
_SGR = r"(?:\x1b\[[0-9;]{0,16}m)*"

# Every pattern below is linear in a line's length: no unbounded run is tried again from each of its own positions
# (a key is bounded at 64 characters and must start where no key character precedes it; tests/test_redact.py
# times each on adversarial lines).
# fixbot's own patterns: only what detect-secrets misses (tests/test_redact.py::PLANTED says which case needs which).
_PATTERNS: tuple[tuple[re.Pattern[str], object], ...] = (
    # Private key blocks, whole: detect-secrets flags only the BEGIN line, which would leave the key itself.
    (re.compile(r"-----BEGIN [A-Z ]{0,40}PRIVATE KEY(?: BLOCK)?-----.*?"
                r"(?:-----END [A-Z ]{0,40}PRIVATE KEY(?: BLOCK)?-----|$)", re.S), MASK),
    # Tokens detect-secrets 1.5 has no rule for: GitHub fine-grained, Slack app-level, npm outside .npmrc, Google
    # API keys, OpenAI project (service account, admin) keys without the legacy T3BlbkFJ, Anthropic, Stripe test
    # keys, Hugging Face, Docker Hub, Shopify, HashiCorp Vault (service, batch, recovery), any PyPI upload token,
    # and the platforms fixbot reads logs from: Render (rnd_), Heroku (HRKU-), Fly.io (fo1_, and the macaroons of
    # `FlyV1 fm2_…,fm2_…`, each part masked).
    (re.compile(r"(?<![\w.-])(?:github_pat_[A-Za-z0-9_]{20,}|xapp-[0-9]-[A-Za-z0-9-]{10,}|npm_[A-Za-z0-9]{36}\b"
                r"|rnd_[A-Za-z0-9]{20,}|HRKU-[A-Za-z0-9_-]{20,}|fo1_[A-Za-z0-9_-]{20,}|fm[12][ar]?_[A-Za-z0-9+/=_-]{20,}"
                r"|AIza[0-9A-Za-z_-]{35}|sk-(?:proj|ant-api\d\d|svcacct|admin)-[A-Za-z0-9_-]{20,}"
                r"|[sr]k_test_[A-Za-z0-9]{16,}|hf_[A-Za-z0-9]{30,}|dckr_pat_[A-Za-z0-9_-]{20,}"
                r"|shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32,}|hv[sbr]\.[A-Za-z0-9_-]{20,}|pypi-AgE[A-Za-z0-9_-]{40,})"),
     MASK),
    # Azure connection strings: the key follows `=`, where the long random run below does not start.
    (re.compile(r"(?i)\b((?:Account|SharedAccess)Key=)[A-Za-z0-9+/]{20,}={0,2}"), r"\1" + MASK),
    (re.compile(r"(?<![\w/+=-])[A-Za-z0-9/+]{40,}={0,2}(?![\w/+=-])"), _random_run),
    # Headers printed as a Python dict or JSON (requests', httpx's and urllib3's debug logging): the name quoted,
    # the whole quoted value masked, scheme and all.
    (re.compile(r"""(?i)((["'])(?:proxy-)?(?:authorization|(?:set-)?cookie|x-[\w-]{0,32}(?:token|key|auth))\2"""
                r"""\s{0,8}:\s{0,8}(["']))(?:\\.|(?!\3)[^\\\n])*"""), r"\1" + MASK),
    # Authorization and cookie headers, and bearer tokens.
    (re.compile(r"(?i)\b(authorization\s{0,8}[:=]\s{0,8})(?:(?:bearer|basic|token)\s+)?[^\s'\",;]+"),
     r"\1" + MASK),
    (re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]{8,}"), r"\1" + MASK),
    (re.compile(r"(?im)\b((?:set-)?cookie\s{0,8}:\s{0,8})[^\s'\"].*?(?=['\"]?$)"), r"\1" + MASK),
    # Command-line passwords, as `set -x` prints them: `mysql -pSECRET` (no space: with one, mysql prompts),
    # `docker login -p SECRET`, `--password SECRET`, and netrc's `login me password SECRET`.
    (re.compile(r"(?i)(?<![\w.-])((?:mysql|mysqldump|mysqladmin|mysqlimport|mysqlcheck|mariadb|mariadb-dump)"
                r"(?:\s+[^\s-]\S*|\s+-[^p\s]\S*){0,12}\s+-p)(?=\S)(?:'[^'\n]*'|\"[^\"\n]*\"|\S+)"), r"\1" + MASK),
    (re.compile(r"(?i)(?<![\w.-])((?:docker|podman|buildah|nerdctl|oras|helm\s+registry)\s+login\b"
                r"(?:\s+[^\s-]\S*|\s+-[^p\s-]\S*|\s+--(?!password\b)\S+){0,12}\s+-p\s+)\S+"), r"\1" + MASK),
    # curl -u/--user USER:PASSWORD, redis-cli -a PASSWORD, sshpass -p PASSWORD, mongosh/mongo -p PASSWORD,
    # htpasswd -b FILE USER PASSWORD: the argument the option takes, wherever it is on the command line.
    (re.compile(r"(?i)(?<![\w.-])(curl\b(?:\s+\S+){0,24}?\s+(?:-u|--user|-U|--proxy-user)(?:\s+|=)?[^\s:]*:)\S+"),
     r"\1" + MASK),
    (re.compile(r"(?i)(?<![\w.-])((?:redis-cli\b(?:\s+\S+){0,24}?\s+(?:-a|--pass)|sshpass\b(?:\s+\S+){0,8}?\s+-p"
                r"|(?:mongosh|mongo|mongodump|mongorestore|mongoexport|mongoimport)\b(?:\s+\S+){0,24}?\s+-p)\s*)"
                r"(?:'[^'\n]*'|\"[^\"\n]*\"|\S+)"), r"\1" + MASK),
    (re.compile(r"(?i)(?<![\w.-])(htpasswd\b(?:\s+-\w+)*?\s+-\w*b\w*(?:\s+-\w+)*(?:\s+\S+){2}\s+)\S+"), r"\1" + MASK),
    # Values of `*_KEY` variables that look like key material (hex or base64, 16 characters or more), Azure SAS
    # signatures (`sig=`), Google OAuth access tokens (`ya29.`).
    (re.compile(r"(?i)(?<![\w.-])([\w.-]{0,64}_key[\"']?[ \t]*[:=][ \t]*[\"']?)[A-Za-z0-9+/]{16,}={0,2}(?![\w+/=])"),
     r"\1" + MASK),
    (re.compile(r"(?i)([?&;]sig=)[A-Za-z0-9%+/=_-]{16,}"), r"\1" + MASK),
    (re.compile(r"(?<![\w.-])(ya29\.)[A-Za-z0-9_-]{20,}"), r"\1" + MASK),
    (re.compile(r"(?i)(?<![\w-])(--(?:password|passwd|pass|token|secret|api-key|access-key|client-secret)\s+)"
                r"(?!-)(?:'[^'\n]*'|\"[^\"\n]*\"|\S+)"), r"\1" + MASK),
    (re.compile(r"(?m)((?:^\s{0,16}|\blogin\s+\S+\s+)password\s+)(?![=:])\S+"), r"\1" + MASK),
    # Userinfo in URLs (after the rules above: a password's run to the last `@` may swallow what they look
    # for, netrc's `login x password y`): scheme://user:password@host. The password may hold any character, `/`, `@`, `?`, `#`,
    # quotes and `<` included, and a few spaces (unescaped, as people write them), so it runs to the last `@`
    # within 256 characters that starts a host; `host:8000/path@x` (a port) is no password.
    (
        re.compile(r"(?i)(?<![a-z0-9+.-])([a-z][a-z0-9+.-]{0,31}:/{1,2}[^\s:/@'\"]{0,256}:)(?!\d+(?:[/?#\s'\"]|$))"
                   r"(?:[^\s:]|:(?!//)| (?=[^\s'\"<>])){1,256}(@)(?=[\w\[])"),
        r"\1" + MASK + r"\2",
    ),
    # A token as the user of a URL with no password (`https://<token>@git.example.com`): 16 characters or more.
    # Both URL rules take `scheme:/` too: a URL inside a path that was normalised (`check` prints such paths).
    (re.compile(r"(?i)(?<![a-z0-9+.-])([a-z][a-z0-9+.-]{0,31}:/{1,2})[\w.~%-]{16,256}(@)(?=[\w\[])"), r"\1" + MASK + r"\2"),
    # key=value and key: value where the key says secret, the key perhaps coloured (ANSI) or quoted (JSON, escaped
    # JSON). An unquoted value runs to whitespace (`Tr0ub4dor&3xY`, `a,b;c` are whole passwords), or, if the pair
    # sits in a quoted string ('DB_PASSWORD=x y'), to that string's closing quote.
    (
        re.compile(
            r"""(?imx)
            (?P<open>\\?["'])?
            (?P<key>(?<![\w./\\-])[\w.-]*  # not the last part of a path: /etc/passwd: not a directory
               (?:password|passwd|pwd|(?<![a-z0-9])pass(?:phrase)?(?![a-z0-9])|secret|token|api[_-]?key
                 |access[_-]?key|private[_-]?key|credentials?)
               [\w-]{0,64})  # DJANGO_SECRET_KEY, but not secrets.py:12
            (?P<close>\\?["'])?"""
            + _SGR + r"""[ \t]*[:=\uff1a\uff1d]\s{0,8}""" + _SGR + r"""
            (?P<value>
              # a quoted value may hold spaces and escaped quotes; one cut off at the end of the line runs to it
              "(?:[^"\\\n]|\\.)*(?:"|$)|'(?:[^'\\\n]|\\.)*(?:'|$)|\\"(?:[^\\\n]|\\[^"\n])*(?:\\"|$)
              | (?(close)\S+?(?=[,;}\]]{0,8}(?:\s|$))  # of a quoted key (JSON's null): to whitespace, but `,` `}` `]`
                |(?(open)(?:(?!(?P=open))[^\\\n]|\\.)+  # inside a string: to its closing quote
                 |\S+)))"""
        ),
        lambda m: m.group(0)[: m.start("value") - m.start()] + MASK,
    ),
)

# detect-secrets' .npmrc rule, `//.+/:_authToken=…`, tries `.+` again from every `//`: quadratic on a line of
# slashes. The same rule without its `//.+` head masks the same token (a superset), in linear time.
_LINEAR = {r"\/\/.+\/:_authToken=\s*((npm_.+)|([A-Fa-f0-9-]{36})).*":
           re.compile(r"/:_authToken=\s*((npm_.+)|([A-Fa-f0-9-]{36})).*")}


@functools.lru_cache(maxsize=1)
def ruleset() -> tuple[re.Pattern[str], ...]:
    """The patterns of detect-secrets' plugins (fixbot/ruleset.py: cached per installed copy, not imported each run)."""
    from fixbot import ruleset as plugins

    return tuple(_LINEAR.get(regex.pattern, regex) for regex in plugins.patterns())


def _secret_span(match: re.Match[str]) -> tuple[int, int]:
    """Where the secret is in a match: its first group, unless that group is only a prefix (GitHub's `(ghp|…)_`)."""
    group = next((i for i in range(1, match.re.groups + 1) if match.group(i)), None)
    if group is None or match.start(group) == match.start():
        return match.span()
    return match.span(group)


# What continues a token past the end of a detect-secrets match: its Stripe rule takes 24 characters of a key that
# may be longer, its JWT rule stops after the `.` before the signature. Not over `.` or `/`: a token in a path
# (`/logs/<token>.log`) leaves the rest of the path.
_TOKEN_TAIL = re.compile(r"[A-Za-z0-9_-]*")
_TOKEN_CHAR = re.compile(r"[A-Za-z0-9_.-]")


def _to_token_end(text: str, span: tuple[int, int]) -> tuple[int, int]:
    """`span` run on to the end of its token, if it ends inside one (not on a delimiter its rule matched)."""
    start, stop = span
    if _TOKEN_CHAR.fullmatch(text[stop - 1:stop]):
        stop = _TOKEN_TAIL.match(text, stop).end()
    return start, stop


def mask_ruleset(text: str) -> str:
    """`text` with what detect-secrets finds masked, each span to the end of its token."""
    spans = sorted(_to_token_end(text, _secret_span(m)) for regex in ruleset() for m in regex.finditer(text)
                   if m.end() > m.start())
    out, end = [], 0
    for start, stop in spans:
        if start >= end:
            out.append(text[end:start] + MASK)
        end = max(end, stop)
    return "".join(out) + text[end:]


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


def mask_secrets(text: str, environ: Mapping[str, str] | None = None) -> str:
    """`text` with every secret recognised replaced by ***."""
    for value in secret_values(environ):
        text = text.replace(value, MASK)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return mask_ruleset(text) if text.strip() else text


# Unicode's Default_Ignorable_Code_Point, from DerivedCoreProperties.txt (Unicode 15.1; the same ranges as the
# `regex` module's \p{Default_Ignorable_Code_Point}): Python's unicodedata has no such property. They render as
# nothing, and the Actions runner's culture-aware IndexOf (ICU) skips them when it looks for `##[`. Without the
# zero-width joiner U+200D: emoji need it, and fixbot's Markdown uses it to break links (publish redacts the PR
# body again).
_DEFAULT_IGNORABLE = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b\u200c\u200e\u200f\u202a-\u202e\u2060-\u206f"
    "\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff"
)
# The other format characters (general category Cf in Unicode 15.1; tests/test_report.py checks the table against
# Python's unicodedata): invisible too, such as U+FFF9-FFFB (interlinear annotation) and U+0600-0605.
_FORMAT = "\u0600-\u0605\u06dd\u070f\u0890\u0891\u08e2\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"

# C0 controls but tab and newline, DEL, C1 (U+009B is a one-byte CSI), and every default-ignorable or format
# character: bidi overrides and isolates (U+202E reverses what follows), variation selectors, tags, fillers.
_CONTROLS = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_DEFAULT_IGNORABLE}{_FORMAT}]")


def _escape_control(match: re.Match[str]) -> str:
    char = ord(match.group(0))
    return f"\\x{char:02x}" if char < 0x100 else f"\\u{char:04x}" if char < 0x10000 else f"\\U{char:08x}"


# GitHub's runner reads `##[command]` anywhere in a line, and `::command::` at the start of a trimmed line; it finds
# them with .NET's culture-aware search, which skips ignorable characters such as the joiner (the only one left
# raw once _CONTROLS has escaped the others; the match tolerates them all).
_SKIPPED = f"[\u200d{_DEFAULT_IGNORABLE}{_FORMAT}]*"
_WORKFLOW_COMMAND = re.compile(f"#{_SKIPPED}#{_SKIPPED}\\[|^([\\s\u200d{_DEFAULT_IGNORABLE}{_FORMAT}]*):{_SKIPPED}:",
                               re.M)


def _inert_command(match: re.Match[str]) -> str:
    return "##\\[" if match.group(1) is None else match.group(1) + "\\::"


def inert(text: str, *, breaks_escaped: bool = False) -> str:
    """`text` with control characters escaped (`\\x1b`, `\\u202e`) and no workflow command the runner would run: a
    visible backslash breaks `##[` and a leading `::` (an invisible joiner would not, being ignorable). With
    `breaks_escaped` the caller writes CR and LF escaped (a workflow command's %0D, %0A): they stay, and no line
    of `text` can start a command."""
    text = _CONTROLS.sub(lambda m: m.group(0) if breaks_escaped and m.group(0) == "\r" else _escape_control(m), text)
    return _WORKFLOW_COMMAND.sub(lambda m: m.group(0) if breaks_escaped and m.group(1) is not None
                                 else _inert_command(m), text)


# Longer lines are cut: some patterns (detect-secrets' npm one, the URL password one) take time quadratic in a
# line's length, and nobody reads a quoted line of 100 KB.
LINE_LIMIT = 4096


def _cut(line: str) -> str:
    if len(line) <= LINE_LIMIT:
        return line
    # at a space, so that no secret is cut in two and its head shown; a line with no space there is not shown
    head, space, _ = line[:LINE_LIMIT].rpartition(" ")
    return f"{head} …" if space and len(head) > LINE_LIMIT // 2 else f"…(a line of {len(line)} characters)"


def redact(text: str, environ: Mapping[str, str] | None = None, *, breaks_escaped: bool = False) -> str:
    """`text` from a log made safe to print, commit or post: secrets masked, controls escaped, commands inert."""
    text = mask_secrets("\n".join(_cut(line) for line in text.split("\n")), environ)
    return inert(text, breaks_escaped=breaks_escaped)
