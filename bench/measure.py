"""Runs the benchmark: tokenctl, a curl + jq loop and the Cloudflare Python SDK doing identical
work against `tokenctl sandbox serve`, each output checked, and writes the results.

Called by `bench/run`, which installs what this needs. Jobs, at 0 ms and at 50 ms of latency
added to every sandbox request (500 account tokens, 40 service tokens):

  startup  `--version` (the SDK: importing it)
  list     every account token, expired ones included, as one JSON array
  roll     roll one account token by ID
  rotate   rotate the 20 service tokens whose names match [b-m]*, the previous secrets kept
           for an hour; print the new secrets

Per job and client: median wall time over the runs, peak resident memory (the largest single
process of the run, as wait4 reports it through GNU time), and the requests the sandbox logged.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ACCOUNT_TOKENS = 500
SERVICE_TOKENS = 40
ROTATE_GLOB = "[b-m]*"
ROTATE_REGEX = "^[b-m]"
ROTATE_COUNT = 20
# Any seeded token other than the one the sandbox hands out for authentication.
ROLL_NAME = "readonly-auditor"
LATENCIES = (0, 50)
CLIENTS = ("tokenctl", "curl+jq", "python-sdk")
JOBS = ("startup", "list", "roll", "rotate")


NOTES = """## What the jobs do

- tokenctl: `tokens list --include-expired --json` (page 1, then the other 9 pages at once);
  `tokens roll ID --yes --json` (the roll, with the verify that recognises the profile's own
  token sent beside it, hence 2 requests in one round trip); `service-tokens rotate --name
  '[b-m]*' --grace 1h --yes --json` (one list, then 10 rotations in flight at a time).
- curl + jq: `bench/curl/list.sh` (a page at a time until `total_count` is covered, two jq calls
  per page) and `bench/curl/rotate.sh` (list, filter with jq, one curl per token); the roll is
  the single `curl -X PUT .../value` an operator would type.
- Python SDK (`bench/sdk/jobs.py`): `accounts.tokens.list` (the SDK pages sequentially and
  stops at the first empty page, hence 11 requests), `accounts.tokens.value.update` (with
  `extra_body={}`: the API requires a body the SDK does not send),
  `zero_trust.access.service_tokens.list` + `.rotate` per token (the SDK's default page size
  takes two pages for 40 tokens, hence 22 requests). Its times include Python's start-up and
  the SDK import (see the start-up row).
- Every output is checked: the 500 IDs listed; the rolled value authenticates as the rolled
  token; the 20 selected service tokens rotated, each new secret accepted by the sandbox's
  Access check (disabled and expired ones excepted, which Access refuses whatever the secret).
