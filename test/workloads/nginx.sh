#!/bin/sh
# 1,000 requests to the nginx test image over keep-alive connections: the index page, a 100 KiB
# static file and a 404, ten connections of 100 requests each. Fails unless every answer is right.
set -eu
base=${1:-http://127.0.0.1:18080}
bad=0
total=0
for round in 0 1 2 3 4 5 6 7 8 9; do
  set --
  i=0
  while [ $i -lt 34 ]; do
    set -- "$@" "$base/" "$base/big.bin" "$base/missing-$round-$i"
    i=$((i + 1))
  done
  # Drop the last two of 102 URLs: 100 per connection.
  urls=$(printf '%s\n' "$@" | head -n 100)
  # One curl process reuses one connection for every URL it is given.
  # (-o applies to one URL only: each URL gets its own "output" line in the config.)
  codes=$(printf '%s\n' $urls | sed 's/^\(.*\)$/url = \1\noutput = \/dev\/null/' | curl -s --config - -w '%{http_code} %{url_effective}\n')
  while read -r code url; do
    total=$((total + 1))
    case "$url" in
      */missing-*) want=404 ;;
      *) want=200 ;;
    esac
    if [ "$code" != "$want" ]; then
      bad=$((bad + 1))
      echo "wrong answer: $code for $url (want $want)" >&2
    fi
  done <<EOF
$codes
EOF
done
echo "$total requests, $bad errors"
[ "$total" -eq 1000 ] && [ "$bad" -eq 0 ]
