"""Secrets quoted from a log never come out of fixbot."""

from __future__ import annotations

import base64
import json
import random
import subprocess
import time
import unicodedata
import sys

import pytest

from fixbot.redact import mask_ruleset, redact, ruleset
from tests.support import ROOT


SECRETS = {
    "github classic": "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
    "github app": "ghs_" + "Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2",
    "github fine-grained": "github_pat_" + "11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOP",
    "aws key id": "AKIA" + "IOSFODNN7EXAMPLE",
    "db password": "s3cr3t-Pa55",
    "api token": "tok_9f8e7d6c5b4a",
    "bearer": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
}


def leaking_log() -> str:
    s = SECRETS
    return "\n".join(
        [
            f"+ git clone https://x-access-token:{s['github app']}@github.com/acme/app.git",
            f"export GITHUB_TOKEN={s['github classic']}",
            f"DATABASE_URL=postgres://app:{s['db password']}@db:5432/app",
            f"aws_access_key_id = {s['aws key id']}",
            f"curl -H 'Authorization: Bearer {s['bearer']}' http://127.0.0.1/",
            f"settings: token={s['api token']} password=\"{s['db password']}\"",
            f"pushing with {s['github fine-grained']}",
            "Traceback (most recent call last):",
            '  File "/app/config/wsgi.py", line 16, in <module>',
            f"FileNotFoundError: [Errno 2] No such file or directory: '/app/logs/{s['github classic']}.log'",
            "",
            "The above exception was the direct cause of the following exception:",
            "",
            "Traceback (most recent call last):",
            '  File "/app/config/wsgi.py", line 16, in <module>',
            "ValueError: Unable to configure handler 'file'",
        ]
    )


@pytest.mark.parametrize("name", SECRETS)
def test_each_kind_of_secret_is_masked(name):
    assert SECRETS[name] not in redact(leaking_log())


def test_values_of_secret_environment_variables_are_masked_wherever_they_appear():
    env = {"MY_SERVICE_TOKEN": "plain-looking-value", "HOME": "/root"}
    assert redact("connecting with plain-looking-value to /root", env) == "connecting with *** to /root"


def test_ordinary_text_is_left_alone():
    line = "ValueError: Unable to configure handler 'file' at /app/apps/backend/logs/api.log (pid 42)"
    assert redact(line, {}) == line


def test_no_secret_reaches_diagnose_output(tmp_path):
    log = tmp_path / "leak.log"
    log.write_text(leaking_log())
    for fmt in ("text", "json", "github"):
        result = subprocess.run(
            [sys.executable, "-m", "fixbot.cli", "diagnose", str(log), "--format", fmt],
            capture_output=True, text=True, cwd=ROOT,
        )
        assert result.returncode == 0, result.stderr
        out = result.stdout + result.stderr
        assert "logging-handler" in out
        for secret in SECRETS.values():
            assert secret not in out, (fmt, secret)
    facts = json.loads(subprocess.run(
        [sys.executable, "-m", "fixbot.cli", "diagnose", str(log), "--format", "json"],
        capture_output=True, text=True, cwd=ROOT,
    ).stdout)["findings"][0]["facts"]
    assert facts["path"] == "/app/logs/***.log"


# --- what each pattern must catch, and what it must leave alone -------------------------------------------

MASKED = [
    # (text, the secret that must be gone)
    ("SECRET_KEY=django-insecure-4f8a9b", "django-insecure-4f8a9b"),
    ("export DJANGO_SECRET_KEY=django-insecure-4f8a9b", "django-insecure-4f8a9b"),
    ("DJANGO_SECRET_KEY: 'django insecure 4f8a9b'", "django insecure 4f8a9b"),
    ("AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG", "wJalrXUtnFEMI/K7MDENG"),
    ('db.password="correct horse battery"', "correct horse battery"),
    ('{"password": "correct horse battery", "user": "app"}', "correct horse battery"),
    ("{'secret': 'x y z words', 'debug': True}", "x y z words"),
    ('api_key = "has \\"quotes\\" and spaces"', 'has \\"quotes\\" and spaces'),
    ('password="cut off at the end of the line', "cut off at the end of the line"),
    ("postgres://u:p/ss@h/db", "p/ss"),
    ("postgres://u:p@ss@h/db", "p@ss"),
    ("redis://:p@ss/w0rd@cache:6379/0", "p@ss/w0rd"),
    ("'https://bob:hunter2pass@h/x.log'", "hunter2pass"),
]


