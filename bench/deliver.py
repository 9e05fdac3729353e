#!/usr/bin/env python3
"""Bulk rotation that reaches the consumers: every Access service token of an account rotated
at 50 ms per request, each new client ID and secret delivered to a dotenv file and to a command
on its stdin; tokenctl (`service-tokens rotate --all --deliver ...`) against a curl + jq loop
(`bench/curl/rotate_deliver.sh`). After each run, every consumer's copy of every live token is
checked with the sandbox's Access check. Appends a section to bench/RESULTS.md when --out is
given.

    python3 bench/deliver.py --tokenctl target/release/tokenctl [--runs 3] [--out bench/RESULTS.md]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
import measure  # noqa: E402  (its Sandbox: `sandbox serve` with its control routes)

TOKENS = 100
LATENCY_MS = 50
# The target: tokenctl at least this many times faster than the curl + jq loop.
TARGET = 5.0


def parse_env(path: Path) -> dict[str, str]:
    pairs = {}
    for line in path.read_text().splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            k, v = line.split("=", 1)
            pairs[k.strip().removeprefix("export ").strip()] = v.strip().strip("'\"")
    return pairs


def check(sb: measure.Sandbox, out: Path, live: list[str], all_ids: list[str]) -> str | None:
    """Every token has both consumers' copies; every live token's copies pass Access."""
    for tid in all_ids:
        for f in (out / f"{tid}.env", out / f"x-{tid}.exec"):
            if not f.exists():
                return f"{f.name} missing"
    for tid in live:
        for f in (out / f"{tid}.env", out / f"x-{tid}.exec"):
            v = parse_env(f)
            if not sb.access_allows(v.get("CLIENT_ID", ""), v.get("CLIENT_SECRET", "")):
                return f"{f.name} does not hold a working secret"
    return None


def one_run(client: str, tokenctl: str, env: dict[str, str]) -> tuple[float, str | None]:
    measure.SERVICE_TOKENS = TOKENS
    sb = measure.Sandbox(tokenctl, LATENCY_MS, env)
    try:
        tokens = sb.service_tokens()
        all_ids = sorted(t["id"] for t in tokens)
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        # What Access admits after a rotation: enabled and not expired (a rotation keeps the
        # expiry), as bench/measure.py checks it.
        live = [t["id"] for t in tokens if t.get("enabled", True)
                and (not t.get("expires_at") or t["expires_at"] > now)]
        with tempfile.TemporaryDirectory() as d:
            out = Path(d)
            run_env = {**env, **sb.env()}
            if client == "tokenctl":
                argv = [tokenctl, "service-tokens", "rotate", "--all", "--grace", "1h", "--yes",
                        "-o", "json", "--deliver", f"dotenv:{out}/{{id}}.env",
                        "--deliver", f"exec:cat > {out}/x-{{id}}.exec"]
            else:
                argv = ["bash", str(BENCH / "curl/rotate_deliver.sh"), str(out)]
            start = time.perf_counter()
            p = subprocess.run(argv, env=run_env, capture_output=True, text=True,
                               stdin=subprocess.DEVNULL, timeout=600)
            took = time.perf_counter() - start
            if p.returncode != 0:
                return took, f"exit {p.returncode}: {p.stderr.strip()[-300:]}"
            return took, check(sb, out, live, all_ids)
    finally:
        sb.stop()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokenctl", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out")
    a = ap.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLOUDFLARE_", "TOKENCTL_"))}
    results = {}
    for client in ("tokenctl", "curl+jq"):
        times, problems = [], []
        for _ in range(a.runs):
            took, problem = one_run(client, a.tokenctl, env)
            times.append(took)
            if problem:
                problems.append(problem)
        results[client] = (statistics.median(times), problems)
        print(f"{client}: median {statistics.median(times):.2f} s over {a.runs} runs; "
              f"{'correct' if not problems else problems[0]}")
    t, c = results["tokenctl"][0], results["curl+jq"][0]
    print(f"tokenctl is {c / t:.1f}x faster (target: at least {TARGET:.0f}x)")
    if a.out:
        with open(a.out, "a") as f:
            f.write(f"\n## Bulk rotation with delivery\n\n"
                    f"Command: `python3 bench/deliver.py --tokenctl target/release/tokenctl "
                    f"--runs {a.runs} --out bench/RESULTS.md`. {TOKENS} Access service tokens, "
                    f"{LATENCY_MS} ms added latency per request; each new client ID and secret "
                    f"delivered to a dotenv file and to a command's stdin; after each run every "
                    f"consumer's copy of every enabled, unexpired token is checked with the sandbox's "
                    f"Access check.\n\n| client | median | consumers |\n|---|---:|---|\n")
            for client, (m, problems) in results.items():
                f.write(f"| {client} | {m:.2f} s | "
                        f"{'all hold the new secret' if not problems else problems[0]} |\n")
            f.write(f"\ntokenctl is {c / t:.1f}x faster (target: at least {TARGET:.0f}x).\n")
    wrong = any(p for _, p in results.values())
    return 1 if wrong or c / t < TARGET else 0


if __name__ == "__main__":
    sys.exit(main())
