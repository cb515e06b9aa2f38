#!/bin/sh
# Workload for the busybox-httpd test images (static, alpine): 100 page requests and 100 misses
# against the URL given. Fails on any wrong status.
set -eu
base=$1
expect=$2
# The container may still be starting (the alpine image renders its page first): wait up to 20 s.
n=0
until curl -sf -o /dev/null "$base/"; do
  n=$((n + 1))
  [ $n -lt 200 ] || { echo "no answer from $base" >&2; exit 1; }
  sleep 0.1
done
i=0
while [ $i -lt 100 ]; do
  curl -sf "$base/" | grep -q "$expect" || { echo "bad page" >&2; exit 1; }
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/missing-$i")" = 404 ] || { echo "no 404" >&2; exit 1; }
  i=$((i + 1))
done
echo "200 requests ok"