@pytest.mark.parametrize("text, secret", MASKED, ids=[t for t, _ in MASKED])
def test_secret_is_masked(text, secret):
    out = redact(text, {})
    assert secret not in out, out
    assert "***" in out


@pytest.mark.parametrize("text, expected", [
    ("postgres://u:p@ss@h/db", "postgres://u:***@h/db"),
    ("postgres://u:p/ss@h:5432/db?sslmode=require", "postgres://u:***@h:5432/db?sslmode=require"),
    ('{"password": "a b c", "user": "app"}', '{"password": ***, "user": "app"}'),
    # an unquoted value runs to whitespace...
    ("+ DB_PASSWORD=Tr0ub4dor&3xY,a;b'c ./manage.py migrate", "+ DB_PASSWORD=*** ./manage.py migrate"),
    # ...or, where the pair sits in a quoted string, to that string's closing quote (which may follow a space)
    ("environment: ['DB_PASSWORD=Tr0ub 4dor&3xY', 'DEBUG=0']", "environment: ['DB_PASSWORD=***', 'DEBUG=0']"),
    ('ImproperlyConfigured: "SECRET_KEY=a\'b c" is invalid', 'ImproperlyConfigured: "SECRET_KEY=***" is invalid'),
    ('{"token": null, "user": "app"}', '{"token": ***, "user": "app"}'),
    ('{"token": 1234}', '{"token": ***}'),
    ('"DB_PASSWORD": Tr0ub,4dor;3xY,', '"DB_PASSWORD": ***,'),
    ('{\\"password\\": \\"a b\\", \\"user\\": \\"app\\"}', '{\\"password\\": ***, \\"user\\": \\"app\\"}'),
    ("postgres://u:pa?ss#wd@host/db?sslmode=require", "postgres://u:***@host/db?sslmode=require"),
    ("Signature has expired: " + SECRETS["bearer"] + ".", "Signature has expired: ***."),
])
def test_the_mask_stops_where_the_secret_ends(text, expected):
    assert redact(text, {}) == expected


UNTOUCHED = [
    "ValueError: Unable to configure handler 'file'",
    "django.core.exceptions.ImproperlyConfigured: The SECRET_KEY setting must not be empty.",
    "Listening at: http://127.0.0.1:8000 (11300)",
    "GET http://127.0.0.1:8000/api/v1/health/@me 200",
    "curl -fsS http://127.0.0.1:8000/api/v1/health/",
    "mailto user@example.com at https://example.com/users/@octocat",
    "Django could not configure logging",
    'FATAL:  password authentication failed for user "app"',
    "Password for user app:",
    "+ mkdir -p /app/logs && docker run -p 8000:8000 acme",
    "+ mysql -h db -u app -p acme",
    "+ docker login -u acme --password-stdin registry.acme.io",
    "password = ",
    "bypass=1 compass=2",
    # A path whose last part is named like a key, in an error about that path: the words after it are no value.
    "fixbot: /etc/passwd: not a directory",
    "fixbot: /tmp/nonexist/secrets/token: no such file",
]


@pytest.mark.parametrize("text", UNTOUCHED)
def test_ordinary_text_is_not_masked(text):
    assert redact(text, {}) == text


@pytest.mark.parametrize("name", [
    "GITHUB_TOKEN", "X_AUTH_TOKEN", "SESSION_SECRET", "DJANGO_SECRET_KEY", "AWS_SECRET_ACCESS_KEY", "DB_PASSWORD",
    "PGPASSWD", "STRIPE_API_KEY", "SENDGRID_APIKEY", "SSH_PRIVATE_KEY", "GOOGLE_CREDENTIALS", "ACCESS_KEY",
    "client_secret", "DB_PASS", "MYSQL_PWD", "PASS_PHRASE",
])
def test_values_of_secret_env_names_are_masked(name):
    assert redact("value: s3cr3t-value-1 used", {name: "s3cr3t-value-1"}) == "value: *** used"


@pytest.mark.parametrize("name, value", [
    ("GIT_AUTHOR_NAME", "Django"),
    ("GIT_AUTHOR_EMAIL", "django@example.com"),
    ("GIT_COMMITTER_NAME", "Django"),
    ("XAUTHORITY", "/root/.Xauthority"),
    ("AUTHOR", "Django"),
    ("OAUTHLIB_INSECURE_TRANSPORT", "Django"),
    ("POSTGRES_PASSWORD_FILE", "/run/secrets/db"),
    ("SECRETS_DIR", "/run/secrets"),
    ("PWD", "/srv/app/src"),  # the shell's working directory: every traceback path would lose its head
    ("OLDPWD", "/srv/app/src"),
])
def test_values_of_ordinary_env_names_are_not_masked(name, value):
    text = ("Django could not configure logging from /root/.Xauthority or /run/secrets/db (django@example.com)"
            ' File "/srv/app/src/config/wsgi.py", line 16')
    assert redact(text, {name: value}) == text


