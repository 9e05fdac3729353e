#!/usr/bin/env bash
# Rotates every Access service token (previous secrets kept for an hour) and hands each new
# client ID and secret to two consumers: a dotenv file DIR/<id>.env and a command that reads
# them on stdin (here `cat > DIR/x-<id>.exec`). What an operator scripts without tokenctl.
set -euo pipefail
dir=$1
base="$CLOUDFLARE_BASE_URL/accounts/$CLOUDFLARE_ACCOUNT_ID/access/service_tokens"
auth="Authorization: Bearer $CLOUDFLARE_API_TOKEN"
grace=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
ids=$(curl -sSf -H "$auth" "$base?per_page=1000" | jq -r '.result[].id')
for id in $ids; do
  result=$(curl -sSf -X POST -H "$auth" -H 'Content-Type: application/json' \
    -d "{\"previous_client_secret_expires_at\":\"$grace\"}" "$base/$id/rotate" | jq -c .result)
  client_id=$(jq -r .client_id <<<"$result")
  secret=$(jq -r .client_secret <<<"$result")
  umask 077
  printf "CLIENT_ID='%s'\nCLIENT_SECRET='%s'\n" "$client_id" "$secret" > "$dir/$id.env.tmp"
  mv "$dir/$id.env.tmp" "$dir/$id.env"
  printf 'CLIENT_ID=%s\nCLIENT_SECRET=%s\n' "$client_id" "$secret" | sh -c "cat > '$dir/x-$id.exec'"
done
