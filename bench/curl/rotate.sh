#!/usr/bin/env bash
# Rotates every Access service token whose name matches the regular expression $1, keeping
# each previous secret valid for an hour; prints the rotated tokens (with their new secrets)
# as one JSON array.
set -euo pipefail
base="$CLOUDFLARE_BASE_URL/accounts/$CLOUDFLARE_ACCOUNT_ID/access/service_tokens"
auth="Authorization: Bearer $CLOUDFLARE_API_TOKEN"
grace=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
ids=$(curl -sSf -H "$auth" "$base?per_page=1000" |
  jq -r --arg re "$1" '.result[] | select(.name | test($re)) | .id')
for id in $ids; do
  curl -sSf -X POST -H "$auth" -H 'Content-Type: application/json' \
    -d "{\"previous_client_secret_expires_at\":\"$grace\"}" "$base/$id/rotate" | jq -c .result
done | jq -s .
