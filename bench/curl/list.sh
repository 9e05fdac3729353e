#!/usr/bin/env bash
# Every account token as one JSON array, page by page, as the API documentation describes:
# ask for a page, print its tokens, stop once the pages cover result_info.total_count.
set -euo pipefail
url="$CLOUDFLARE_BASE_URL/accounts/$CLOUDFLARE_ACCOUNT_ID/tokens"
page=1
while :; do
  body=$(curl -sSf -H "Authorization: Bearer $CLOUDFLARE_API_TOKEN" \
    "$url?per_page=50&include_expired=true&page=$page")
  jq -c '.result[]' <<<"$body"
  total=$(jq '.result_info.total_count' <<<"$body")
  [ $((page * 50)) -ge "$total" ] && break
  page=$((page + 1))
done | jq -s .
