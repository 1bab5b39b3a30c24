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
# Connections to a listener on this computer come from 16 loopback addresses
# (loadgen -loopback-sources; see there why).
#
# SERVICE (default http-go-svc) needs ready pods answering HTTP GET /;
# LB_SERVICE (default http-go-lb) a LoadBalancer address (MetalLB) that is
# routable from this computer (Linux). For (b) the script creates a
# LoadBalancer Service labctl-bench-lb with NPORTS ports in front of
# LB_SERVICE's pods (see (b) below for why) and, for the listener, a
# selector-less Service labctl-bench-direct whose endpoints are those ports;
# it deletes both when done. --read-only creates nothing: (b) then uses
# LB_SERVICE's one port and skips the listener.
# CONCURRENCY (8, or a list: "1 8"), PARTS (ab: which of (a) and (b) to
# run), ROUNDS, SLICE, NPORTS and KEEPALIVE=1 are read from the environment.
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
    k delete service labctl-bench-direct labctl-bench-lb --ignore-not-found >/dev/null
    k delete endpointslice -l kubernetes.io/service-name=labctl-bench-direct --ignore-not-found >/dev/null
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
      -c "$c" -rounds "$rounds" -slice "$slice" -loopback-sources 16 $ka ${9:+-cpu "$9"}) || { echo "$title failed" >&2; return 1; }
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

# (b) direct, to the LoadBalancer address. A thousand new connections a
# second to one address and port use up this computer's local ports in
# TIME_WAIT within half a minute (then every connect() searches for a free
# port, or reuses one the node's NAT still remembers and waits a second for
# a retransmitted SYN), and either side of a comparison may be the one to
# hit it. So, unless --read-only, the script makes a LoadBalancer Service
# with NPORTS (16) ports in front of LB_SERVICE's pods and both sides take
# the ports in turn; the listener gets them as its backends.
nports="${NPORTS:-16}"
lb=$(k get svc "$lbsvc" -o jsonpath='{.status.loadBalancer.ingress[0].ip}')
lbport=$(k get svc "$lbsvc" -o jsonpath='{.spec.ports[0].port}')
if [[ -z "$lb" ]] || ! curl -s -m 2 -o /dev/null "http://$lb:$lbport/"; then
  echo "(b) skipped: $ns/$lbsvc has no LoadBalancer address reachable from here"
  exit 0
fi
ports=("$lbport")
if [[ $readonly == 0 ]]; then
  created=1
  selector=$(k get svc "$lbsvc" -o jsonpath='{.spec.selector}')
  target=$(k get svc "$lbsvc" -o jsonpath='{.spec.ports[0].targetPort}')
  spec=""
  for i in $(seq 0 $((nports - 1))); do spec+="{name: p$i, port: $((8000 + i)), targetPort: $target, protocol: TCP},"; done
  k apply -f - >/dev/null <<YAML || exit 1
apiVersion: v1
kind: Service
metadata: {name: labctl-bench-lb}
spec: {type: LoadBalancer, selector: $selector, ports: [${spec%,}]}
YAML
  lb=""
  for _ in $(seq 60); do
    lb=$(k get svc labctl-bench-lb -o jsonpath='{.status.loadBalancer.ingress[0].ip}')
    [[ -n "$lb" ]] && break
    sleep 0.5
  done
  [[ -n "$lb" ]] || { echo "labctl-bench-lb got no LoadBalancer address" >&2; exit 1; }
  ports=($(seq 8000 $((8000 + nports - 1))))
  waitfor "http://$lb:${ports[-1]}/" || exit 1
fi
urls=""
for p in "${ports[@]}"; do urls+="http://$lb:$p/,"; done
urls="${urls%,}"
echo "direct: $lb, ${#ports[@]} port(s); $rounds rounds of $slice per side"
echo
compare "(b) direct: the core's dialer" ">= 0.9" \
  "proxy core HTTP client" "$urls" core "direct connection" "$urls" plain || exit 1
if [[ $readonly == 0 ]]; then
  {
    echo "apiVersion: v1"
    echo "kind: Service"
    echo "metadata: {name: labctl-bench-direct}"
    echo "spec: {ports: [{name: http, port: 80, protocol: TCP}]}"
    for p in "${ports[@]}"; do
      echo "---"
      echo "apiVersion: discovery.k8s.io/v1"
      echo "kind: EndpointSlice"
      echo "metadata:"
      echo "  name: labctl-bench-direct-$p"
      echo "  labels: {kubernetes.io/service-name: labctl-bench-direct}"
      echo "addressType: IPv4"
      echo "ports: [{name: http, port: $p, protocol: TCP}]"
      echo "endpoints: [{addresses: [\"$lb\"], conditions: {ready: true}}]"
    done
  } | k apply -f - >/dev/null || exit 1
  p3=$(freeport)
  "$labctl" proxy svc/labctl-bench-direct -n "$ns" --transport direct --port "$p3:80" --interval 1h >/dev/null 2>&1 & pids+=($!)
  waitfor "http://127.0.0.1:$p3/" || exit 1
  compare "(b) direct: the listener" ">= 0.9" \
    "labctl proxy (direct)" "http://127.0.0.1:$p3/" plain "direct connection" "$urls" plain || exit 1
fi