def test_a_module_named_for_secrets_is_no_key():
    line = 'File "/app/config/secrets.py", line 3, in <module> (secrets.py:3: tokens.py:9)'
    assert redact(line, {}) == line


# --- a planted set: one realistic secret per format, each in the kind of line that prints it --------------------
# `by` says who catches it: "ruleset" if detect-secrets' plugins alone mask it, "fixbot" if only fixbot's own
# patterns do. A "fixbot" case the ruleset starts to catch fails the test: then fixbot's pattern can go.


def _key_block(kind: str, body: bytes) -> str:
    b64 = base64.b64encode(body).decode()
    lines = [b64[i:i + 64] for i in range(0, len(b64), 64)]
    return "\n".join([f"-----BEGIN {kind}-----", *lines, f"-----END {kind}-----"])


_RSA = _key_block("RSA PRIVATE KEY", b"\x30\x82\x04\xa4\x02\x01\x00\x02\x82\x01\x01\x00" + random.Random(1).randbytes(1180))
_PGP = _key_block("PGP PRIVATE KEY BLOCK", b"\x95\x03\xc6\x04" + random.Random(2).randbytes(900))
_SSH = _key_block("OPENSSH PRIVATE KEY", b"openssh-key-v1\x00" + random.Random(3).randbytes(380))
_SEC = {  # assembled from parts, so that no scanner takes this file for a leak
    "ghp": "ghp_" + "pJby4fv5h8ErwQefUgKXMk80TSpMYjWPEDEA",
    "gho": "gho_" + "yAWWQuqN0aXe0HYXQ215xP0k3zWGyOHgRzoT",
    "github_pat": "github_pat_" + "11A7TJPVABP00DNG6J9YIR_t4QH5UOpkXjAF3SF4Ajs18tCQZJSDjDNqJePr3pvoz727qC14avegFnpbPC",
    "glpat": "glpat-" + "yX711an73tOEc28WqctK",
    "glrt": "glrt-" + "ssOrgdscmL8YkgsQt7h9",
    "xoxb": "xoxb-" + "6191938952858-7811995653297-eezKeGOiU49cIle0LoXB3JCB",
    "xapp": "xapp-" + "1-A05642D5SKD-6670736995121-275474b65eb9bffeedecb38da0705838115185a23d4b482265220a57822390e9",
    "hook": "https://hooks.slack.com/services/" + "T0XSQRDKR1/B0C7TASEJV4/8dpFCx0GdtCut68XjxAepdPg",
    "akia": "AKIA" + "9PAYAK4ANW4Q30AR",
    "aws_secret": "JjLQOiQFZWbDiHAJHYKgE9jtNnIc/5ecTttLVlme",
    "aiza": "AIza" + "SyqYbqrkOLfjVnoeo_hjkzi9wYIuXUohkNz",
    "openai": "sk-" + "leGygUCeNP7WoylYY9iG" + "T3BlbkFJ" + "msE4BSme35Dzitpw6lkB",
    "sk_proj": "sk-proj-" + "eP-DARI25UhAS8gcooYHscT12GOei3_7FfIXb2biQBjgane-epmInZ-3queHcW2gVso8RHceH4",
    "sk_ant": "sk-ant-api03-" + "JS2hmnvCOeqLsRJJ3_p6ATdr1dDSKpZTOcnie3-zsdvd7VLDKfCd4038lR-2I4QKJCXdRvHgYARbjlno8Tl_k9EUIxRzrAA",
    "sendgrid": "SG." + "uuD2OCAjGoOW39-dKK5CFc.oFgYlsn01hOXsFnyDQQqjzJi9toBTOjWr56ZwszQPiY",
    "sk_live": "sk_live_" + "fmlFw6oQpkHqHxF0Mcmfb1Qx",
    "sk_test": "sk_test_" + "MlUIUchTj4hdcHp78tQsk4Ya",
    "twilio": "SK" + "9178d4ab59d2974bbf74ccd8c13162aa",
    "npm": "npm_" + "oUl33JeYGIhbpAERCsv3xUfa4fHtulbQNtbG",
    "pypi": "pypi-AgEIcHlwaS5vcmc" + "JJMyImGoVD-SieQZ4jWbudZ8OjRywTZxRQlADOZqcv5BUXOaKtWXVckaFi9PIMU4uS3rq2t_3P-qHx0bZdI0rr",
    "mailchimp": "8dafbc9cd946eb776b715915fda0ed28" + "-us14",
    "discord": "MjV6wjtn81pgGWD12TmovDvVjm" + ".8QP39V.qpUKhGyIAr7XojBzFdtkFYpTsi6",
    "telegram": "8360155678:" + "AAICpnvfoXmnVxQaBsemRtPy7ATxLM1vn4k",
    "azure": "B4LVF91koYpGrlqA61P4LRswCP21kuc0qqhuXaoffNj/wrNyGoeZHZ8YPoFUHzXLDQtuy99pt3rcjAizNDixJA==",
    "square": "sq0csp-" + "JieyfVnfV-r8TGLj7Wc-5SumI9Cds0v_Zhtz38Xs2b9",
    "artifactory": "AKCp8" + "zrQVWSlxMkNd2ZUWInoRcjg2x6KpnV1n0E7jzCsh8YWFBpA5gossPKfmy9zxqilnescD",
    "jwt": SECRETS["bearer"],
    "basic": "ZGVwbG95OmdmY1lnVVBsQnBFQmFXRm4=",
    "sessionid": "9yk2nf33hwx2z700c8defjmcxv8vcxmt",
    "django": "django-insecure-" + "n31_t^*&cw&#w#l5cgux)nku!2sdcj*thoswtup44x*rtxxo^4",
    "db": "Xq7-pL2v!wR9",
    "db_plain": "Xq7pL2vTwR9k",
    "cli": "hunter2Secret9",
    "hf": "hf_" + "kQzVbWnTsXyLpRmJdHgFcAeUoIiNqYrSwBx",
    "dckr": "dckr_pat_" + "2YotnFZFEjr1zCsicMWpAA0xYz1",
    "pypi_short": "pypi-AgEIcHlwaS5vcmc" + "CJGQ4ZjZkNjE3LTk3YjYtNDg3Mi1hYTU5LWU4ZTQ3",
    "shpat": "shpat_" + "a1b2c3d4e5f60718293a4b5c6d7e8f90",
    "vault": "hvs." + "CAESIJmK3bR9dXyZ8qLp2vN4tW6uE0sF1gH3jK5lM7nO9pQ",
    "heroku": "4b8f2e1a-9c3d-4e5f-a6b7-c8d9e0f1a2b3",
    "azure_44": "Q2xVb3VkU3RvcmFnZUtleTQ0Q2hhcnNMb25nWFl6MTI=",  # detect-secrets' rule wants 88 characters
    "sas": "Xk7pQ2vR9sT4uW6yZ1bC3dE5fG8hJ0kL2mN4oP6qR8s=",
    "sk_live_long": "sk_live_" + "51HqLyjWDarjtT1zdp7dcJq8B0x9FZ3Kl2mNoPqRsTuVw",
    "ampersand": "Tr0ub4dor&3xYk9Lm2Qp",
    "url_query": "pa?ss#wd9Kq",
    "render": "rnd_" + "Wq3xZp9LmT2vK7sR4yB1nC8dF6gH",
    "hrku": "HRKU-" + "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b",
    "fo1": "fo1_" + "Zq2LmX7pW4vR8sT1yB6nC0dE5gH3kJ9",
    "fm2": "fm2_" + "lJPECAAAAAAAAmRUxBxhbW9yZQ==",
}
_S = _SEC
PLANTED = [
    # (format, log line(s), the secret, who catches it)
    ("github classic", f"[2026-11-28 14:35:02 +0000] [11324] [DEBUG] POST https://api.github.com/repos/acme/app/dispatches token {_S['ghp']}", _S["ghp"], "ruleset"),
    ("github oauth", f"remote: Invalid username or token {_S['gho']}.", _S["gho"], "ruleset"),
    ("github fine-grained", f"+ gh auth login --with-token <<< {_S['github_pat']}", _S["github_pat"], "fixbot"),
    ("gitlab personal", f"remote: HTTP Basic: Access denied for {_S['glpat']}", _S["glpat"], "ruleset"),
    ("gitlab runner", f"Registering runner... succeeded  runner={_S['glrt'][:13]} token {_S['glrt']}", _S["glrt"], "ruleset"),
    ("slack bot", f"slack_sdk.errors.SlackApiError: invalid_auth for {_S['xoxb']}", _S["xoxb"], "ruleset"),
    ("slack app-level", f"[ERROR] socket mode: cannot connect with {_S['xapp']}", _S["xapp"], "fixbot"),
    ("slack webhook", f"requests.exceptions.HTTPError: 404 Client Error: Not Found for url: {_S['hook']}", _S["hook"], "ruleset"),
    ("aws key id", f"botocore.exceptions.ClientError: InvalidClientTokenId: {_S['akia']} is not valid", _S["akia"], "ruleset"),
    ("aws key id, letters only", "botocore.exceptions.ClientError: InvalidClientTokenId: AKIA" + "QWERTYUIOPASDFGH", "AKIAQWERTYUIOPASDFGH", "ruleset"),
    # Nothing else on the line is token-like: the key alone must open the ruleset's gate (an all-capitals run).
    ("aws key id, letters only, alone", "using key AKIA" + "QWERTYUIOPASDFGH for s3 upload", "AKIAQWERTYUIOPASDFGH", "ruleset"),
    ("aws secret, bare", f"[DEBUG] loaded credentials {_S['akia']} {_S['aws_secret']} from env", _S["aws_secret"], "fixbot"),
    ("google api key", f"GET https://maps.googleapis.com/maps/api/geocode/json?address=x&key={_S['aiza']} 403", _S["aiza"], "fixbot"),
    ("openai", f"openai.AuthenticationError: Incorrect API key provided: {_S['openai']}.", _S["openai"], "ruleset"),
    ("openai project", f"openai.AuthenticationError: Incorrect API key provided: {_S['sk_proj']}.", _S["sk_proj"], "fixbot"),
    ("anthropic", f"anthropic.AuthenticationError: invalid x-api-key {_S['sk_ant']}", _S["sk_ant"], "fixbot"),
    ("sendgrid", f"python_http_client.exceptions.UnauthorizedError: HTTP Error 401 (key {_S['sendgrid']})", _S["sendgrid"], "ruleset"),
    ("stripe live", f"stripe.error.AuthenticationError: Invalid API Key provided: {_S['sk_live']}", _S["sk_live"], "ruleset"),
    ("stripe test", f"stripe.error.AuthenticationError: Invalid API Key provided: {_S['sk_test']}", _S["sk_test"], "fixbot"),
    ("twilio", f"twilio.base.exceptions.TwilioRestException: Unable to authenticate {_S['twilio']}", _S["twilio"], "ruleset"),
    ("npm, bare", f"npm error 401 Unauthorized - GET https://registry.npmjs.org/@acme%2fui - token {_S['npm']}", _S["npm"], "fixbot"),
    ("npm, .npmrc", f"+ echo //registry.npmjs.org/:_authToken={_S['npm']} > .npmrc", _S["npm"], "ruleset"),
    ("pypi", f"+ twine upload -u __token__ -p {_S['pypi']} dist/*", _S["pypi"], "ruleset"),
    ("mailchimp", f"mailchimp_marketing.api_client.ApiClientError: 401 for {_S['mailchimp']}", _S["mailchimp"], "ruleset"),
    ("discord", f"discord.errors.LoginFailure: Improper token has been passed: {_S['discord']}", _S["discord"], "ruleset"),
    ("telegram", f"telegram.error.InvalidToken: https://api.telegram.org/bot{_S['telegram']}/getMe", _S["telegram"], "ruleset"),
    ("azure storage", f"AZURE_STORAGE_CONNECTION_STRING=DefaultEndpointsProtocol=https;AccountName=acme;AccountKey={_S['azure']};EndpointSuffix=core.windows.net", _S["azure"], "ruleset"),
    ("square", f"square.exceptions: UNAUTHORIZED for client secret {_S['square']}", _S["square"], "ruleset"),
    ("artifactory", f"+ curl -H X-JFrog-Art-Api:{_S['artifactory']} https://acme.jfrog.io/artifactory/api/pypi", _S["artifactory"], "ruleset"),
    ("jwt", f"jwt.exceptions.ExpiredSignatureError: Signature has expired: {_S['jwt']}", _S["jwt"], "ruleset"),
    ("database url", f"django.db.utils.OperationalError: could not connect: postgres://app:{_S['db_plain']}@db:5432/app", _S["db_plain"], "ruleset"),
    ("database url, ! in the password", f"redis.exceptions.AuthenticationError: redis://app:{_S['db']}@cache:6379/0", _S["db"], "fixbot"),
    ("basic auth header", f"curl: (22) The requested URL returned error: 401 (Authorization: Basic {_S['basic']})", _S["basic"], "fixbot"),
    ("cookie header", f"[DEBUG] request headers: Cookie: sessionid={_S['sessionid']}; csrftoken=Gy6yYLyInMfaOw0aBf62", _S["sessionid"], "fixbot"),
    ("set-cookie header", f"< Set-Cookie: sessionid={_S['sessionid']}; HttpOnly; Path=/", _S["sessionid"], "fixbot"),
    ("django secret key", f"SECRET_KEY='{_S['django']}'", _S["django"], "fixbot"),
    ("rsa private key", _RSA, _RSA.splitlines()[5], "fixbot"),
    ("pgp private key", _PGP, _PGP.splitlines()[5], "fixbot"),
    ("openssh private key", _SSH, _SSH.splitlines()[3], "fixbot"),
    # command-line secrets, as `set -x` prints them
    ("mysql -p", f"+ mysql -uroot -p{_S['cli']} -h db acme -e 'select 1'", _S["cli"], "fixbot"),
    ("--password value", f"+ mysqldump --password {_S['cli']} --single-transaction acme", _S["cli"], "fixbot"),
    ("--password=value", f"+ mysqladmin --user=root --password={_S['cli']} ping", _S["cli"], "fixbot"),
    ("PGPASSWORD", f"+ PGPASSWORD={_S['cli']} psql -h db -U app -c 'select 1'", _S["cli"], "fixbot"),
    ("export DB_PASS", f"+ export DB_PASS={_S['cli']}", _S["cli"], "fixbot"),
    ("netrc", f"machine git.heroku.com login deploy@acme.io password {_S['cli']}", _S["cli"], "fixbot"),
    ("netrc, one per line", f"+ cat /root/.netrc\nmachine api.heroku.com\n  login deploy@acme.io\n  password {_S['cli']}", _S["cli"], "fixbot"),
    ("docker login -p", f"+ docker login -u acme -p {_S['cli']} registry.acme.io", _S["cli"], "fixbot"),
    # token formats
    ("hugging face", f"huggingface_hub.errors.HfHubHTTPError: 401 Client Error: Unauthorized (token {_S['hf']})", _S["hf"], "fixbot"),
    ("docker hub pat", f"+ echo {_S['dckr']} | docker login -u acme --password-stdin", _S["dckr"], "fixbot"),
    ("pypi, short", f"+ uv publish --token {_S['pypi_short']}", _S["pypi_short"], "fixbot"),
    ("shopify", f"shopify.api.ApiAccessError: [API] Invalid API key or access token {_S['shpat']}", _S["shpat"], "fixbot"),
    ("vault", f"Error making API request. Code: 403. Errors: * permission denied (token {_S['vault']})", _S["vault"], "fixbot"),
    ("heroku api key", f"+ HEROKU_API_KEY={_S['heroku']} heroku container:release web -a acme", _S["heroku"], "fixbot"),
    ("azure account key, 44 characters", f"DefaultEndpointsProtocol=https;AccountName=acme;AccountKey={_S['azure_44']};EndpointSuffix=core.windows.net", _S["azure_44"], "fixbot"),
    ("azure shared access key", f"Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey={_S['sas']}", _S["sas"], "fixbot"),
    ("render api key", f"render: 401 Unauthorized for key {_S['render']}", _S["render"], "fixbot"),
    ("heroku api key, HRKU-", f" !    Invalid credentials provided ({_S['hrku']}).", _S["hrku"], "fixbot"),
    ("fly.io personal token", f"Error: failed to fetch an image or build from source: unauthorized {_S['fo1']}", _S["fo1"], "fixbot"),
    ("fly.io macaroon", f"+ flyctl deploy --access-token 'FlyV1 {_S['fm2']},{_S['fm2']}'", _S["fm2"], "fixbot"),
    # masks that left part of the secret
    ("stripe live, longer than 24", f"stripe.error.AuthenticationError: Invalid API Key provided: {_S['sk_live_long']}", _S["sk_live_long"], "ruleset"),
    # keys decorated by colour and by escaping
    ("ansi-coloured key", f"[\x1b[33mWARN\x1b[0m] connecting with \x1b[1mpassword\x1b[0m={_S['cli']}", _S["cli"], "fixbot"),
    ("escaped json", f'{{"log": "{{\\"password\\": \\"{_S["cli"]}\\", \\"user\\": \\"app\\"}}\\n", "stream": "stderr"}}', _S["cli"], "fixbot"),
    # values with & , ; ' and URL passwords with ? #
    ("key=value with &", f"DB_PASSWORD={_S['ampersand']}", _S["ampersand"], "fixbot"),
    ("key=value with ,", f"DB_PASSWORD={_S['ampersand'].replace('&', ',')}", _S["ampersand"].replace("&", ","), "fixbot"),
    ("key=value with ;", f"DB_PASSWORD={_S['ampersand'].replace('&', ';')}", _S["ampersand"].replace("&", ";"), "fixbot"),
    ("key=value with '", f"DB_PASSWORD={_S['ampersand'].replace('&', chr(39))}", _S["ampersand"].replace("&", "'"), "fixbot"),
    ("database url, ? and # in the password", f"django.db.utils.OperationalError: postgres://app:{_S['url_query']}@db:5432/app", _S["url_query"], "fixbot"),
    ("database url, a space in the password", "sqlalchemy.exc.OperationalError: postgres://app:pa ss9Kq7@db/app", "pa ss9Kq7", "fixbot"),
]


