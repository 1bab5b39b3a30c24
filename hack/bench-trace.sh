#!/usr/bin/env bash
# `labctl trace svc/NAME` vs the same facts gathered by hand with kubectl
# and docker exec (the Service, its EndpointSlices, MetalLB's ServiceL2Status,
# the pods, the nodes; iptables-save -c -t nat and ip -4 route in every
# node), on the same cluster in one run, alternating. Prints the median wall
# time of each and the ratio (target: labctl trace < 1 s).
#
#   ./hack/bench-trace.sh [--name lab] [-n NAMESPACE] SERVICE [runs]
set -uo pipefail
cd "$(dirname "$0")/.."
name=lab ns=default
while [[ "${1:-}" == --name || "${1:-}" == -n ]]; do
  if [[ "$1" == --name ]]; then name="$2"; else ns="$2"; fi
  shift 2
done
svc="${1:?usage: bench-trace.sh [--name lab] [-n NS] SERVICE [runs]}"
runs="${2:-5}"
labctl="${LABCTL:-/tmp/labctl-bench-trace}"
go build -o "$labctl" . || exit 1
export KUBECONFIG
KUBECONFIG="$("$labctl" env --name "$name" | sed -E 's/^export KUBECONFIG="(.*)"$/\1/')"

by_hand() {
  kubectl get -n "$ns" svc "$svc" -o json >/dev/null
  kubectl get -n "$ns" endpointslices -l "kubernetes.io/service-name=$svc" -o json >/dev/null
  kubectl get -A servicel2statuses.metallb.io -o json >/dev/null
  kubectl get -n "$ns" pods -o wide >/dev/null
  kubectl get nodes -o wide >/dev/null
  for n in $(kubectl get nodes -o jsonpath='{.items[*].metadata.name}'); do
    docker exec "$n" iptables-save -c -t nat >/dev/null
    docker exec "$n" ip -4 route >/dev/null
  done
}

ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

tl=() th=()
for ((i = 0; i < runs; i++)); do
  tl+=("$(ms "$labctl" trace --name "$name" -n "$ns" "svc/$svc" -o json)")
  th+=("$(ms by_hand)")
done
l=$(printf '%s\n' "${tl[@]}" | median)
b=$(printf '%s\n' "${th[@]}" | median)
echo "labctl trace svc/$svc:   ${tl[*]} ms (median $l ms)"
echo "kubectl + docker exec: ${th[*]} ms (median $b ms)"
awk -v l="$l" -v b="$b" 'BEGIN { printf "ratio: labctl is %.1fx faster\n", b / l }'
