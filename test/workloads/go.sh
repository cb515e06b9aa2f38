#!/bin/sh
# The Go test image's workload: 50 rounds of its three handlers (a page, a file it writes and
# serves, a fork+exec of /bin/echo). Fails on any wrong answer.
set -eu
base=${1:-http://127.0.0.1:18082}
# The container may still be starting (the alpine image renders its page first): wait up to 20 s.
n=0
until curl -sf -o /dev/null "$base/hello"; do
  n=$((n + 1))
  [ $n -lt 200 ] || { echo "no answer from $base" >&2; exit 1; }
  sleep 0.1
done
i=0
while [ $i -lt 50 ]; do
  curl -sf "$base/hello" | grep -q '^hello /hello' || { echo "bad /hello" >&2; exit 1; }
  [ "$(curl -sf "$base/file")" = content ] || { echo "bad /file" >&2; exit 1; }
  [ "$(curl -sf "$base/exec")" = "from child" ] || { echo "bad /exec" >&2; exit 1; }
  i=$((i + 1))
done
echo "150 requests ok"