@pytest.mark.parametrize("line, secret, by", [p[1:] for p in PLANTED], ids=[p[0] for p in PLANTED])
def test_planted_secret_is_masked(line, secret, by):
    assert secret not in redact(line, {})
    assert secret[-8:] not in redact(line, {}), "its tail is left"
    # a multi-line block printed as evidence is redacted one line at a time
    assert secret not in "\n".join(redact(one, {}) for one in line.splitlines())
    assert (secret in mask_ruleset(line)) == (by == "fixbot"), f"detect-secrets alone {'misses' if by == 'ruleset' else 'catches'} it"


def test_planted_set_covers_enough_formats():
    # The numbers README quotes (`pytest tests/test_redact.py -s -k planted_set`): test_planted_secret_is_masked
    # holds each case to its source, so the ruleset alone catches exactly the "ruleset" ones and fixbot all.
    by_ruleset = sum(by == "ruleset" for *_, by in PLANTED)
    print(f"\n{len(PLANTED)} formats planted; detect-secrets alone catches {by_ruleset}, fixbot all {len(PLANTED)}")
    assert len(PLANTED) >= 25
    assert 0 < by_ruleset < len(PLANTED)


# --- and what none of them may touch ---------------------------------------------------------------------------

REAL_LOGS = sorted((ROOT / "examples" / "ledgersg" / "logs").glob("*.log")) + sorted(
    (ROOT / "tests" / "fixtures" / "logs").glob("*.log")) + [ROOT / "tests" / "fixtures" / "logs" / "seed-report.md"]


