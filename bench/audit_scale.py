#!/usr/bin/env python3
"""Audit at an organisation's scale: 12 profiles audited in one run, at 50 ms per request.

Six Cloudflare accounts (each its own `sandbox serve`, with 500 account tokens and 40 Access
service tokens) and two each of Mailtrap, Prefactor and Mosquitto (the vendors of two of those
sandboxes). Each profile is stored as a user would (`auth login --with-token
--insecure-storage`). The whole `audit` is timed against an audit of one Cloudflare profile alone;
the targets are at most 3x that time and under 30 MB peak RSS. Every run's report must cover
all 12 profiles with no error. Appends a section to bench/RESULTS.md when --out is given.

    python3 bench/audit_scale.py --tokenctl target/release/tokenctl [--runs 5] [--out bench/RESULTS.md]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
import measure  # noqa: E402  (run_once: wall time and peak RSS of one run)

CLOUDFLARE_ACCOUNTS = 6
ACCOUNT_TOKENS = 500
SERVICE_TOKENS = 40
LATENCY_MS = 50


class Serve:
    """`tokenctl sandbox serve` on a free port; its connections, per vendor."""

    def __init__(self, tokenctl: str, env: dict[str, str]):
        self.proc = subprocess.Popen(
            [tokenctl, "sandbox", "serve", "--port", "0", "--latency", str(LATENCY_MS),
             "--account-tokens", str(ACCOUNT_TOKENS), "--service-tokens", str(SERVICE_TOKENS),
             "-o", "json"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
            env=env, text=True,
        )
        assert self.proc.stdout is not None
        self.connections: dict = json.loads(self.proc.stdout.readline())

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def login(tokenctl: str, env: dict[str, str], name: str, vendor: str, conn: dict) -> None:
    argv = [tokenctl, "-p", name, "auth", "login", "--with-token", "--insecure-storage",
            "--vendor", vendor, "--base-url", conn["base_url"]]
    if vendor in ("cloudflare", "mailtrap"):
        argv += ["--account", conn["account_id"]]
    if vendor == "mosquitto":
        argv += ["--project", conn["project_id"]]
    p = subprocess.run(argv, env=env, input=conn["token"], capture_output=True, text=True,
                       timeout=60)
    if p.returncode != 0:
        raise SystemExit(f"bench: auth login {name}: {p.stderr.strip()}")


def profiles(serves: list[Serve]) -> list[tuple[str, str, dict]]:
    out = [(f"cf{i + 1}", "cloudflare", s.connections["cloudflare"])
           for i, s in enumerate(serves)]
    for vendor in ("mailtrap", "prefactor", "mosquitto"):
        out += [(f"{vendor}{i + 1}", vendor, serves[i].connections[vendor]) for i in range(2)]
    return out


def audited(stdout: str, names: list[str]) -> str | None:
    """None when the report covers every profile in `names` and none failed."""
    try:
        rows = json.loads(stdout)
    except json.JSONDecodeError as e:
        return f"not JSON: {e}"
    errors = [r for r in rows if r.get("reason") == "error"]
    if errors:
        return f"{errors[0]['profile']}: {errors[0]['error']}"
    seen = {r["profile"] for r in rows}
    missing = [n for n in names if n not in seen]
    return f"no findings for {', '.join(missing)}" if missing else None


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokenctl", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--out")
    a = ap.parse_args()
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("CLOUDFLARE_", "TOKENCTL_", "MAILTRAP_", "PREFACTOR_",
                                 "MOSQUITTO_"))}
    serves = [Serve(a.tokenctl, base) for _ in range(CLOUDFLARE_ACCOUNTS)]
    try:
        with tempfile.TemporaryDirectory() as d:
            env = {**base, "TOKENCTL_CONFIG_DIR": f"{d}/config", "TOKENCTL_DATA_DIR": f"{d}/data"}
            all_profiles = profiles(serves)
            for name, vendor, conn in all_profiles:
                login(a.tokenctl, env, name, vendor, conn)
            names = [n for n, _, _ in all_profiles]
            jobs = {
                "one Cloudflare profile": ([a.tokenctl, "audit", "-p", "cf1", "-o", "json"], ["cf1"]),
                f"all {len(names)} profiles": ([a.tokenctl, "audit", "-o", "json"], names),
            }
            results = {}
            for job, (argv, expect) in jobs.items():
                times, peaks, problems = [], [], []
                measure.run_once(argv, env)  # warm-up
                for _ in range(a.runs):
                    took, peak, out, err, code = measure.run_once(argv, env)
                    times.append(took)
                    peaks.append(peak)
                    # Exit 10 is "findings at or above --fail-on": the sandbox seeds some.
                    if code not in (0, 10):
                        problems.append(f"exit {code}: {err.strip()[-200:]}")
                    elif problem := audited(out, expect):
                        problems.append(problem)
                results[job] = (statistics.median(times), max(peaks), problems)
                print(f"{job}: median {statistics.median(times) * 1000:.0f} ms, peak RSS "
                      f"{max(peaks) / 1024:.1f} MB; {'correct' if not problems else problems[0]}")
    finally:
        for s in serves:
            s.stop()
    (one, _, _), (whole, peak, _) = results.values()
    ratio = whole / one
    print(f"the whole audit takes {ratio:.2f}x one Cloudflare profile alone (target <= 3x); "
          f"peak RSS {peak / 1024:.1f} MB (target < 30 MB)")
    if a.out:
        with open(a.out, "a") as f:
            f.write(f"\n## Audit at scale\n\n"
                    f"Command: `python3 bench/audit_scale.py --tokenctl target/release/tokenctl "
                    f"--runs {a.runs} --out bench/RESULTS.md`. {len(names)} profiles: "
                    f"{CLOUDFLARE_ACCOUNTS} Cloudflare accounts with {ACCOUNT_TOKENS} account tokens "
                    f"and {SERVICE_TOKENS} Access service tokens each, 2 each of Mailtrap, Prefactor "
                    f"and Mosquitto; {LATENCY_MS} ms added latency per request; the report must "
                    f"cover every profile with no error.\n\n"
                    f"| job | median | peak RSS | report |\n|---|---:|---:|---|\n")
            for job, (m, p, problems) in results.items():
                f.write(f"| {job} | {m * 1000:.0f} ms | {p / 1024:.1f} MB | "
                        f"{'complete' if not problems else problems[0]} |\n")
            f.write(f"\nThe whole audit takes {ratio:.2f}x one Cloudflare profile alone (target: "
                    f"at most 3x); peak RSS {peak / 1024:.1f} MB (target: under 30 MB).\n")
    failed = any(p for _, _, p in results.values()) or ratio > 3 or peak / 1024 >= 30
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
