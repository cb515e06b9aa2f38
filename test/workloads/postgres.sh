#!/bin/sh
# The postgres test image's workload: DDL, a bulk insert, an index build, queries, a transaction,
# VACUUM ANALYZE and a checkpoint, then eight clients at once. Fails on any error.
set -eu
port=${1:-15432}
q() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres "$@"; }
# The port opens before the server takes queries ("the database system is starting up"), and the
# image's entrypoint restarts it once after initdb: wait until a query succeeds (60 s at most).
n=0
until q -c 'SELECT 1' >/dev/null 2>&1; do
  n=$((n + 1))
  [ "$n" -lt 120 ] || { echo "postgres did not take queries within 60 s" >&2; exit 1; }
  sleep 0.5
done
q -c 'DROP TABLE IF EXISTS t' -c 'CREATE TABLE t (id int PRIMARY KEY, v text)'
q -c "INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 20000) g"
q -c 'CREATE INDEX t_v ON t (v)'
[ "$(q -At -c 'SELECT count(*) FROM t WHERE v LIKE $$a%$$ OR id < 10')" -gt 0 ]
q -c 'BEGIN' -c 'UPDATE t SET v = upper(v) WHERE id % 7 = 0' -c 'COMMIT'
q -c 'VACUUM ANALYZE t' -c 'CHECKPOINT'
i=0
while [ $i -lt 8 ]; do q -At -c "SELECT sum(id) FROM t WHERE id % 8 = $i" >/dev/null & i=$((i + 1)); done
wait
[ "$(q -At -c 'SELECT count(*) FROM t')" = 20000 ]
echo "postgres workload ok"
