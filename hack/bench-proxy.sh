#!/usr/bin/env bash
# The proxy core's transports against their baselines, in one run:
#
#  (a) port-forward: `labctl proxy --transport port-forward` held to one pod
#      (the others get weight 0) vs `kubectl port-forward` to the same pod.
#      Target: >= 2x the requests/s.
#  (b) direct: `labctl proxy --transport direct` in front of the Service's
#      LoadBalancer address vs connecting to that address directly; and the
#      core's HTTP client (what the verifier uses) vs a plain one, to the
#      same address. Target: >= 0.9x.
#
# The two sides of each comparison take turns in short slices (SLICE, 2s)
# for ROUNDS rounds (10) inside one load generator, so this machine's slow
# and fast moments fall on both alike; the ratio is the median of the
# rounds' ratios (with the lowest and highest). Each request is a new TCP
# connection unless KEEPALIVE=1, so the numbers include what a proxy pays
# per connection (for port-forward: opening a stream pair). For (a) the CPU
# time each process spends per request (less its idle rate) is printed too,
# which shows what both sides share: the API server, kubelet, containerd
# and the pod.
#
#   ./hack/bench-proxy.sh [--name lab] [-n NS] [--read-only] [SERVICE [LB_SERVICE]]
#
# SERVICE (default http-go-svc) needs ready pods answering HTTP GET /;
# LB_SERVICE (default http-go-lb) a LoadBalancer address (MetalLB) that is
# routable from this computer (Linux). For the direct listener (b) the script
# creates a selector-less Service labctl-bench-direct whose endpoint is that
# address, and deletes it when done; --read-only skips that part.
# CONCURRENCY (8, or a list: "1 8") and PARTS (ab: which of (a) and (b) to
# run) are read from the environment.
set -uo pipefail
cd "$(dirname "$0")/.."
name=lab ns=default readonly=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --name) name="$2"; shift 2 ;;
    -n) ns="$2"; shift 2 ;;
    --read-only) readonly=1; shift ;;
    *) break ;;
  esac
done
svc="${1:-http-go-svc}"
lbsvc="${2:-http-go-lb}"
slice="${SLICE:-2s}"
conc="${CONCURRENCY:-8}"
parts="${PARTS:-ab}"
rounds="${ROUNDS:-10}"
ka=""; [[ "${KEEPALIVE:-0}" == 1 ]] && ka="-keepalive"
labctl="${LABCTL:-/tmp/labctl-bench}"
loadgen=/tmp/labctl-loadgen
go build -o "$labctl" . || exit 1
go build -o "$loadgen" ./hack/loadgen || exit 1
export KUBECONFIG
KUBECONFIG="$("$labctl" env --name "$name" | sed -E 's/^export KUBECONFIG="(.*)"$/\1/')"
k() { kubectl -n "$ns" "$@"; }

pids=()
created=0
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  if [[ $created == 1 ]]; then
    k delete service labctl-bench-direct --ignore-not-found >/dev/null
    k delete endpointslice labctl-bench-direct --ignore-not-found >/dev/null
  fi
}
trap cleanup EXIT

freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
waitfor() { # URL: until it answers (30 s at most)
  for _ in $(seq 150); do curl -s -m 1 -o /dev/null "$1" && return 0; sleep 0.2; done
  echo "no answer from $1" >&2; return 1
}
# compare TITLE TARGET LABEL1 URL1 VIA1 LABEL2 URL2 VIA2 [CPU]: the two in
# alternating slices at each concurrency; prints medians and the ratio.
compare() {
  local title="$1" target="$2" c out
  for c in $conc; do
    out=$("$loadgen" -url "$4" -via "$5" -label "$3" -b "$7" -via-b "$8" -label-b "$6" \
      -c "$c" -rounds "$rounds" -slice "$slice" $ka ${9:+-cpu "$9"}) || { echo "$title failed" >&2; return 1; }
    printf '%s, %s workers%s\n' "$title" "$c" "${ka:+, keep-alive}"
    printf '  %-30s %9s %9s %9s\n' "" "req/s" "p50 ms" "p99 ms"
    awk -F'|' -v target="$target" -v rounds="$rounds" '
      $1 == "ratio" { printf "  ratio %s (lowest %s, highest %s; median of %s rounds; target %s)\n", $2, $3, $4, rounds, target; next }
      { printf "  %-30s %9s %9s %9s\n", $1, $2, $3, $4
        cpu = ""; for (i = 7; i <= NF; i++) cpu = cpu " " $i
        if (cpu != "") printf "  %-30s CPU us/request:%s\n", "", cpu }' <<<"$out"
    echo
  done
}

