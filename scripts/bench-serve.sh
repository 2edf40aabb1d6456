#!/usr/bin/env bash
# What `serve` costs per judgment: the simulator as the backend, `serve`
# with its embedded store (LLM cache on, as deployed) and a separate `eval`
# process, each its own process, so each one's CPU per judgment is reported.
#
#   scripts/bench-serve.sh [items] [latency] [max_concurrency] [extra sim flags...]
#   scripts/bench-serve.sh 5000 0s 64                 # zero-latency backend
#   scripts/bench-serve.sh 3000 100ms 64              # 100 ms backend, 64 slots
#   scripts/bench-serve.sh 3000 100ms 64 --rate-429 0.05 --retry-after 100ms
set -euo pipefail
n=${1:-5000}; latency=${2:-0s}; conc=${3:-64}; shift $(( $# < 3 ? $# : 3 ))
dir=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$dir"' EXIT
bin=$dir/personajudge
go build -o "$bin" ./cmd/personajudge

cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; } # clock ticks, user + system
hz=$(getconf CLK_TCK)
wait_port() { for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return; sleep 0.1; done; echo "port $1 never opened" >&2; exit 1; }

"$bin" sim --addr 127.0.0.1:19090 --latency "$latency" "$@" 2>"$dir/sim.log" & simpid=$!
printf '{"models":[{"name":"sim","base_url":"http://127.0.0.1:19090/v1","model":"sim","max_concurrency":%d}]}\n' "$conc" >"$dir/models.json"
"$bin" serve --addr 127.0.0.1:18080 --db "$dir/pj.db" --models "$dir/models.json" 2>"$dir/serve.log" & servepid=$!
wait_port 19090; wait_port 18080
"$bin" sim generate --n "$n" --out "$dir/items.jsonl" --seed 1 >/dev/null

s0=$(cpu $servepid); b0=$(cpu $simpid); t0=$(date +%s.%N)
/usr/bin/time -f "%U %S" -o "$dir/eval.time" "$bin" eval --addr http://127.0.0.1:18080 \
  --in "$dir/items.jsonl" --out "$dir/r.jsonl" --progress off >"$dir/eval.out" 2>&1 || { cat "$dir/eval.out"; exit 1; }
t1=$(date +%s.%N); s1=$(cpu $servepid); b1=$(cpu $simpid)
e=$(awk -v hz="$hz" '{print ($1 + $2) * hz}' "$dir/eval.time")
judged=$(wc -l <"$dir/r.jsonl")
awk -v n="$judged" -v w="$(echo "$t1 - $t0" | bc)" -v s=$((s1 - s0)) -v b=$((b1 - b0)) -v e="$e" -v hz="$hz" 'BEGIN {
  printf "load average (1, 5, 15 min): '"$(cut -d' ' -f1-3 /proc/loadavg)"'\n"
  printf "%d judgments in %.2f s: %.0f judgments/s\n", n, w, n / w
  printf "CPU per judgment: serve %.3f ms, eval %.3f ms, backend %.3f ms\n", s*1000/hz/n, e*1000/hz/n, b*1000/hz/n
}'
