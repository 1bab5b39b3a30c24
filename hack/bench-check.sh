#!/usr/bin/env bash
# `labctl check ch07` vs the same checks written as an instructor would with
# kubectl and a shell, on the same ready, solved cluster, in one run. The
# script covers steps 1-8; step 9 (the IPVS schedulers through labctl's
# proxy) has no kubectl equivalent, so the comparison runs labctl on steps
# 1-8 too, and also reports the whole chapter.
# Prints both wall times and the ratio (targets: labctl < 2 s, >= 5x faster).
#
#   ./hack/bench-check.sh [--name lab] [runs]
set -uo pipefail
cd "$(dirname "$0")/.."
name=lab
if [[ "${1:-}" == "--name" ]]; then name="$2"; shift 2; fi
runs="${1:-5}"
labctl="${LABCTL:-/tmp/labctl-bench}"
go build -o "$labctl" . || exit 1
export KUBECONFIG
KUBECONFIG="$("$labctl" env --name "$name" | sed -E 's/^export KUBECONFIG="(.*)"$/\1/')"
node="$name-worker"
k() { kubectl "$@"; }

# The shell version of ch07's checks. Each line proves what the labctl check
# of the same name proves; the script stops counting at the first failure.
shell_checks() {
  local fails=0
  fail() { echo "FAIL: $*"; fails=$((fails+1)); }
  ready() { k get endpointslices -l "kubernetes.io/service-name=$1" -o jsonpath='{range .items[*].endpoints[?(@.conditions.ready==true)]}{.addresses[0]}{"\n"}{end}' | grep -c .; }
  cip() { k get svc "$1" -o jsonpath='{.spec.clusterIP}'; }
  # 1 clusterip: 3 endpoints, answers from a node, not from this computer
  [[ $(ready http-go-svc) -ge 3 ]] || fail endpoints
  ip=$(cip http-go-svc)
  docker exec "$node" curl -s -m 3 "http://$ip/" | grep -q '^http-go-' || fail from-node
  curl -s -m 1 "http://$ip/" | grep -q '^http-go-' && fail not-from-host
  # 2 session affinity: 20 requests from one client -> 1 pod; without affinity -> several
  ipa=$(cip http-go-affinity)
  [[ $(docker exec "$node" sh -c "for i in \$(seq 20); do curl -s -m 3 http://$ipa/; echo; done" | sort -u | grep -c .) -eq 1 ]] || fail sticky
  [[ $(docker exec "$node" sh -c "for i in \$(seq 20); do curl -s -m 3 http://$ip/; echo; done" | sort -u | grep -c .) -ge 2 ]] || fail spread
  # 3 multi-port: named ports and target ports, both answer, 2 endpoints
  [[ $(k get svc http-go-mp -o jsonpath='{range .spec.ports[*]}{.name}:{.port}:{.targetPort} {end}') == "http:80:http https:443:https " ]] || fail ports
  ipm=$(cip http-go-mp)
  docker exec "$node" curl -s -m 3 "http://$ipm:80/" | grep -q . || fail port-http
  docker exec "$node" curl -sk -m 3 "https://$ipm:443/" | grep -q . || fail port-https
  [[ $(ready http-go-mp) -ge 2 ]] || fail mp-endpoints
  # 4 NodePort 30001 on every node, from a node and from this computer
  [[ $(k get svc http-go-np -o jsonpath='{.spec.ports[0].nodePort}') == 30001 ]] || fail nodeport
  for nip in $(k get nodes -o jsonpath='{range .items[*]}{.status.addresses[?(@.type=="InternalIP")].address} {end}'); do
    docker exec "$node" curl -s -m 3 "http://$nip:30001/" | grep -q . || fail "nodeport $nip from node"
    curl -s -m 3 "http://$nip:30001/" | grep -q . || fail "nodeport $nip from host"
  done
  # 5 LoadBalancer: an EXTERNAL-IP inside MetalLB's pool, answering from a node and this computer
  lb=$(k get svc http-go-lb -o jsonpath='{.status.loadBalancer.ingress[0].ip}')
  pool=$(k get ipaddresspools -n metallb-system -o jsonpath='{.items[0].spec.addresses[0]}')
  last=${lb##*.}; lo=${pool%%-*}; hi=${pool##*-}
  [[ -n "$lb" && ${lb%.*} == "${lo%.*}" && $last -ge ${lo##*.} && $last -le ${hi##*.} ]] || fail "lb ip $lb not in $pool"
  docker exec "$node" curl -s -m 3 "http://$lb/" | grep -q . || fail lb-from-node
  curl -s -m 3 "http://$lb/" | grep -q . || fail lb-from-host
  # 6 ExternalName: the cluster DNS answers with a CNAME to google.com
  k exec deploy/http-go -c http-go -- dig +short externalname-service.default.svc.cluster.local CNAME | grep -qx 'google.com.' || fail cname
  # 7 manual Endpoints: no selector, exactly 11.11.11.11 and 22.22.22.22
  [[ -z $(k get svc external-service -o jsonpath='{.spec.selector}') ]] || fail selector
  [[ $(k get endpointslices -l kubernetes.io/service-name=external-service -o jsonpath='{range .items[*].endpoints[*]}{.addresses[0]} {end}' | tr ' ' '\n' | sort | xargs) == "11.11.11.11 22.22.22.22" ]] || fail addresses
  # 8 headless: the A records are exactly the ready pods' IPs
  a=$(k exec deploy/http-go -c http-go -- dig +short http-go-headless.default.svc.cluster.local A | sort | xargs)
  p=$(k get endpointslices -l kubernetes.io/service-name=http-go-headless -o jsonpath='{range .items[*].endpoints[?(@.conditions.ready==true)]}{.addresses[0]} {end}' | tr ' ' '\n' | sort | xargs)
  [[ -n "$a" && "$a" == "$p" ]] || fail "headless: $a vs $p"
  return $fails
}

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END{print (NR%2)? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

"$labctl" check ch07 --name "$name" >/dev/null || { echo "ch07 is not solved on $name: labctl apply ch07 --solution first"; exit 1; }
shell_checks >/dev/null || { echo "the shell checks fail on a solved cluster:"; shell_checks; exit 1; }

steps=clusterip,session-affinity,multi-port,nodeport,loadbalancer,externalname,manual-endpoints,headless
lt=() st=() at=()
for ((i = 0; i < runs; i++)); do
  t0=$(now); "$labctl" check ch07 --name "$name" --step "$steps" >/dev/null; t1=$(now)
  lt+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')")
  t0=$(now); "$labctl" check ch07 --name "$name" >/dev/null; t1=$(now)
  at+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')")
  t0=$(now); shell_checks >/dev/null; t1=$(now)
  st+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')")
done
l=$(printf '%s\n' "${lt[@]}" | median)
a=$(printf '%s\n' "${at[@]}" | median)
s=$(printf '%s\n' "${st[@]}" | median)
printf 'labctl check ch07, steps 1-8 (median of %d): %.2fs\n' "$runs" "$l"
printf 'kubectl + shell, the same checks:          %.2fs\n' "$s"
printf 'labctl check ch07, all 9 steps:            %.2fs\n' "$a"
awk -v l="$l" -v s="$s" 'BEGIN{printf "labctl is %.1fx faster (target >= 5x, < 2 s)\n", s/l}'
