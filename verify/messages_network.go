package verify

import "github.com/labctl/labctl/i18n"

// Cluster network (ch15): answers compared with what the nodes say, pods
// across nodes, egress SNAT, the pod limit per node, the CNI.
var (
	msgNoNodeRunner   = i18n.M("check.net.no-node-runner", "this check reads the nodes' own state and needs labctl's node shells, which this run does not have (a cluster labctl did not make?)", "이 확인은 노드 자체의 상태를 읽어야 해서 labctl 의 노드 셸이 필요한데, 이번 실행에는 없습니다 (labctl 이 만들지 않은 클러스터인가요?)")
	msgNodeRead       = i18n.M("check.net.node-read", "cannot read %[1]s in node %[2]s: %[3]s", "노드 %[2]s 에서 %[1]s 를 읽을 수 없습니다: %[3]s")
	msgAnswersMissing = i18n.M("check.net.answers-missing", "ConfigMap %s with your answers does not exist", "답을 적은 ConfigMap %s 가 없습니다")
	msgAnswersWrong   = i18n.M("check.net.answers-wrong", "ConfigMap %s: %s", "ConfigMap %s: %s")
	msgAnswersOK      = i18n.M("check.net.answers-ok", "ConfigMap %s matches what the cluster says: %s", "ConfigMap %s 가 클러스터가 말하는 것과 같습니다: %s")

	mistakeNoKey     = i18n.M("check.net.no-key", "no answer under key %s", "키 %s 에 답이 없습니다")
	mistakeNotAddr   = i18n.M("check.net.not-addr", "%s: %q is not an IPv4 address", "%s: %q 는 IPv4 주소가 아닙니다")
	mistakeNotPrefix = i18n.M("check.net.not-prefix", "%s: %q is not a subnet like 10.0.0.0/8", "%s: %q 는 10.0.0.0/8 같은 서브넷이 아닙니다")
	mistakeSubnet    = i18n.M("check.net.subnet", "subnet %s is not the kind network's (docker network inspect kind: IPAM.Config.Subnet)", "subnet %s 는 kind 네트워크의 서브넷이 아닙니다 (docker network inspect kind 의 IPAM.Config.Subnet)")
	mistakeGateway   = i18n.M("check.net.gateway", "gateway %s is not the nodes' gateway (docker network inspect kind: Gateway; ip route in a node: default via)", "gateway %s 는 노드들의 게이트웨이가 아닙니다 (docker network inspect kind 의 Gateway, 노드 안 ip route 의 default via)")
	mistakeNodeAddr  = i18n.M("check.net.node-addr", "%s is not the address of node %s on the kind network (docker inspect %s, or kubectl get node -o wide: INTERNAL-IP)", "%s 는 kind 네트워크에서 노드 %s 의 주소가 아닙니다 (docker inspect %s, 또는 kubectl get node -o wide 의 INTERNAL-IP)")
	mistakeNotNode   = i18n.M("check.net.not-node", "key %s names no node of this cluster (nodes: %s)", "키 %s 는 이 클러스터의 노드 이름이 아닙니다 (노드: %s)")
	mistakeNode      = i18n.M("check.net.node", "node: Pod %s does not run on %s (kubectl get pod -o wide: NODE)", "node: Pod %s 는 %s 에서 실행되지 않습니다 (kubectl get pod -o wide 의 NODE)")
	mistakeSandbox   = i18n.M("check.net.sandbox", "sandbox: %q does not begin the ID of Pod %s's sandbox on its node (crictl pods --name %s, in the node)", "sandbox: %q 로 시작하는 것은 노드에서 Pod %s 의 샌드박스 ID 가 아닙니다 (노드 안에서 crictl pods --name %s)")
	mistakeShortID   = i18n.M("check.net.short-id", "sandbox: %q is too short: give at least the first 6 characters of the ID crictl pods prints", "sandbox: %q 는 너무 짧습니다: crictl pods 가 보여 주는 ID 의 앞 6 글자 이상을 적으세요")
	mistakeCount     = i18n.M("check.net.count", "containers: %s is not how many containers run in that sandbox (crictl ps --pod <sandbox ID>; the pause container is the sandbox itself)", "containers: %s 는 그 샌드박스에서 실행되는 컨테이너 수가 아닙니다 (crictl ps --pod <샌드박스 ID>, pause 컨테이너는 샌드박스 자체입니다)")
	mistakePodIP     = i18n.M("check.net.pod-ip", "pod-ip: %s is not Pod %s's IP (kubectl get pod -o wide: IP)", "pod-ip: %s 는 Pod %s 의 IP 가 아닙니다 (kubectl get pod -o wide 의 IP)")
	mistakeSeen      = i18n.M("check.net.seen", "outside-saw: %s is not the source address the outside server saw from Pod %s (kubectl exec %s -- curl -s http://OUTSIDE:8080/clientip; OUTSIDE: labctl status)", "outside-saw: %s 는 바깥 서버가 Pod %s 에게서 본 출발지 주소가 아닙니다 (kubectl exec %s -- curl -s http://OUTSIDE:8080/clientip; OUTSIDE: labctl status)")
	mistakeCNI       = i18n.M("check.net.cni", "daemonset: %s is not the DaemonSet that installs this cluster's CNI (kubectl -n kube-system get ds; which one writes /etc/cni/net.d?)", "daemonset: %s 는 이 클러스터의 CNI 를 설치하는 DaemonSet 이 아닙니다 (kubectl -n kube-system get ds, /etc/cni/net.d 에 쓰는 것은?)")
	mistakePodCIDR   = i18n.M("check.net.pod-cidr", "%s is not the pod CIDR of node %s (kubectl get node %s -o jsonpath='{.spec.podCIDR}', or ip route in another node)", "%s 는 노드 %s 의 파드 CIDR 가 아닙니다 (kubectl get node %s -o jsonpath='{.spec.podCIDR}', 또는 다른 노드 안의 ip route)")

	msgSandboxOK = i18n.M("check.net.sandbox-ok", "Pod %[1]s: one sandbox %[2]s on node %[3]s (its pause container holds the network namespace), %[4]d containers joined to it", "Pod %[1]s: 노드 %[3]s 에 샌드박스 %[2]s 하나 (pause 컨테이너가 네트워크 네임스페이스를 쥐고 있음), 컨테이너 %[4]d 개가 거기에 합류")
	msgNoSandbox = i18n.M("check.net.no-sandbox", "node %s has no ready sandbox for Pod %s yet", "노드 %s 에 Pod %s 의 준비된 샌드박스가 아직 없습니다")

	msgSameNode     = i18n.M("check.net.same-node", "Pods %s and %s both run on node %s: traffic between them never leaves the node. Put them on different nodes (podAntiAffinity, or nodeName/nodeSelector)", "Pod %s 와 %s 가 둘 다 노드 %s 에서 실행됩니다: 둘 사이의 트래픽은 노드를 떠나지 않습니다. 서로 다른 노드에 두세요 (podAntiAffinity, 또는 nodeName/nodeSelector)")
	msgCrossNoReach = i18n.M("check.net.cross-no-reach", "Pod %s does not reach Pod %s at %s: %s", "Pod %s 가 Pod %s 의 %s 에 닿지 않습니다: %s")
	msgCrossNAT     = i18n.M("check.net.cross-nat", "Pod %[1]s saw the request from %[2]s, not from Pod %[3]s's IP %[4]s: the pod network must not NAT between pods", "Pod %[1]s 가 요청을 Pod %[3]s 의 IP %[4]s 가 아니라 %[2]s 에서 왔다고 봅니다: 파드 네트워크는 파드 사이에서 NAT 하지 않아야 합니다")
	msgCrossOK      = i18n.M("check.net.cross-ok", "Pod %s (%s, node %s) → Pod %s (%s, node %s): the receiver saw %s, the sender's own pod IP, no NAT; route in %s: %s", "Pod %s (%s, 노드 %s) → Pod %s (%s, 노드 %s): 받는 쪽이 본 주소는 %s, 보낸 파드의 IP 그대로이며 NAT 가 없습니다. %s 의 경로: %s")
	msgBadClientIP  = i18n.M("check.net.bad-clientip", "Pod %s answered /clientip with %q, not an address: is it agnhost netexec?", "Pod %s 가 /clientip 에 주소가 아닌 %q 로 답했습니다: agnhost netexec 인가요?")

	msgEgressNoReach = i18n.M("check.net.egress-no-reach", "Pod %s does not reach the outside server %s: %s", "Pod %s 가 바깥 서버 %s 에 닿지 않습니다: %s")
	msgEgressOK      = i18n.M("check.net.egress-ok", "Pod %s (%s) reaches the outside server %s as %s, the address of its node %s: SNAT (masquerade) at the node", "Pod %s (%s) 가 바깥 서버 %s 에 %s 로 보입니다. 그 노드 %s 의 주소입니다: 노드에서 SNAT (masquerade)")
	msgEgressNoSNAT  = i18n.M("check.net.egress-no-snat", "Pod %s (%s) reaches the outside server %s as %s, not as its node's address: this CNI does not SNAT", "Pod %s (%s) 가 바깥 서버 %s 에 노드 주소가 아닌 %s 로 보입니다: 이 CNI 는 SNAT 하지 않습니다")

	evDSReserved = i18n.M("evidence.ds-reserved", "node %s: not counted, labctl keeps it for ch15's pod limit (taint %s)", "노드 %s: 세지 않음, labctl 이 ch15 의 파드 수 제한용으로 둔 노드 (taint %s)")

	msgCNIOK = i18n.M("check.net.cni-ok", "the CNI is DaemonSet %s (config in /etc/cni/net.d: %s); pod CIDRs: %s", "CNI 는 DaemonSet %s 입니다 (/etc/cni/net.d 의 설정: %s). 파드 CIDR: %s")

	msgLimitNoNode    = i18n.M("check.net.limit-no-node", "this cluster has no worker with a low pod limit (labeled %s): labctl up gives one to a lab with two or more workers", "이 클러스터에는 파드 수가 낮게 제한된 워커(레이블 %s)가 없습니다: 워커가 둘 이상인 랩에 labctl up 이 하나를 만듭니다")
	msgLimitDeploy    = i18n.M("check.net.limit-deploy", "Deployment %s does not exist", "Deployment %s 가 없습니다")
	msgLimitReplicas  = i18n.M("check.net.limit-replicas", "Deployment %s asks for %d replicas: the step needs at least %d", "Deployment %s 의 replicas 가 %d 입니다: 이 단계는 %d 이상이 필요합니다")
	msgLimitElsewhere = i18n.M("check.net.limit-elsewhere", "Pod %[1]s of Deployment %[2]s runs on %[3]s, not on %[4]s, the node with the low limit: keep the nodeSelector and toleration that pin it there", "Deployment %[2]s 의 Pod %[1]s 가 제한이 낮은 노드 %[4]s 가 아니라 %[3]s 에서 실행됩니다: 그 노드에 고정하는 nodeSelector 와 toleration 을 그대로 두세요")
	msgLimitPending   = i18n.M("check.net.limit-pending", "%[1]d pod(s) of Deployment %[2]s are Pending: %[3]q. Node %[4]s allows %[5]d pods (kubelet maxPods) and runs %[6]d: raise maxPods in its kubelet configuration", "Deployment %[2]s 의 파드 %[1]d 개가 Pending 입니다: %[3]q. 노드 %[4]s 는 파드를 %[5]d 개까지 받고(kubelet maxPods) 지금 %[6]d 개를 실행합니다: 그 kubelet 설정의 maxPods 를 올리세요")
	msgLimitStarting  = i18n.M("check.net.limit-starting", "%[1]d of %[2]d pods of Deployment %[3]s are Ready", "Deployment %[3]s 의 파드 %[2]d 개 중 %[1]d 개가 Ready 입니다")
	msgLimitOK        = i18n.M("check.net.limit-ok", "all %[1]d pods of Deployment %[2]s run on %[3]s, which now allows %[4]d pods (kubelet maxPods)", "Deployment %[2]s 의 파드 %[1]d 개가 모두 %[3]s 에서 실행됩니다. 이제 그 노드는 파드를 %[4]d 개까지 받습니다 (kubelet maxPods)")
)
