#!/usr/bin/env bash
# Time to a verdict, before and after settled-state fail-fast, in one run on
# the same cluster:
#   - wrong answers on a settled cluster: time to the fail verdict
#     (target: median <= 5 s; before, each waited its 60 s deadline);
#   - a correct answer applied just before `check`: time to the pass
#     (target: within 1.2x of before).
# "Before" is labctl built from $BASE (default: the commit this branch
# started from); "after" is this worktree. Every answer lives in a namespace
# of its own (bench-*), with its own hosts and NodePort, deleted at the end.
#
#   ./hack/bench-verdict.sh [--name lab] [runs]
set -uo pipefail
cd "$(dirname "$0")/.."
name=lab
if [[ "${1:-}" == "--name" ]]; then name="$2"; shift 2; fi
runs="${1:-3}"
base="${BASE:-$(git merge-base HEAD main)}"
work=$(mktemp -d)
trap 'kubectl delete ns -l labctl-bench=verdict --wait=false >/dev/null 2>&1; rm -rf "$work"' EXIT

after="$work/labctl-after" before="$work/labctl-before"
go build -o "$after" . || exit 1
mkdir -p "$work/base" && git archive "$base" | tar -x -C "$work/base" && (cd "$work/base" && go build -o "$before" .) || exit 1
export KUBECONFIG
KUBECONFIG="$("$after" env --name "$name" | sed -E 's/^export KUBECONFIG="(.*)"$/\1/')"

labs="$work/labs"
# chapter ID NAMESPACE CHECKS-YAML MANIFEST-YAML: a one-step chapter of its own
order=100
chapter() {
  local id=$1 ns=$2 checks=$3 manifest=$4
  order=$((order + 1))
  mkdir -p "$labs/$id/manifests"
  printf '%s\n' "$manifest" >"$labs/$id/manifests/m.yaml"
  echo "$id" >"$labs/$id/lesson.ko.md"; echo "$id" >"$labs/$id/lesson.en.md"
  cat >"$labs/$id/lab.yaml" <<EOF
id: $id
order: $order
namespace: $ns
title: {ko: $id, en: $id}
summary: {ko: $id, en: $id}
steps:
- id: s
  title: {ko: $id, en: $id}
  text: {ko: $id, en: $id}
  solution: [manifests/m.yaml]
  checks:
$checks
EOF
}

deploy='apiVersion: apps/v1
kind: Deployment
metadata: {name: http-go}
spec:
  replicas: 2
  selector: {matchLabels: {app: http-go}}
  template:
    metadata: {labels: {app: http-go}}
    spec:
      containers:
      - name: http-go
        image: registry.k8s.io/e2e-test-images/agnhost:2.56
        args: ["serve-hostname", "--port=8080"]
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /, port: http}, periodSeconds: 2}'
svc() { printf -- '---\napiVersion: v1\nkind: Service\nmetadata: {name: %s}\nspec:\n%s\n' "$1" "$2"; }
ep='  - kind: serviceEndpoints
    title: {ko: e, en: endpoints}
    params: {service: http-go-svc, minReady: 2}'
reach='  - kind: serviceReachable
    title: {ko: r, en: reachable}
    params: {service: http-go-svc, port: "80", from: node, bodyContains: http-go-}'

