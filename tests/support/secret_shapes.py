"""Secret shapes as deploy logs print them: the 48 families of issue 20's review and one for each format of detect-secrets' ruleset.

Each shape is (family, the line a log or a config holds, the secret in it). Values are assembled from parts so
that no scanner takes this file for a leak; none is a real credential. `MISSED_BEFORE` names the 24 families that
came through redact() unmasked before issue 20.
"""

from __future__ import annotations

import base64

_HEX40 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b"
_HEX32 = "5d41402abc4b2a76b9719d911017c592"
_B64 = base64.b64encode(b"deploy:" + b"Zq8#vL2!pW7x").decode()
_TOKEN = "Qm9vdFN0cmFwVG9rZW4" + "xNzM4OTI4MTc2"
_PW = "Xq7-pL2v!wR9"

SHAPES: list[tuple[str, str, str]] = [
    # --- the 24 that passed redact() before issue 20 -------------------------------------------------------
    ("github classic", "remote: Invalid username or token ghp_" + "pJby4fv5h8ErwQefUgKXMk80TSpMYjWPEDEA.", "ghp_" + "pJby4fv5h8ErwQefUgKXMk80TSpMYjWPEDEA"),
    ("github fine-grained", "+ gh auth login --with-token <<< github_pat_" + "11A7TJPVABP00DNG6J9YIR_t4QH5UOpkXjAF3SF4Ajs18tCQZJSD", "github_pat_" + "11A7TJPVABP00DNG6J9YIR_t4QH5UOpkXjAF3SF4Ajs18tCQZJSD"),
    ("gitlab personal", "remote: HTTP Basic: Access denied for glpat-" + "yX711an73tOEc28WqctK", "glpat-" + "yX711an73tOEc28WqctK"),
    ("slack bot", "slack_sdk.errors.SlackApiError: invalid_auth for xoxb-" + "6191938952858-7811995653297-eezKeGOiU49cIle0LoXB3JCB", "xoxb-" + "6191938952858-7811995653297-eezKeGOiU49cIle0LoXB3JCB"),
    ("slack webhook", "HTTPError: 404 for url: https://hooks.slack.com/services/" + "T0XSQRDKR1/B0C7TASEJV4/8dpFCx0GdtCut68XjxAepdPg", "8dpFCx0GdtCut68XjxAepdPg"),
    ("aws key id", "botocore.exceptions.ClientError: InvalidClientTokenId: AKIA" + "9PAYAK4ANW4Q30AR is not valid", "AKIA" + "9PAYAK4ANW4Q30AR"),
    ("aws secret key", "aws_secret_access_key = JjLQOiQFZWbDiHAJHYKgE9jtNnIc/" + "5ecTttLVlme", "JjLQOiQFZWbDiHAJHYKgE9jtNnIc/" + "5ecTttLVlme"),
    ("google api key", "GET https://maps.googleapis.com/maps/api/geocode/json?key=AIza" + "SyqYbqrkOLfjVnoeo_hjkzi9wYIuXUohkNz 403", "AIza" + "SyqYbqrkOLfjVnoeo_hjkzi9wYIuXUohkNz"),
    ("openai", "openai.AuthenticationError: Incorrect API key provided: sk-proj-" + "eP-DARI25UhAS8gcooYHscT12GOei3_7FfIXb2biQBjg.", "sk-proj-" + "eP-DARI25UhAS8gcooYHscT12GOei3_7FfIXb2biQBjg"),
    ("stripe", "stripe.error.AuthenticationError: Invalid API Key provided: sk_live_" + "fmlFw6oQpkHqHxF0Mcmfb1Qx", "sk_live_" + "fmlFw6oQpkHqHxF0Mcmfb1Qx"),
    ("twilio", "TwilioRestException: Unable to authenticate SK" + "9178d4ab59d2974bbf74ccd8c13162aa", "SK" + "9178d4ab59d2974bbf74ccd8c13162aa"),
    ("npm", "+ echo //registry.npmjs.org/:_authToken=npm_" + "oUl33JeYGIhbpAERCsv3xUfa4fHtulbQNtbG > .npmrc", "npm_" + "oUl33JeYGIhbpAERCsv3xUfa4fHtulbQNtbG"),
    ("pypi", "+ twine upload -u __token__ -p pypi-AgEIcHlwaS5vcmc" + "JJMyImGoVD-SieQZ4jWbudZ8OjRywTZxRQlADOZqcv5BUXOaKtWXVckaFi9PIMU4uS3rq2t dist/*", "JJMyImGoVD-SieQZ4jWbudZ8OjRywTZxRQlADOZqcv5BUXOaKtWXVckaFi9PIMU4uS3rq2t"),
    ("sendgrid", "UnauthorizedError: HTTP Error 401 (key SG." + "uuD2OCAjGoOW39-dKK5CFc.oFgYlsn01hOXsFnyDQQqjzJi9toBTOjWr56ZwszQPiY)", "SG." + "uuD2OCAjGoOW39-dKK5CFc.oFgYlsn01hOXsFnyDQQqjzJi9toBTOjWr56ZwszQPiY"),
    ("jwt", "jwt.exceptions.ExpiredSignatureError: Signature has expired: eyJhbGciOiJIUzI1NiJ9." + "eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"),
    ("database url", "OperationalError: could not connect: postgres://app:" + "Xq7pL2vTwR9k@db:5432/app", "Xq7pL2vTwR9k"),
    ("authorization header", "curl: (22) 401 (Authorization: Basic " + _B64 + ")", _B64),
    ("cookie header", "[DEBUG] request headers: Cookie: sessionid=" + "9yk2nf33hwx2z700c8defjmcxv8vcxmt; csrftoken=x", "9yk2nf33hwx2z700c8defjmcxv8vcxmt"),
    ("django secret key", "SECRET_KEY='django-insecure-" + "n31_t^*&cw&#w#l5cgux)nku!2sdcj*thoswtup44x'", "n31_t^*&cw&#w#l5cgux)nku!2sdcj*thoswtup44x"),
    ("private key", "-----BEGIN RSA PRIVATE KEY----- MIIEpAIBAAKCAQEA" + "u1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw", "u1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw"),
    ("mysql -p", "+ mysql -uroot -p" + _PW + " -h db acme -e 'select 1'", _PW),
    ("docker login -p", "+ docker login -u acme -p " + _PW + " registry.acme.io", _PW),
    ("netrc", "machine git.heroku.com login deploy@acme.io password " + _PW, _PW),
    ("PGPASSWORD", "+ PGPASSWORD=" + _PW + " psql -h db -U app -c 'select 1'", _PW),
    # --- the 24 that came through before issue 20 ------------------------------------------------------------
    ("authorization, python dict", "send: {'Authorization': 'Basic " + _B64 + "', 'Accept': '*/*'}", _B64),
    ("authorization, json", '{"headers": {"Authorization": "Bearer ' + _TOKEN + '", "Accept": "*/*"}}', _TOKEN),
    ("cookie, python dict", "DEBUG:urllib3: {'Cookie': 'sessionid=" + "k8x2nf33hwx2z700c8defjmcxv8vcq1z', 'Host': 'api'}", "k8x2nf33hwx2z700c8defjmcxv8vcq1z"),
    ("cookie, json", '{"Cookie": "sessionid=' + "m3x2nf33hwx2z700c8defjmcxv8vcq9w" + '; path=/"}', "m3x2nf33hwx2z700c8defjmcxv8vcq9w"),
    ("url password with '", "OperationalError: postgres://app:pa'ss" + "9Kq7w@db:5432/app", "pa'ss" + "9Kq7w"),
    ('url password with "', 'OperationalError: postgres://app:pa"ss' + '9Kq7w@db:5432/app', 'pa"ss' + "9Kq7w"),
    ("url password with <", "OperationalError: postgres://app:pa<ss" + "9Kq7w@db:5432/app", "pa<ss" + "9Kq7w"),
    ("curl -u", "+ curl -fsS -u deploy:" + _PW + " https://registry.acme.io/v2/", _PW),
    ("curl --user", "+ curl --retry 3 --user deploy:" + _PW + " https://registry.acme.io/v2/", _PW),
    ("redis-cli -a", "+ redis-cli -h cache -a " + _PW + " ping", _PW),
    ("sshpass -p", "+ sshpass -p " + _PW + " ssh deploy@10.0.0.5 uptime", _PW),
    ("mongosh -p", "+ mongosh --host db -u admin -p " + _PW + " --eval 'db.stats()'", _PW),
    ("htpasswd -b", "+ htpasswd -bc /etc/nginx/.htpasswd admin " + _PW, _PW),
    ("RAILS_MASTER_KEY", "+ RAILS_MASTER_KEY=" + _HEX32 + " bin/rails db:migrate", _HEX32),
    ("ENCRYPTION_KEY", "ENCRYPTION_KEY=" + _HEX40[:32], _HEX40[:32]),
    ("NEW_RELIC_LICENSE_KEY", "export NEW_RELIC_LICENSE_KEY=" + _HEX40, _HEX40),
    ("azure sas sig", "GET https://acme.blob.core.windows.net/logs?sv=2022-11-02&ss=b&sig=" + "Xk7pQ2vR9sT4uW6yZ1bC3dE5fG8hJ0kL2mN4oP6qR8s%3D 403", "Xk7pQ2vR9sT4uW6yZ1bC3dE5fG8hJ0kL2mN4oP6qR8s"),
    ("google oauth ya29", "google.auth.exceptions.RefreshError: ya29." + "a0AfB_byC3vL9xQmT7pR2sW8nK4jH6gF1dZ5yU0eI3oA", "a0AfB_byC3vL9xQmT7pR2sW8nK4jH6gF1dZ5yU0eI3oA"),
    ("discord webhook", "HTTPError: 401 for https://discord.com/api/webhooks/" + "112233445566778899/Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe", "Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe"),
    ("token as url user", "+ git clone https://" + "f3c9a1b27d4e8056c1a9b3d7e2f40a6b5c8d1e92" + "@git.acme.io/app.git", "f3c9a1b27d4e8056c1a9b3d7e2f40a6b5c8d1e92"),
    ("full-width colon", "db.password\uff1a" + _PW, _PW),
    ("key name over 64 characters", "ACME_PRODUCTION_EU_WEST_1_PRIMARY_CLUSTER_REPLICA_SET_READ_ONLY_USER_PASSWORD=" + _PW, _PW),
    ("nine spaces before =", "DATABASE_PASSWORD         = " + _PW, _PW),
    ("cookie, set-cookie dict", "< {'Set-Cookie': 'session=" + "p0x2nf33hwx2z700c8defjmcxv8vcz7t; HttpOnly'}", "p0x2nf33hwx2z700c8defjmcxv8vcz7t"),
    # --- one for each format of detect-secrets 1.5's ruleset not above ------------------------------------
    ("artifactory", "+ curl -H X-JFrog-Art-Api:AKCp8" + "zrQVWSlxMkNd2ZUWInoRcjg2x6KpnV1n0E7jzCsh8YWFBpA5 https://acme.jfrog.io/", "AKCp8" + "zrQVWSlxMkNd2ZUWInoRcjg2x6KpnV1n0E7jzCsh8YWFBpA5"),
    ("azure storage key", "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=" + "B4LVF91koYpGrlqA61P4LRswCP21kuc0qqhuXaoffNj/wrNyGoeZHZ8YPoFUHzXLDQtuy99pt3rcjAizNDixJA==;EndpointSuffix=x", "B4LVF91koYpGrlqA61P4LRswCP21kuc0qqhuXaoffNj/wrNyGoeZHZ8YPoFUHzXLDQtuy99pt3rcjAizNDixJA=="),
    ("cloudant", "cloudant_password='" + "a" * 8 + _HEX40[:32] + "b" * 24 + "'", "a" * 8 + _HEX40[:32] + "b" * 24),
    ("discord bot token", "LoginFailure: Improper token has been passed: MjV6wjtn81pgGWD12TmovDvVjm" + ".8QP39V.qpUKhGyIAr7XojBzFdtkFYpTsi6", "MjV6wjtn81pgGWD12TmovDvVjm" + ".8QP39V.qpUKhGyIAr7XojBzFdtkFYpTsi6"),
    ("gitlab runner", "Registering runner... token glrt-" + "ssOrgdscmL8YkgsQt7h9", "glrt-" + "ssOrgdscmL8YkgsQt7h9"),
    ("ibm cloud iam", "ibm_cloud_iam_api_key = '" + "Vb2x9Qm4Lz7Kp1Jw6Hc3Ny8Td5Rf0Gs2Ea4Ub7Xo9Mi1" + "'", "Vb2x9Qm4Lz7Kp1Jw6Hc3Ny8Td5Rf0Gs2Ea4Ub7Xo9Mi1"),
    ("ibm cos hmac", "ibm_cos_secret_access_key = '" + _HEX40 + "a1b2c3d4" + "'", _HEX40 + "a1b2c3d4"),
    ("mailchimp", "ApiClientError: 401 for 8dafbc9cd946eb776b715915fda0ed28" + "-us14", "8dafbc9cd946eb776b715915fda0ed28" + "-us14"),
    ("softlayer", "GET https://api.softlayer.com/soap/v3/" + _HEX40 + "c0ffee1234567890abcdef12 401", _HEX40 + "c0ffee1234567890abcdef12"),
    ("square", "square.exceptions: UNAUTHORIZED for client secret sq0csp-" + "JieyfVnfV-r8TGLj7Wc-5SumI9Cds0v_Zhtz38Xs2b9", "sq0csp-" + "JieyfVnfV-r8TGLj7Wc-5SumI9Cds0v_Zhtz38Xs2b9"),
    ("telegram", "InvalidToken: https://api.telegram.org/bot8360155678:" + "AAICpnvfoXmnVxQaBsemRtPy7ATxLM1vn4k/getMe", "AAICpnvfoXmnVxQaBsemRtPy7ATxLM1vn4k"),
    ("basic auth url, short password", "Retrying https://ci:" + "pw42@nexus.acme.io/repository/", "pw42"),
    ("slack, short token", "slack: invalid_auth xoxb-" + "1-2-abcdefgh", "xoxb-" + "1-2-abcdefgh"),
]

MISSED_BEFORE = [family for family, *_ in SHAPES[24:48]]