# (a) port-forward, one pod.
if [[ $parts == *a* ]]; then
slices() { k get endpointslices -l "kubernetes.io/service-name=$svc" -o jsonpath="$1"; }
pod=$(slices '{range .items[*].endpoints[?(@.conditions.ready==true)]}{.targetRef.name}{"\n"}{end}' | head -1)
tport=$(slices '{.items[0].ports[0].port}')
[[ -n "$pod" && -n "$tport" ]] || { echo "service $ns/$svc has no ready pod" >&2; exit 1; }
svcport=$(k get svc "$svc" -o jsonpath='{.spec.ports[0].port}')
weights=()
for other in $(slices '{range .items[*].endpoints[*]}{.targetRef.name} {end}'); do
  [[ "$other" != "$pod" ]] && weights+=(--weight "$other=0")
done
echo "pod $ns/$pod port $tport; $rounds rounds of $slice per side"
echo
p1=$(freeport)
kubectl -n "$ns" port-forward "pod/$pod" "$p1:$tport" >/dev/null 2>&1 & pids+=($!)
p2=$(freeport)
"$labctl" proxy "svc/$svc" -n "$ns" --transport port-forward --port "$p2:$svcport" "${weights[@]}" --interval 1h >/dev/null 2>&1 & pids+=($!)
waitfor "http://127.0.0.1:$p1/" && waitfor "http://127.0.0.1:$p2/" || exit 1
compare "(a) port-forward to one pod" ">= 2" \
  "labctl proxy (port-forward)" "http://127.0.0.1:$p2/" plain "kubectl port-forward" "http://127.0.0.1:$p1/" plain \
  labctl-bench,kubectl,kube-apiserver,kubelet,containerd,docker-proxy,systemd-journald,agnhost || exit 1
fi
[[ $parts == *b* ]] || exit 0

# (b) direct, to the LoadBalancer address.
lb=$(k get svc "$lbsvc" -o jsonpath='{.status.loadBalancer.ingress[0].ip}')
lbport=$(k get svc "$lbsvc" -o jsonpath='{.spec.ports[0].port}')
if [[ -z "$lb" ]] || ! curl -s -m 2 -o /dev/null "http://$lb:$lbport/"; then
  echo "(b) skipped: $ns/$lbsvc has no LoadBalancer address reachable from here"
  exit 0
fi
compare "(b) direct: the core's dialer" ">= 0.9" \
  "proxy core HTTP client" "http://$lb:$lbport/" core "direct connection" "http://$lb:$lbport/" plain || exit 1
if [[ $readonly == 0 ]]; then
  created=1
  k apply -f - >/dev/null <<YAML || exit 1
apiVersion: v1
kind: Service
metadata: {name: labctl-bench-direct}
spec: {ports: [{name: http, port: 80, protocol: TCP}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: labctl-bench-direct
  labels: {kubernetes.io/service-name: labctl-bench-direct}
addressType: IPv4
ports: [{name: http, port: $lbport, protocol: TCP}]
endpoints: [{addresses: ["$lb"], conditions: {ready: true}}]
YAML
  p3=$(freeport)
  "$labctl" proxy svc/labctl-bench-direct -n "$ns" --transport direct --port "$p3:80" --interval 1h >/dev/null 2>&1 & pids+=($!)
  waitfor "http://127.0.0.1:$p3/" || exit 1
  compare "(b) direct: the listener" ">= 0.9" \
    "labctl proxy (direct)" "http://127.0.0.1:$p3/" plain "direct connection" "http://$lb:$lbport/" plain || exit 1
fi