"""


class Sandbox:
    """`tokenctl sandbox serve` on a free port, with its control routes."""

    def __init__(self, tokenctl: str, latency: int, env: dict[str, str]):
        self.proc = subprocess.Popen(
            [tokenctl, "sandbox", "serve", "--port", "0", "--latency", str(latency),
             "--account-tokens", str(ACCOUNT_TOKENS), "--service-tokens", str(SERVICE_TOKENS),
             "-o", "json"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
            env=env, text=True,
        )
        assert self.proc.stdout is not None
        conn = json.loads(self.proc.stdout.readline())["cloudflare"]
        self.base_url: str = conn["base_url"]
        self.account_id: str = conn["account_id"]
        self.token: str = conn["token"]
        self.root = self.base_url.removesuffix("/client/v4")
        # The sandbox enforces Cloudflare's 1,200 requests per 5 minutes, as the API does; the
        # runs here send more than that, and what they measure is the clients, not the quota.
        req = urllib.request.Request(
            self.root + "/__sandbox/rate_limits/cloudflare", method="PUT",
            data=json.dumps({"limit": 1_000_000, "window_secs": 300}).encode(),
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert resp.status == 200, resp.status

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)

    def env(self) -> dict[str, str]:
        return {
            "CLOUDFLARE_BASE_URL": self.base_url,
            "CLOUDFLARE_ACCOUNT_ID": self.account_id,
            "CLOUDFLARE_API_TOKEN": self.token,
        }

    def _call(self, method: str, url: str, headers: dict[str, str] | None = None):
        req = urllib.request.Request(url, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                body = resp.read()
                return resp.status, json.loads(body) if body else None
        except urllib.error.HTTPError as e:
            return e.code, None

    def api(self, path: str, token: str | None = None):
        return self._call("GET", self.base_url + path,
                          {"Authorization": f"Bearer {token or self.token}"})

    def requests(self) -> int:
        return len(self._call("GET", self.root + "/__sandbox/requests")[1])

    def clear_requests(self) -> None:
        self._call("DELETE", self.root + "/__sandbox/requests")

    def all_tokens(self) -> list[dict]:
        tokens, page = [], 1
        while True:
            _, body = self.api(f"/accounts/{self.account_id}/tokens"
                               f"?per_page=50&page={page}&include_expired=true")
            if not body["result"]:
                return tokens
            tokens += body["result"]
            page += 1

    def service_tokens(self) -> list[dict]:
        _, body = self.api(f"/accounts/{self.account_id}/access/service_tokens?per_page=1000")
        return body["result"]

    def token_works(self, value: str) -> str | None:
        """The ID of the account token `value` authenticates as, or None."""
        status, body = self.api(f"/accounts/{self.account_id}/tokens/verify", token=value)
        return body["result"]["id"] if status == 200 else None

    def access_allows(self, client_id: str, secret: str) -> bool:
        status, _ = self._call("GET", self.root + "/__sandbox/access/check",
                               {"CF-Access-Client-Id": client_id,
                                "CF-Access-Client-Secret": secret})
        return status == 200


@dataclass
class Cell:
    times: list[float] = field(default_factory=list)
    peak_kb: int = 0
    requests: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.times) * 1000


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, int, str, str, int]:
    """Wall time, peak RSS in KiB, stdout, stderr and exit code of one run."""
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        cmd = ["/usr/bin/time", "-f", "%M", "-o", rss.name, *argv]
        start = time.perf_counter()
        p = subprocess.run(cmd, env=env, capture_output=True, text=True,
                           stdin=subprocess.DEVNULL, timeout=120)
        took = time.perf_counter() - start
        peak = int((rss.read().strip().splitlines() or ["0"])[-1])
    return took, peak, p.stdout, p.stderr, p.returncode


def commands(client: str, job: str, tokenctl: str, python: str, sb: Sandbox,
             roll_id: str) -> list[str]:
    if client == "tokenctl":
        return {
            "startup": [tokenctl, "--version"],
            "list": [tokenctl, "tokens", "list", "--include-expired", "--json"],
            "roll": [tokenctl, "tokens", "roll", roll_id, "--yes", "--json"],
            "rotate": [tokenctl, "service-tokens", "rotate", "--name", ROTATE_GLOB,
                       "--grace", "1h", "--yes", "--json"],
        }[job]
    if client == "curl+jq":
        return {
            "startup": ["curl", "--version"],
            "list": ["bash", str(BENCH / "curl/list.sh")],
            # The single request, as an operator would type it.
            "roll": ["curl", "-sSf", "-X", "PUT", "-H", f"Authorization: Bearer {sb.token}",
                     "-H", "Content-Type: application/json", "-d", "{}",
                     f"{sb.base_url}/accounts/{sb.account_id}/tokens/{roll_id}/value"],
            "rotate": ["bash", str(BENCH / "curl/rotate.sh"), ROTATE_REGEX],
        }[job]
    jobs = str(BENCH / "sdk/jobs.py")
    return {
        "startup": [python, "-c", "import cloudflare; print(cloudflare.__version__)"],
        "list": [python, jobs, "list"],
        "roll": [python, jobs, "roll", roll_id],
        "rotate": [python, jobs, "rotate", ROTATE_GLOB],
    }[job]


def check(client: str, job: str, out: str, sb: Sandbox, truth: dict) -> str | None:
    """None when the output is complete and correct, else what is wrong."""
    if job == "startup":
        return None if out.strip() else "no output"
    try:
        data = json.loads(out)
    except json.JSONDecodeError as e:
        return f"output is not JSON: {e}"
    if job == "list":
        ids = [t.get("id") for t in data]
        if sorted(ids) != truth["token_ids"]:
            return f"listed {len(ids)} tokens, {len(set(ids) & set(truth['token_ids']))} right"
        if any(not t.get("name") or not t.get("status") for t in data):
            return "a token lacks its name or status"
        return None
    if job == "roll":
        value = {"tokenctl": lambda d: d["value"], "curl+jq": lambda d: d["result"],
                 "python-sdk": lambda d: d}[client](data)
        if sb.token_works(value) != truth["roll_id"]:
            return "the new value does not authenticate as the rolled token"
        return None
    # rotate
    items = [d for d in data if client != "tokenctl" or d.get("outcome") == "done"]
    if sorted(d["id"] for d in items) != truth["rotate_ids"]:
        return f"rotated {len(items)} tokens, expected the {ROTATE_COUNT} selected"
    # Access refuses an expired or disabled service token whatever its secret; rotating keeps
    # both as they were, so only the others can show that their new secret works.
    live = [d for d in items if d["id"] in truth["rotate_live"]]
    bad = [d["id"] for d in live if not sb.access_allows(d["client_id"], d["client_secret"])]
    if not live:
        return "no rotated token could be checked with Access"
    if bad:
        return f"{len(bad)} new secrets refused by Access"
    return None


def machine() -> list[str]:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return [f"{platform.system()} {platform.release()} {platform.machine()}, {cpu}, "
            f"{os.cpu_count()} CPUs{mem}"]


def version(argv: list[str]) -> str:
    try:
        return subprocess.run(argv, capture_output=True, text=True).stdout.splitlines()[0]
    except (OSError, IndexError):
        return "?"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tokenctl", required=True)
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--runs", type=int, default=9, help="timed runs per cell (default 9)")
    ap.add_argument("--out", type=Path, help="write the Markdown report here")
    ap.add_argument("--command", default="bench/run", help="the command shown in the report")
    args = ap.parse_args()

    home = tempfile.mkdtemp(prefix="tokenctl-bench-")
    base_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": home,
        "XDG_CONFIG_HOME": f"{home}/config",
        "XDG_DATA_HOME": f"{home}/data",
        "XDG_CACHE_HOME": f"{home}/cache",
        "LANG": "C.UTF-8",
    }
    results: dict[tuple[int, str, str], Cell] = {}
    for latency in LATENCIES:
        sb = Sandbox(args.tokenctl, latency, base_env)
        try:
            tokens = sb.all_tokens()
            roll_id = next(t["id"] for t in tokens if t["name"] == ROLL_NAME)
            selected = [t for t in sb.service_tokens()
                        if fnmatch.fnmatchcase(t["name"], ROTATE_GLOB)]
            rotate_ids = sorted(t["id"] for t in selected)
            now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            rotate_live = {t["id"] for t in selected if t.get("enabled", True)
                           and (not t.get("expires_at") or t["expires_at"] > now)}
            assert len(tokens) == ACCOUNT_TOKENS, len(tokens)
            assert len(rotate_ids) == ROTATE_COUNT, len(rotate_ids)
            truth = {"token_ids": sorted(t["id"] for t in tokens), "roll_id": roll_id,
                     "rotate_ids": rotate_ids, "rotate_live": rotate_live}
            env = {**base_env, **sb.env()}
            for job in JOBS:
                for client in CLIENTS:
                    argv = commands(client, job, args.tokenctl, args.python, sb, roll_id)
                    cell = Cell()
                    for i in range(args.runs + 1):  # the first run warms caches, untimed
                        sb.clear_requests()
                        took, peak, out, err, rc = run_once(argv, env)
                        requests = sb.requests()  # before check() sends its own
                        if rc != 0:
                            first = err.strip().splitlines()[:1] or [""]
                            cell.problems.append(f"exit {rc}: {first[0][:200]}")
                            continue
                        problem = check(client, job, out, sb, truth)
                        if problem:
                            cell.problems.append(problem)
                        if i == 0:
                            continue
                        cell.times.append(took)
                        cell.peak_kb = max(cell.peak_kb, peak)
                        cell.requests.append(requests)
                    results[(latency, job, client)] = cell
                    status = "ok" if not cell.problems else f"PROBLEM: {cell.problems[0]}"
                    med = f"{cell.median_ms:8.1f} ms" if cell.times else "       -"
                    print(f"{latency:3d} ms  {job:8s} {client:11s} {med}  "
                          f"{cell.peak_kb / 1024:6.1f} MB  {status}", file=sys.stderr)
        finally:
            sb.stop()
    shutil.rmtree(home, ignore_errors=True)

    report = render(args, results)
    print(report)
    if args.out:
        args.out.write_text(report)
    failed = any(c.problems for c in results.values())
    return 1 if failed else 0


def ratio(a: Cell, b: Cell) -> float:
    return a.median_ms / b.median_ms if a.times and b.times else float("nan")


def render(args, results: dict[tuple[int, str, str], Cell]) -> str:
    size = Path(args.tokenctl).stat().st_size / 1024 / 1024
    lines = [
        "# Benchmark results",
        "",
        f"Command: `{args.command.strip()}` ({args.runs} timed runs per cell after one warm-up run; "
        "median wall time; peak RSS is the largest single process of a run).",
        f"Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
        "",
        "Machine: " + "; ".join(machine()) + ".",
        "",
        "Versions: " + "; ".join([
            version([args.tokenctl, "--version"]),
            version(["curl", "--version"]).split(" (")[0],
            version(["jq", "--version"]),
            "Python " + platform.python_version(),
            "cloudflare SDK " + version([args.python, "-c",
                                         "import cloudflare; print(cloudflare.__version__)"]),
        ]) + ".",
        "",
        f"Release binary: {size:.1f} MB.",
        "",
    ]
    for latency in LATENCIES:
        lines += [f"## {latency} ms added latency per request", "",
                  "| job | client | median | peak RSS | requests | output |",
                  "|---|---|---:|---:|---:|---|"]
        for job in JOBS:
            for client in CLIENTS:
                c = results[(latency, job, client)]
                med = f"{c.median_ms:.1f} ms" if c.times else "-"
                reqs = str(int(statistics.median(c.requests))) if c.requests else "-"
                ok = "correct" if not c.problems else "WRONG: " + c.problems[0]
                lines.append(f"| {job} | {client} | {med} | {c.peak_kb / 1024:.1f} MB "
                             f"| {reqs} | {ok} |")
        lines.append("")

    def r(job, a, b, lat=50):
        return ratio(results[(lat, job, a)], results[(lat, job, b)])

    peak = max(max(results[(lat, job, "tokenctl")].peak_kb for job in JOBS)
               for lat in LATENCIES) / 1024
    startup = ratio(results[(0, "startup", "tokenctl")], results[(0, "startup", "curl+jq")])
    targets = [
        ("start-up: tokenctl --version no slower than curl --version",
         f"{startup:.2f}x curl's time", startup <= 1.0),
        ("list 500 tokens at 50 ms: >= 4x faster than curl + jq",
         f"{r('list', 'curl+jq', 'tokenctl'):.1f}x", r('list', 'curl+jq', 'tokenctl') >= 4),
        ("list 500 tokens at 50 ms: >= 8x faster than the SDK",
         f"{r('list', 'python-sdk', 'tokenctl'):.1f}x", r('list', 'python-sdk', 'tokenctl') >= 8),
        ("roll one token at 50 ms: within 1.2x of curl",
         f"{r('roll', 'tokenctl', 'curl+jq'):.2f}x curl's time",
         r('roll', 'tokenctl', 'curl+jq') <= 1.2),
        ("rotate 20 service tokens at 50 ms: >= 4x faster than curl + jq",
         f"{r('rotate', 'curl+jq', 'tokenctl'):.1f}x",
         r('rotate', 'curl+jq', 'tokenctl') >= 4),
        ("rotate 20 service tokens at 50 ms: >= 10x faster than the SDK",
         f"{r('rotate', 'python-sdk', 'tokenctl'):.1f}x",
         r('rotate', 'python-sdk', 'tokenctl') >= 10),
        ("peak memory of tokenctl <= 20 MB on every job", f"{peak:.1f} MB", peak <= 20),
        ("release binary <= 15 MB", f"{size:.1f} MB", size <= 15),
    ]
    lines += ["## Targets (this run)", "", "| target | measured | met |", "|---|---|---|"]
    for name, measured, met in targets:
        lines.append(f"| {name} | {measured} | {'yes' if met else 'NO'} |")
    lines.append("")
    lines.append(NOTES)
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
