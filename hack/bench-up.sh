#!/usr/bin/env bash
# labctl up vs the same steps by hand with the kind CLI + kubectl, on the same
# machine with the same images: 1 control-plane + 2 workers, host ports
# published on the control-plane, images side-loaded, ch15's outside server
# (agnhost netexec on the kind network) and worker with maxPods 8 (kubelet
# config + restart, taint, label), MetalLB (native manifest, waiting for its
# controller, then the pool, retried until the webhook answers), the Gateway
# API CRDs, Traefik with the lab Gateway and its certificate, waiting for each
# rollout and for the Gateway to be Programmed. Prints both times and
# the ratio (target: labctl <= 0.6x). Also labctl down's time and the running
# cluster's memory.
#
#   KIND=/path/to/kind NODE_IMAGE=... NAME=bench ./hack/bench-up.sh
set -euo pipefail
cd "$(dirname "$0")/.."
KIND="${KIND:-kind}"
NODE_IMAGE="${NODE_IMAGE:-${LABCTL_NODE_IMAGE:-kindest/node:v1.35.8}}"
NAME="${NAME:-bench}"
HTTP_PORT="${HTTP_PORT:-18080}" HTTPS_PORT="${HTTPS_PORT:-18443}"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
go build -o "$work/labctl" .
export LABCTL_HOME="$work/home"
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.1f", b-a}'; }

# --- by hand -------------------------------------------------------------
cat > "$work/kind.yaml" <<YAML
kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
kubeadmConfigPatches:
- |
  kind: KubeletConfiguration
  failCgroupV1: false
nodes:
- role: control-plane
  labels: {ingress-ready: "true"}
  extraPortMappings:
  - {containerPort: 80, hostPort: $HTTP_PORT, listenAddress: 127.0.0.1}
  - {containerPort: 443, hostPort: $HTTPS_PORT, listenAddress: 127.0.0.1}
- role: worker
- role: worker
YAML
kc="$work/kind.kubeconfig"
k() { kubectl --kubeconfig "$kc" "$@"; }
t0=$(now)
"$KIND" create cluster --name "$NAME-kind" --image "$NODE_IMAGE" --config "$work/kind.yaml" --kubeconfig "$kc" --wait 0s
manual_create=$(secs "$t0" "$(now)")
k wait --for=condition=Ready nodes --all --timeout=5m
k -n kube-system rollout status deploy/coredns --timeout=5m
"$KIND" load docker-image --name "$NAME-kind" quay.io/metallb/controller:v0.15.2 quay.io/metallb/speaker:v0.15.2 traefik:v3.6.12 registry.k8s.io/e2e-test-images/agnhost:2.56 labctl.local/dnsutils:bookworm
docker run -d --name "$NAME-kind-outside" --network kind registry.k8s.io/e2e-test-images/agnhost:2.56 netexec --http-port=8080 >/dev/null
low="$NAME-kind-worker2"
docker exec "$low" sh -c "echo 'maxPods: 8' >> /var/lib/kubelet/config.yaml; systemctl restart kubelet"
k taint node "$low" labctl.dev/max-pods-node=ch15:NoSchedule
k label node "$low" labctl.dev/max-pods-node=ch15
until [ "$(k get node "$low" -o jsonpath='{.status.allocatable.pods}')" = 8 ]; do sleep 1; done
k apply -f assets/addons/metallb/metallb-native.yaml
k -n metallb-system rollout status deploy/controller --timeout=5m
k -n metallb-system rollout status ds/speaker --timeout=5m
subnet=$(docker network inspect kind -f '{{range .IPAM.Config}}{{.Subnet}} {{end}}' | tr ' ' '\n' | grep -v : | head -1)
prefix=$(echo "$subnet" | cut -d. -f1-2)
cat > "$work/pool.yaml" <<YAML
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: pool, namespace: metallb-system}
spec: {addresses: ["$prefix.255.200-$prefix.255.250"]}
---
apiVersion: metallb.io/v1beta1
kind: L2Advertisement
metadata: {name: l2, namespace: metallb-system}
spec: {ipAddressPools: [pool]}
YAML
until k apply -f "$work/pool.yaml" >/dev/null 2>&1; do sleep 1; done
k apply --server-side -f assets/addons/gateway-api/standard-install.yaml >/dev/null
k wait --for=condition=Established crd --all --timeout=5m >/dev/null
k create namespace traefik
openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj /CN=lab-gateway.invalid -keyout "$work/gw.key" -out "$work/gw.crt" 2>/dev/null
k -n traefik create secret tls lab-gateway-tls --cert "$work/gw.crt" --key "$work/gw.key"
k apply -f assets/addons/traefik/traefik.yaml
k -n traefik rollout status deploy/traefik --timeout=5m
k -n traefik wait --for=condition=Programmed gateway/lab-gateway --timeout=5m
t1=$(now)
manual=$(secs "$t0" "$t1")
docker rm -f "$NAME-kind-outside" >/dev/null
"$KIND" delete cluster --name "$NAME-kind" --kubeconfig "$kc"

# --- labctl --------------------------------------------------------------
t0=$(now)
LABCTL_NODE_IMAGE="$NODE_IMAGE" "$work/labctl" up --name "$NAME" --ingress traefik --http-port "$HTTP_PORT" --https-port "$HTTPS_PORT"
t1=$(now)
labctl=$(secs "$t0" "$t1")
mem=$(docker stats --no-stream --format '{{.Name}} {{.MemUsage}}' | grep "^$NAME-" | sort)
t0=$(now)
"$work/labctl" down --name "$NAME"
t1=$(now)
down=$(secs "$t0" "$t1")

echo
echo "by hand (kind CLI + kubectl apply/wait): ${manual}s"
echo "labctl up:                               ${labctl}s"
awk -v a="$labctl" -v b="$manual" 'BEGIN{printf "ratio labctl/by hand:                    %.2f (target <= 0.6)\n", a/b}'
echo "  of which kind create by hand:          ${manual_create}s (labctl's \"Creating cluster\" step above also loads the images)"
echo "labctl down:                             ${down}s"
echo "memory of the running cluster (docker stats):"
echo "$mem" | sed 's/^/  /'