# The wrong answers (each a mistake the issue names).
chapter bw1 bench-w1 "$ep
$reach" "$deploy
$(svc http-go-svc '  selector: {app: http-go}
  ports: [{port: 80, targetPort: 8081}]')"
chapter bw2 bench-w2 "$ep" "$deploy
$(svc http-go-svc '  selector: {app: http-og}
  ports: [{port: 80, targetPort: 8080}]')"
chapter bw3 bench-w3 "  - kind: nodePort
    title: {ko: n, en: nodeport}
    params: {service: http-go-np, nodePort: 30311}" "${deploy/replicas: 2/replicas: 1}
$(svc http-go-np '  type: NodePort
  externalTrafficPolicy: Local
  selector: {app: http-go}
  ports: [{port: 80, targetPort: 8080, nodePort: 30311}]')"
chapter bw4 bench-w4 "  - kind: dnsRecords
    title: {ko: d, en: cname}
    params: {name: externalname-service.bench-w4.svc.cluster.local, type: CNAME, cname: google.com}" "$(svc externalname-service '  type: ExternalName
  externalName: www.google.com')"
chapter bw5 bench-w5 "  - kind: serviceEndpoints
    title: {ko: a, en: addresses}
    params: {service: external-service, selectorless: true, addresses: [11.11.11.11, 22.22.22.22]}" "$(svc external-service '  ports: [{port: 80}]')
---
apiVersion: v1
kind: Endpoints
metadata: {name: external-svc}
subsets: [{addresses: [{ip: 11.11.11.11}, {ip: 22.22.22.22}], ports: [{port: 80}]}]"
chapter bw6 bench-w6 "  - kind: ingressRoute
    title: {ko: i, en: route}
    params: {ingress: ingress-basic, cases: [{host: bench-w6.gasbugs.test, service: http-go-svc}]}" "$deploy
$(svc http-go-svc '  selector: {app: http-go}
  ports: [{port: 80, targetPort: 8080}]')
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ingress-basic}
spec:
  rules:
  - host: bench-w6.gasbugs.test
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: http-go-svc, port: {number: 8080}}}}"
chapter bw7 bench-w7 "  - kind: sessionAffinity
    title: {ko: s, en: sticky}
    params: {service: http-go-affinity, expect: sticky}" "$deploy
$(svc http-go-svc '  sessionAffinity: ClientIP
  selector: {app: http-go}
  ports: [{port: 80, targetPort: 8080}]')
$(svc http-go-affinity '  selector: {app: http-go}
  ports: [{port: 80, targetPort: 8080}]')"
# The correct answer, applied just before each check.
chapter bc1 bench-c1 "$ep
$reach" "$deploy
$(svc http-go-svc '  selector: {app: http-go}
  ports: [{port: 80, targetPort: http}]')"

ns() { kubectl create ns "$1" >/dev/null 2>&1; kubectl label ns "$1" labctl-bench=verdict --overwrite >/dev/null; }
for i in 1 2 3 4 5 6 7; do ns "bench-w$i"; "$after" apply "bw$i" --labs "$labs" --name "$name" >/dev/null || exit 1; done
echo "wrong answers applied; waiting 40 s for the cluster to settle (DNS caches included)"
sleep 40

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END{print (NR%2)? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
timed() { local t0 t1; t0=$(now); "$@" >/dev/null 2>&1; t1=$(now); awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f\n", b-a}'; }

# Before: every wrong answer waits its deadline, so they run side by side.
declare -A bt at
for i in 1 2 3 4 5 6 7; do (timed "$before" check "bw$i" --labs "$labs" --name "$name" >"$work/before-$i") & done
wait
for i in 1 2 3 4 5 6 7; do
  bt[$i]=$(cat "$work/before-$i")
  at[$i]=$(timed "$after" check "bw$i" --labs "$labs" --name "$name")
  v=$("$after" check "bw$i" --labs "$labs" --name "$name" -o json | grep -c '"verdict": "fail"')
  printf 'wrong answer bw%d: before %6.2fs  after %6.2fs  (after: %d failing entries)\n' "$i" "${bt[$i]}" "${at[$i]}" "$v"
done
bm=$(printf '%s\n' "${bt[@]}" | median)
am=$(printf '%s\n' "${at[@]}" | median)
printf 'time to a fail verdict, settled cluster, median of 7: before %.2fs, after %.2fs (%.1fx faster; target <= 5 s)\n' "$bm" "$am" "$(awk -v a="$am" -v b="$bm" 'BEGIN{print b/a}')"

# A correct answer applied one second before check, alternating binaries.
pb=() pa=()
for ((r = 0; r < runs; r++)); do
  for which in before after; do
    kubectl delete ns bench-c1 --wait=true >/dev/null 2>&1
    ns bench-c1
    "$after" apply bc1 --labs "$labs" --name "$name" >/dev/null || exit 1
    sleep 1
    bin=$after; [[ $which == before ]] && bin=$before
    t=$(timed "$bin" check bc1 --labs "$labs" --name "$name")
    "$bin" check bc1 --labs "$labs" --name "$name" >/dev/null || echo "  ($which run $r did not pass)"
    if [[ $which == before ]]; then pb+=("$t"); else pa+=("$t"); fi
  done
done
b=$(printf '%s\n' "${pb[@]}" | median)
a=$(printf '%s\n' "${pa[@]}" | median)
printf 'time to pass, correct answer applied 1 s before check, median of %d: before %.2fs, after %.2fs (ratio %.2f; target <= 1.2)\n' "$runs" "$b" "$a" "$(awk -v a="$a" -v b="$b" 'BEGIN{print a/b}')"
