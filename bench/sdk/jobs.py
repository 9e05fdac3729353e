"""The benchmark jobs written with the official Cloudflare Python SDK (`pip install cloudflare`),
as its README shows, with `base_url` pointed at the sandbox. Prints JSON on stdout.

    python jobs.py list
    python jobs.py roll TOKEN_ID
    python jobs.py rotate GLOB
"""

import datetime
import fnmatch
import json
import os
import sys

from cloudflare import Cloudflare


def main() -> None:
    client = Cloudflare(
        api_token=os.environ["CLOUDFLARE_API_TOKEN"],
        base_url=os.environ["CLOUDFLARE_BASE_URL"],
    )
    account_id = os.environ["CLOUDFLARE_ACCOUNT_ID"]
    job = sys.argv[1]
    if job == "list":
        # The SDK pages through the list by itself, one page after the other.
        tokens = client.accounts.tokens.list(
            account_id=account_id, per_page=50, include_expired=True
        )
        print(json.dumps([t.to_dict(mode="json") for t in tokens]))
    elif job == "roll":
        # The API requires a JSON body (`{}`); the SDK sends none unless given one.
        value = client.accounts.tokens.value.update(
            sys.argv[2], account_id=account_id, extra_body={}
        )
        print(json.dumps(value))
    elif job == "rotate":
        grace = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
        rotated = []
        for token in client.zero_trust.access.service_tokens.list(account_id=account_id):
            if fnmatch.fnmatchcase(token.name or "", sys.argv[2]):
                result = client.zero_trust.access.service_tokens.rotate(
                    token.id,
                    account_id=account_id,
                    previous_client_secret_expires_at=grace.strftime("%Y-%m-%dT%H:%M:%SZ"),
                )
                rotated.append(result.to_dict(mode="json"))
        print(json.dumps(rotated))
    else:
        sys.exit(f"unknown job {job!r}")


if __name__ == "__main__":
    main()
