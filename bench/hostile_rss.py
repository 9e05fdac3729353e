#!/usr/bin/env python3
"""Peak memory of tokenctl against hostile answers: a 200 MB body, a gzip bomb expanding to
1 GiB, and a large real answer (~6 MiB of Mailtrap tokens, under the 8 MiB cap), beside an empty
list for the baseline. Each answer comes from a loopback server started here; tokenctl runs
under GNU time. Prints a Markdown table.

    python3 bench/hostile_rss.py --tokenctl target/release/tokenctl
"""

import argparse
import gzip
import http.server
import json
import os
import subprocess
import tempfile
import threading

ACCOUNT = "0123456789abcdef0123456789abcdef"


def bomb(mib: int) -> bytes:
    """gzip of `mib` MiB of zeros, written in pieces so it never sits whole in memory."""
    out = tempfile.TemporaryFile()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9) as z:
        chunk = b"\0" * (1 << 20)
        for _ in range(mib):
            z.write(chunk)
    out.seek(0)
    return out.read()


def serve(body: bytes, headers: dict[str, str]) -> http.server.ThreadingHTTPServer:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the stdlib's name)
            self.send_response(200)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                for i in range(0, len(body), 1 << 16):
                    self.wfile.write(body[i : i + (1 << 16)])
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *_):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def run(tokenctl: str, env: dict[str, str], args: list[str]) -> tuple[int, int]:
    """Exit code and peak RSS in KiB."""
    with tempfile.NamedTemporaryFile("r") as t:
        p = subprocess.run(
            ["/usr/bin/time", "-f", "%M", "-o", t.name, tokenctl, *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=120,
        )
        return p.returncode, int(t.read().strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokenctl", required=True)
    a = ap.parse_args()
    home = tempfile.mkdtemp()
    base = {"HOME": home, "PATH": os.environ.get("PATH", "")}
    tokens = [
        {"id": i + 1, "name": f"token number {i} of a very large account", "last_4_digits": "abcd",
         "created_by": "someone@example.com", "expires_at": None,
         "resources": [{"resource_type": "account", "resource_id": 4242, "access_level": 100}]}
        for i in range(28_000)
    ]
    big = json.dumps(tokens).encode()
    cf_empty = json.dumps({"success": True, "errors": [], "messages": [], "result": [],
                           "result_info": {"page": 1, "per_page": 50, "count": 0, "total_count": 0}})
    cases = [
        ("empty list (baseline)", "cloudflare", cf_empty.encode(), {"Content-Type": "application/json"}),
        ("200 MB body", "cloudflare", b" " * (200 * 1000 * 1000), {"Content-Type": "application/json"}),
        ("gzip bomb, 1 GiB expanded", "cloudflare", bomb(1024),
         {"Content-Type": "application/json", "Content-Encoding": "gzip"}),
        (f"a large real answer: {len(big) / (1 << 20):.1f} MiB of Mailtrap tokens", "mailtrap", big,
         {"Content-Type": "application/json"}),
    ]
    print("| answer | exit | peak RSS |")
    print("|---|---|---|")
    for what, vendor, body, headers in cases:
        server = serve(body, headers)
        root = f"http://127.0.0.1:{server.server_address[1]}"
        env = dict(base)
        if vendor == "cloudflare":
            env.update(CLOUDFLARE_BASE_URL=f"{root}/client/v4", CLOUDFLARE_API_TOKEN="x",
                       CLOUDFLARE_ACCOUNT_ID=ACCOUNT)
            args = ["tokens", "list", "-o", "json"]
        else:
            env.update(MAILTRAP_BASE_URL=root, MAILTRAP_API_TOKEN="x", MAILTRAP_ACCOUNT_ID="4242")
            args = ["api-tokens", "list", "-o", "json"]
        code, rss = run(a.tokenctl, env, args)
        server.shutdown()
        print(f"| {what} | {code} | {rss / 1024:.1f} MiB |")


if __name__ == "__main__":
    main()
