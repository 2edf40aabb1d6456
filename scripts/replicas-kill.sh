#!/usr/bin/env bash
# Several replicas on one PostgreSQL, one killed by SIGKILL mid-run: every
# item lands in eval's results exactly once, every acknowledged judgment is
# readable in the shared ledger, and a rerun through another replica makes
# no LLM call (the shared cache answers it).
#
#   scripts/replicas-kill.sh [items] [replicas] [backend latency]
#   scripts/replicas-kill.sh 10000 3 20ms
#
# PostgreSQL: $PERSONAJUDGE_TEST_POSTGRES, else the local server (trust auth,
# database test). The run uses a schema of its own, dropped at the end.
set -euo pipefail
n=${1:-10000}; replicas=${2:-3}; latency=${3:-20ms}
dsn=${PERSONAJUDGE_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
schema=pjreplicas_$$
dir=$(mktemp -d)
cleanup() {
  kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true
  psql -q "$dsn" -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
bin=$dir/personajudge
go build -o "$bin" ./cmd/personajudge
psql -q "$dsn" -c "CREATE SCHEMA $schema"
case $dsn in *\?*) db="$dsn&search_path=$schema" ;; *) db="$dsn?search_path=$schema" ;; esac

wait_port() { for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return; sleep 0.1; done; echo "port $1 never opened" >&2; exit 1; }
"$bin" sim --addr 127.0.0.1:19190 --latency "$latency" 2>"$dir/sim.log" &
printf '{"models":[{"name":"sim","base_url":"http://127.0.0.1:19190/v1","model":"sim","max_concurrency":64}]}\n' >"$dir/models.json"
wait_port 19190
addrs=(); pids=()
for i in $(seq "$replicas"); do
  port=$((18180 + i))
  "$bin" serve --addr 127.0.0.1:$port --db "$db" --models "$dir/models.json" 2>"$dir/serve$i.log" &
  pids+=($!); addrs+=("http://127.0.0.1:$port")
  wait_port $port # one at a time: the first runs the migrations, the rest find them done
done
"$bin" sim generate --n "$n" --out "$dir/items.jsonl" --seed 7 >/dev/null
all=$(IFS=,; echo "${addrs[*]}")

"$bin" eval --addr "$all" --in "$dir/items.jsonl" --out "$dir/r.jsonl" --progress off >"$dir/eval.out" 2>&1 &
evalpid=$!
# Kill the second replica once a third of the items are answered.
answered() { if [ -f "$dir/r.jsonl" ]; then wc -l <"$dir/r.jsonl"; else echo 0; fi; }
while [ "$(answered)" -lt $((n / 3)) ]; do sleep 0.2; done
kill -9 "${pids[1]}"
wait "${pids[1]}" 2>/dev/null || true
echo "killed replica 2 (${addrs[1]}) at $(wc -l <"$dir/r.jsonl") of $n results"
wait "$evalpid" || { cat "$dir/eval.out"; exit 1; }

lines=$(wc -l <"$dir/r.jsonl")
unique=$(grep -o '"itemId":"[^"]*"' "$dir/r.jsonl" | sort -u | wc -l)
ids=$(grep -o '"judgmentId":"[^"]*"' "$dir/r.jsonl" | cut -d'"' -f4 | sort -u)
acked=$(echo "$ids" | wc -l)
printf '%s\n' $ids >"$dir/ids.txt"
stored=$(psql -qtA "$dsn" <<SQL | tail -1
CREATE TEMP TABLE acked(id TEXT);
\copy acked FROM '$dir/ids.txt'
SELECT count(*) FROM acked a JOIN $schema.judgments j ON j.id = a.id;
SQL
)
ledger=$(psql -qtA "$dsn" -c "SELECT count(*) FROM $schema.judgments")
echo "results: $lines lines, $unique distinct items of $n"
echo "acknowledged judgments: $acked, readable in the shared ledger: $stored (ledger rows: $ledger)"

# Rerun through the last replica alone: the shared LLM cache answers every call.
"$bin" eval --addr "${addrs[-1]}" --in "$dir/items.jsonl" --out "$dir/r2.jsonl" --progress off >"$dir/eval2.out" 2>&1 || { cat "$dir/eval2.out"; exit 1; }
grep "LLM calls" "$dir/eval2.out" | sed 's/^ */rerun through one replica: /'

ok=1
[ "$lines" -eq "$n" ] && [ "$unique" -eq "$n" ] || { echo "FAIL: each item must appear exactly once" >&2; ok=0; }
[ "$stored" -eq "$acked" ] || { echo "FAIL: acknowledged judgments missing from the ledger" >&2; ok=0; }
grep -q "LLM calls       0 " "$dir/eval2.out" || { echo "FAIL: the rerun made LLM calls" >&2; ok=0; }
[ $ok -eq 1 ] && echo PASS || exit 1