@pytest.mark.parametrize("log", REAL_LOGS, ids=[p.name for p in REAL_LOGS])
def test_real_logs_come_through_unchanged(log):
    text = log.read_text(encoding="utf-8", errors="replace")
    assert redact(text, {}) == text
    # and were it not for the gate in front of it, detect-secrets would mask nothing in them either
    assert not [m.group(0) for regex in ruleset() for m in regex.finditer(text) if len(m.group(0)) >= 8]
    assert all(redact(line, {}) == line for line in text.splitlines())


@pytest.mark.parametrize("text", [
    "/app/apps/backend/logs/api.log",
    "commit 9c3c34e1b2a4f0d8e7c6b5a4f3e2d1c0b9a8f7e6 (HEAD -> main, origin/main)",
    "sha256:3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a",
    "[2026-11-28 22:35:00 +0800] [11324] [ERROR] Exception in worker process",
    "2026-11-28T14:35:00.123456Z django.request ERROR Internal Server Error: /api/v1/health/",
    "  File \"/usr/local/lib/python3.11/site-packages/django/core/handlers/exception.py\", line 55, in inner",
    "AttributeError: 'DjangoLoggingHandlerConfigurationErrorWithLongName' object has no attribute 'x'",
    "config.settings.production.LOGGING_HANDLERS_FILE_ROTATING_MAXBYTES12",
    "Listening at: http://[::1]:8000 (11300)",
])
def test_paths_hashes_and_timestamps_are_not_secrets(text):
    assert redact(text, {}) == text


