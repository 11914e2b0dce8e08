#!/usr/bin/env python3
"""bench/probe.py: a hostile-input probe of a running Meijian server (issue 10).

Signs in as every demo role, then sends each route of the pages and of the OpenAPI document
inputs that broke the server before: NUL bytes (raw and %00, in paths, queries, forms, JSON),
bidi overrides, 100,000-character values, invalid UTF-8 escapes, wrong JSON types, huge and
negative numbers, other ids, missing CSRF tokens and foreign origins. Counts answers by status
and lists every 5xx (target: none).

Usage: bench/probe.py BASE_URL ACCOUNTS_FILE
  ACCOUNTS_FILE: the account table `meijian demo` prints (username and password per line).
Standard library only.
"""
import http.cookiejar
import json
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter

BASE = sys.argv[1].rstrip("/")
ACCOUNTS = {}
for line in open(sys.argv[2], encoding="utf-8"):
    parts = line.split()
    if len(parts) >= 2 and re.fullmatch(r"[a-z_]+", parts[0]) and len(parts[1]) >= 10:
        ACCOUNTS[parts[0]] = parts[1]

statuses = Counter()
failures = []

NASTY = [
    "\x00",
    "a\x00b",
    "\u202e名称",
    "x" * 100_000,
    "枣庄" * 20_000,
    "'; drop table account; --",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "=HYPERLINK(\"http://x\")",
    "-1",
    "99999999999999999999",
    "",
]
RAW_QUERIES = ["%00", "%FF%FE", "%", "%E4%B8", "a%00b", "%u202e"]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def opener():
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())


def send(op, method, path, body=None, headers=None):
    headers = dict(headers or {})
    data = None
    if isinstance(body, dict) and headers.get("Content-Type") == "application/json":
        data = json.dumps(body).encode()
    elif isinstance(body, (dict, list)):
        data = urllib.parse.urlencode(body).encode()
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    elif isinstance(body, (bytes, str)):
        data = body.encode() if isinstance(body, str) else body
    req = urllib.request.Request(BASE + path, data=data, method=method, headers=headers)
    try:
        with op.open(req, timeout=60) as r:
            status, text = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read()
    except Exception as e:  # noqa: BLE001 - a dropped connection counts as a failure too
        status, text = 599, str(e).encode()
    statuses[status] += 1
    if status >= 500:
        failures.append((status, method, path[:120], text[:200]))
    return status, text


def sign_in(name, password):
    op = opener()
    status, text = send(op, "POST", "/api/session", {"username": name, "password": password},
                        {"Content-Type": "application/json"})
    csrf = json.loads(text)["csrf_token"] if status == 200 else ""
    return op, csrf


def routes():
    op = opener()
    _, text = send(op, "GET", "/api/openapi.json")
    spec = json.loads(text)
    api = [(m.upper(), p) for p, ms in spec.get("paths", {}).items() for m in ms]
    pages = ["/", "/login", "/departments", "/audit", "/admin", "/registries",
             "/registries/registrations", "/registries/licenses", "/imports/new", "/reconcile",
             "/reconcile/operators", "/reconcile/review", "/leads", "/leads/summary",
             "/referrals", "/rewards", "/complaints/new", "/complaints/status", "/admin/duty",
             "/admin/calendar", "/leads.xlsx", "/leads/summary.xlsx",
             "/registries/registrations/export.xlsx", "/reconcile/operators.xlsx"]
    posts = ["/login", "/complaints", "/complaints/status", "/complaints/rate", "/admin/users",
             "/admin/departments", "/reconcile/run", "/reconcile/decisions", "/leads/new",
             "/leads/clues", "/imports/confirm", "/admin/calendar", "/logout"]
    return api, pages, posts


def fill(path, value):
    return re.sub(r"\{[^}]+\}", urllib.parse.quote(value, safe=""), path)


def main():
    api, pages, posts = routes()
    sessions = [sign_in(n, p) for n, p in ACCOUNTS.items()] + [(opener(), "")]
    ids = ["0", "x", "\x00", "\u202e", "a" * 5000, "0195f0f0aaaaaaaaaaaaaaaaaaaaaaaa", "..%2F..",
           "-1"]
    for op, csrf in sessions:
        hdr = {"X-CSRF-Token": csrf} if csrf else {}
        for path in pages + [p for m, p in api if m == "GET"]:
            for v in ids[:4] if "{" in path else [""]:
                target = fill(path, v) if v else path
                send(op, "GET", target, headers=hdr)
                for q in RAW_QUERIES:
                    send(op, "GET", f"{target}?q={q}&page={q}", headers=hdr)
                for value in NASTY:
                    qs = urllib.parse.urlencode({"q": value, "page": value, "region": value,
                                                 "month": value, "state": value})
                    send(op, "GET", f"{target}?{qs}", headers=hdr)
        for method, path in [(m, p) for m, p in api if m != "GET"] + [("POST", p) for p in posts]:
            for v in ids if "{" in path else [""]:
                target = fill(path, v) if v else path
                for value in NASTY:
                    fields = {k: value for k in ["username", "password", "name", "kind",
                                                 "category", "region_code", "subject_name",
                                                 "description", "q", "ticket_code", "secret",
                                                 "action", "note", "token", "_csrf", "code",
                                                 "display_name", "role", "department_id",
                                                 "date", "reason", "amount_yuan"]}
                    js = dict(fields, _csrf=csrf)
                    send(op, method, target, js, dict(hdr, **{"Content-Type": "application/json"}))
                    send(op, method, target, dict(fields, _csrf=csrf), hdr)
                send(op, method, target, "{not json", dict(hdr, **{"Content-Type": "application/json"}))
                send(op, method, target, {"action": 12, "amount_yuan": "x", "id": [1]},
                     dict(hdr, **{"Content-Type": "application/json"}))
                send(op, method, target, {"a": "b"}, {"Origin": "http://evil.example"})
    total = sum(statuses.values())
    five = sum(n for s, n in statuses.items() if s >= 500)
    print(f"requests: {total}")
    print("by status: " + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items())))
    print(f"5xx: {five}")
    for f in failures[:50]:
        print("  ", *f)
    sys.exit(1 if five else 0)


if __name__ == "__main__":
    main()
