#!/bin/sh
# The redis test image's workload: every default redis-benchmark test, then BGSAVE (a fork that
# writes the dump) and CONFIG REWRITE (rewrites /etc/redis/redis.conf). Fails on any error.
set -eu
port=${1:-16379}
cli() { redis-cli -h 127.0.0.1 -p "$port" "$@"; }
out=$(redis-benchmark -h 127.0.0.1 -p "$port" -n 2000 -c 20 -q 2>&1)
echo "$out"
# -q prints one "TEST: N requests per second" line per test; errors print otherwise.
if echo "$out" | grep -qiE 'error|refused'; then echo "redis-benchmark reported errors" >&2; exit 1; fi
[ "$(echo "$out" | grep -c 'requests per second')" -ge 15 ] || { echo "too few benchmark tests ran" >&2; exit 1; }
before=$(cli LASTSAVE)
[ "$(cli BGSAVE)" = "Background saving started" ] || { echo "BGSAVE refused" >&2; exit 1; }
# Done when no save is in progress any more. (LASTSAVE has one-second resolution: a BGSAVE that ends
# in the second of the save before it leaves it unchanged, so it cannot tell.)
i=0
while cli INFO persistence | grep -q 'rdb_bgsave_in_progress:1'; do
  i=$((i + 1))
  [ $i -lt 100 ] || { echo "BGSAVE did not finish" >&2; exit 1; }
  sleep 0.1
done
[ "$(cli LASTSAVE)" -ge "$before" ] || { echo "LASTSAVE went back" >&2; exit 1; }
cli INFO persistence | grep -q 'rdb_last_bgsave_status:ok' || { echo "BGSAVE failed" >&2; exit 1; }
[ "$(cli CONFIG REWRITE)" = "OK" ] || { echo "CONFIG REWRITE failed" >&2; exit 1; }
echo "benchmark, BGSAVE and CONFIG REWRITE ok"