@pytest.mark.parametrize("line", ["//a" * 30_000, "https://u:" * 10_000, "x " * 50_000])
def test_a_huge_line_is_cut_not_scanned_for_minutes(line):
    start = time.perf_counter()
    out = redact(line + " " + _S["glpat"], {})
    assert time.perf_counter() - start < 2
    assert len(out) < 5000 and _S["glpat"][:12] not in out


def test_a_line_is_cut_between_words_so_no_secret_is_half_shown():
    line = "x " * 2040 + _S["glpat"] + " tail"  # the token straddles the limit
    assert _S["glpat"][:8] not in redact(line, {})


def test_a_big_log_costs_only_what_is_printed(tmp_path, monkeypatch):
    from fixbot import diagnose, report

    noise = "".join(line for line in (ROOT / "examples" / "ledgersg" / "logs" / "boot-failure.log").open()
                    if "[INFO]" in line)
    log = tmp_path / "big.log"
    with log.open("w") as out:
        for _ in range(60_000 // max(1, noise.count("\n"))):
            out.write(noise)
        out.write((ROOT / "examples" / "ledgersg" / "logs" / "boot-failure.log").read_text())
    seen = []
    monkeypatch.setattr(report, "redact", lambda text, *a, **k: seen.append(len(text)) or redact(text, *a, **k))
    printed = report.diagnosis_text(diagnose.diagnose_path(str(log)), str(log))
    assert "logging-handler" in printed
    assert log.stat().st_size > 3_000_000 and sum(seen) < 3 * len(printed)


# --- every pattern is linear in a line's length ----------------------------------------------------------------

ADVERSARIAL = ["a-", "a.", "A-", "aA-", "=", ":", "@", "/", "-----BEGIN ", "a://", "https://u:", "u:p@", "'", '"',
               "\\", "\x1b[1m", "passwordpassword-", "password=", "token ", "--password ", "mysql ", "docker login ",
               "login x ", '\\"password\\": ', '"token": ,', "//a:_authToken=", "eyJa.", "A1", "#\u034f",
               "/" * 200 + " Aa1234567890123456789 "]  # slashes, and a token-like run to let the ruleset in


def _best_time(text: str) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        redact(text, {})
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.parametrize("unit", ADVERSARIAL, ids=[u[:16] for u in ADVERSARIAL])
def test_redaction_is_linear_on_adversarial_lines(unit):
    ruleset()  # imported once, outside the timing
    line = (unit * (4096 // len(unit) + 1))[:4096]
    small, big = _best_time(line[:256]), _best_time(line)
    assert big < 0.25, f"{big:.3f} s for 4 KB"
    # 16x the text: quadratic would cost 256x, linear 16x; the bound between them (64x) leaves a loaded machine's
    # noise no way to blur the two (comparing 4x to 16x did, seen at 0.026 s against 0.021 s)
    assert big < 64 * small + 0.005, f"256 B: {small:.4f} s, 4 KB: {big:.4f} s"


def test_every_format_and_default_ignorable_character_is_escaped_but_the_joiner():
    from fixbot.redact import inert

    # format characters as Python's unicodedata knows them, and Default_Ignorable_Code_Point's ranges
    # (DerivedCoreProperties.txt) at their ends and a few inside
    chars = [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf" and c != 0x200D]
    chars += [chr(c) for c in (0x034F, 0x115F, 0x17B4, 0x180B, 0x180F, 0x3164, 0xFE00, 0xFE0F, 0xFFA0, 0xFFF0,
                               0xFFF8, 0x1D173, 0x1D17A, 0xE0000, 0xE0041, 0xE0100, 0xE0FFF)]
    for char in chars:
        out = inert(f"a{char}b")
        assert char not in out and out.startswith("a\\") and out.endswith("b"), (hex(ord(char)), out)
    assert inert("\U000e0041") == "\\U000e0041"
    assert inert("a\u200db") == "a\u200db"


# --- issue 20: the shapes of the review, each format of the ruleset, and no gate in front of it ----------------

from tests.support.secret_shapes import SHAPES  # noqa: E402


@pytest.mark.parametrize("family, line, secret", SHAPES, ids=[s[0] for s in SHAPES])
def test_every_secret_shape_is_masked(family, line, secret):
    out = redact(line, {})
    assert secret not in out and secret[-6:] not in out, out
    assert "***" in out


def test_the_ruleset_runs_on_every_line_however_short_its_secret():
    # a Slack token has no 20-character run: the gate that kept the ruleset for token-like text let it through
    line = "slack: invalid_auth xoxb-" + "1-2-abcdefgh"
    assert "abcdefgh" not in mask_ruleset(line) and "abcdefgh" not in redact(line, {})
