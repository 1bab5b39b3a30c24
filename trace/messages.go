package trace

import "github.com/labctl/labctl/i18n"

var (
	msgBadTarget = i18n.M("trace.bad-target",
		"%q is not a target: want svc/NAME[:PORT], IP[:PORT], node/NAME:PORT, http://HOST/PATH or ingress/HOST",
		"%q 는 대상이 아닙니다: svc/NAME[:PORT], IP[:PORT], node/NAME:PORT, http://HOST/PATH, ingress/HOST 중 하나여야 합니다")
	msgBadVantage = i18n.M("trace.bad-vantage",
		"--from %q: want host, node/NAME or pod/NAMESPACE/NAME",
		"--from %q: host, node/NAME, pod/NAMESPACE/NAME 중 하나여야 합니다")
	msgNoService     = i18n.M("trace.no-service", "Service %s does not exist", "Service %s 가 없습니다")
	msgNoNode        = i18n.M("trace.no-node", "no node %s (nodes: %s)", "노드 %s 가 없습니다 (노드: %s)")
	msgNoPod         = i18n.M("trace.no-pod", "pod %s does not exist", "파드 %s 가 없습니다")
	msgPodNotRunning = i18n.M("trace.pod-not-running", "pod %s has no node or address yet", "파드 %s 에 아직 노드나 주소가 없습니다")
	msgNoEntryNode   = i18n.M("trace.no-entry", "cannot tell which node receives traffic for %s", "%s 의 트래픽을 어느 노드가 받는지 알 수 없습니다")
	msgNodeUnread    = i18n.M("trace.node-unread", "could not read node %s's rules and routes", "노드 %s 의 규칙과 라우트를 읽지 못했습니다")
	msgHeadless      = i18n.M("trace.headless", "Service %s is headless: no ClusterIP, so kube-proxy has no rule for it (clients get the pods' addresses from DNS)",
		"Service %s 는 헤드리스입니다: ClusterIP 가 없어서 kube-proxy 규칙도 없습니다 (클라이언트가 DNS 에서 파드 주소를 받습니다)")
	msgNoAddress = i18n.M("trace.no-address", "no Service has the address %s (a ClusterIP, a LoadBalancer IP, or a node address with a NodePort)",
		"%s 주소를 가진 Service 가 없습니다 (ClusterIP, LoadBalancer IP, 또는 노드 주소와 NodePort)")
	fixPort = i18n.M("trace.port.fix", "name the port after a colon, by name or number: %s:PORT",
		"콜론 뒤에 포트를 이름이나 번호로 지정하세요: %s:PORT")
	msgNoIngress    = i18n.M("trace.no-ingress", "no Ingress rule matches %s", "%s 에 맞는 Ingress 규칙이 없습니다")
	msgNoController = i18n.M("trace.no-controller", "no running ingress controller holds host port %d", "호스트 포트 %d 를 가진 실행 중인 인그레스 컨트롤러가 없습니다")

	// The hop list.
	msgFromHost = i18n.M("trace.from.host", "this computer", "이 컴퓨터")
	msgFromNode = i18n.M("trace.from.node", "node %s", "노드 %s")
	msgFromPod  = i18n.M("trace.from.pod", "pod %s (%s)", "파드 %s (%s)")
	msgHopSend  = i18n.M("trace.hop.send", "%s → %s (%s %s)", "%s → %s (%s %s)")
	msgHopARP   = i18n.M("trace.hop.arp", "ARP answered by %s (MetalLB, %s)", "ARP 응답: %s (MetalLB, %s)")
	msgHopNoARP = i18n.M("trace.hop.no-arp", "no node announces this address yet (MetalLB)", "이 주소를 알리는 노드가 아직 없습니다 (MetalLB)")
	msgHopChain = i18n.M("trace.hop.chain", "%s: %s", "%s: %s")
	msgHopEps   = i18n.M("trace.hop.endpoints", "endpoints (kube-proxy picks one per new connection, top to bottom):",
		"엔드포인트 (kube-proxy 가 새 연결마다 위에서부터 하나를 고릅니다):")
	msgHopNoEps = i18n.M("trace.hop.no-endpoints", "no endpoint: kube-proxy has no rule for this address on %s (the Service has no ready pod, so connections are refused)",
		"엔드포인트 없음: %s 에 이 주소의 kube-proxy 규칙이 없습니다 (준비된 파드가 없어 연결이 거부됩니다)")
	msgHopNoLocal = i18n.M("trace.hop.no-local", "no endpoint on %s: with externalTrafficPolicy Local, traffic arriving here is dropped",
		"%s 에 엔드포인트 없음: externalTrafficPolicy Local 이라 이 노드로 온 트래픽은 버려집니다")
	msgMasqYes = i18n.M("trace.masq.yes", "masquerade: yes, %s", "마스커레이드: 예, %s")
	msgMasqNo  = i18n.M("trace.masq.no", "masquerade: no, %s", "마스커레이드: 아니오, %s")

	msgReasonOutside = i18n.M("trace.reason.outside", "the source is outside the pod network %s (KUBE-MARK-MASQ in KUBE-SVC)",
		"출발지가 파드 네트워크 %s 밖입니다 (KUBE-SVC 의 KUBE-MARK-MASQ)")
	msgReasonPod = i18n.M("trace.reason.pod", "the source is a pod (%s): the endpoint sees the pod's own address",
		"출발지가 파드 (%s) 입니다: 엔드포인트는 파드의 주소를 그대로 봅니다")
	msgReasonCluster = i18n.M("trace.reason.cluster", "externalTrafficPolicy Cluster: the source becomes the node's address so the answer comes back through this node",
		"externalTrafficPolicy Cluster: 응답이 이 노드를 거쳐 돌아오도록 출발지가 노드 주소로 바뀝니다")
	msgReasonLocal = i18n.M("trace.reason.local", "externalTrafficPolicy Local: the client's address is kept; only this node's pods are used",
		"externalTrafficPolicy Local: 클라이언트 주소가 유지되고 이 노드의 파드만 씁니다")
	msgReasonLocalNode = i18n.M("trace.reason.local-node", "externalTrafficPolicy Local, but the source is the node itself: masqueraded and sent to any pod",
		"externalTrafficPolicy Local 이지만 출발지가 노드 자신이라 마스커레이드하고 아무 파드로나 보냅니다")
	msgReasonHostPort = i18n.M("trace.reason.hostport", "the CNI portmap plugin DNATs the node's port to the controller pod; the client's address is kept",
		"CNI portmap 플러그인이 노드 포트를 컨트롤러 파드로 DNAT 합니다. 클라이언트 주소는 유지됩니다")

	msgNoteClusterIPHost = i18n.M("trace.note.clusterip-host", "a ClusterIP is not reachable from this computer: traced from node %s, as a client inside the cluster",
		"ClusterIP 는 이 컴퓨터에서 닿지 않습니다: 클러스터 안의 클라이언트처럼 노드 %s 에서 추적했습니다")
	msgNoteLBInCluster = i18n.M("trace.note.lb-in-cluster", "from inside the cluster kube-proxy catches the LoadBalancer address on the sending node itself: ARP is not used",
		"클러스터 안에서는 보내는 노드의 kube-proxy 가 LoadBalancer 주소를 바로 잡습니다: ARP 를 쓰지 않습니다")

	msgRouteLocal  = i18n.M("trace.route.local", "%s, local", "%s, 로컬")
	msgRouteVia    = i18n.M("trace.route.via", "%s via %s", "%s, %s 경유")
	msgRouteVeth   = i18n.M("trace.route.veth", "veth %s", "veth %s")
	msgHairpin     = i18n.M("trace.hairpin", "hairpin: the sending pod itself, masqueraded", "헤어핀: 보낸 파드 자신이라 마스커레이드")
	msgShare       = i18n.M("trace.share", "share %.0f%%", "몫 %.0f%%")
	msgIngressCtrl = i18n.M("trace.ingress.controller", "%s → %s%s (%s: ingress controller %s on %s)",
		"%s → %s%s (%s: 인그레스 컨트롤러 %s, 노드 %s)")
	msgIngressPublished = i18n.M("trace.ingress.published", "from this computer: %s, which kind publishes as the node's %s",
		"이 컴퓨터에서는 %s 에 보냅니다. kind 가 이것을 노드의 %s 에 연결합니다")
	msgIngressRule = i18n.M("trace.ingress.rule", "%s: %s %s rule %s → Service %s:%d",
		"%s: %s %s 의 규칙 %s → Service %s:%d")
	msgIngressBackends = i18n.M("trace.ingress.backends", "backends (the controller proxies to the pods' addresses itself, without kube-proxy):",
		"백엔드 (컨트롤러가 kube-proxy 없이 파드 주소로 직접 프록시합니다):")
	msgIngressNoBackends = i18n.M("trace.ingress.no-backends", "no ready backend: the controller answers 503", "준비된 백엔드 없음: 컨트롤러가 503 으로 답합니다")
)
