#!/usr/bin/env bash
# How fast a stopped lab comes back, on this machine: the lab's nodes are
# stopped with `docker stop` (what a reboot or a Docker restart leaves), then
#   1. labctl start, then the first `labctl check` of a solved step
#      (ch07 loadbalancer), both timed: "stopped -> passing check" (target <= 30 s);
#   2. the same by hand for comparison: docker start of the nodes, then the
#      check retried until it passes (what a student who knows Docker does);
#   3. labctl stop's time, and the memory of the running lab (docker stats)
#      that stop gives back.
# It needs a lab made by labctl up (made here, with Traefik, when NAME does
# not exist) and deletes nothing it did not make.
#
#   NAME=rs HTTP_PORT=58080 HTTPS_PORT=58443 LABCTL_NODE_IMAGE=... ./hack/bench-restart.sh
set -euo pipefail
cd "$(dirname "$0")/.."
NAME="${NAME:-bench}"
HTTP_PORT="${HTTP_PORT:-18080}" HTTPS_PORT="${HTTPS_PORT:-18443}"
ROUNDS="${ROUNDS:-2}"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
go build -o "$work/labctl" .
L() { "$work/labctl" --name "$NAME" "$@"; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.1f", b-a}'; }
nodes() { docker ps -a --filter "label=io.x-k8s.kind.cluster=$NAME" --format '{{.Names}}' | sort; }

made=""
if [ -z "$(nodes)" ]; then
  L up --ingress traefik --http-port "$HTTP_PORT" --https-port "$HTTPS_PORT"
  made=1
fi
L start >/dev/null 2>&1 || true # a lab left stopped by an earlier run
L apply ch07 --step loadbalancer --solution >/dev/null
L check ch07 --step loadbalancer >/dev/null
mem=$(docker stats --no-stream --format '{{.Name}} {{.MemUsage}}' $(nodes))
total=$(echo "$mem" | awk '{v=$2; u=v; gsub(/[0-9.]/,"",u); gsub(/[A-Za-z]/,"",v);
  m=(u=="GiB")?1024:(u=="MiB")?1:(u=="KiB")?1/1024:(u=="GB")?953.7:(u=="MB")?0.9537:0; s+=v*m} END{printf "%.0f MiB", s}')

cp_first() { nodes | grep -- '-control-plane$'; nodes | grep -v -- '-control-plane$'; }
results=()
for round in $(seq "$ROUNDS"); do
  # 1. labctl start
  docker stop $(nodes) >/dev/null
  t0=$(now)
  L start >"$work/start-$round.log" 2>&1 || { cat "$work/start-$round.log"; exit 1; }
  t1=$(now)
  L check ch07 --step loadbalancer >/dev/null
  t2=$(now)
  results+=("round $round  labctl start $(secs "$t0" "$t1")s + first check $(secs "$t1" "$t2")s = stopped -> passing check $(secs "$t0" "$t2")s")

  # 2. by hand: docker start, the check retried until it passes
  docker stop $(nodes) >/dev/null
  t0=$(now)
  for n in $(cp_first); do docker start "$n" >/dev/null; done
  tries=0
  until L check ch07 --step loadbalancer --timeout 10s >/dev/null 2>&1; do tries=$((tries+1)); sleep 1; done
  t1=$(now)
  results+=("round $round  by hand: docker start + check until it passes ($tries failed tries) = $(secs "$t0" "$t1")s")
  L start >/dev/null 2>&1 # settle before the next round
done

t0=$(now)
L stop >/dev/null
t1=$(now)
stop=$(secs "$t0" "$t1")
L start >/dev/null

echo
for round in $(seq "$ROUNDS"); do # where each labctl start spent its time
  echo "round $round, labctl start's steps:"
  grep -E '^(✓|✗)' "$work/start-$round.log" | sed 's/^/  /'
  grep -E 'not running again yet|Ready$' "$work/start-$round.log" | tail -1 | cut -c1-200 | sed 's/^ */  last wait: /'
done
printf '%s\n' "${results[@]}"
echo "labctl stop: ${stop}s"
echo "memory of the running lab (docker stats, given back by labctl stop): $total"
echo "$mem" | sed 's/^/  /'
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)  (CPUs: $(nproc))"
[ -n "$made" ] && L down >/dev/null
exit 0
