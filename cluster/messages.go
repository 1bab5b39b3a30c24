package cluster

import "github.com/labctl/labctl/i18n"

// Errors and their fixes.
var (
	msgNoIPv4 = i18n.M("cluster.network.no-ipv4",
		"the kind network has no IPv4 subnet (%s): MetalLB's address pool needs one",
		"kind 네트워크에 IPv4 서브넷이 없습니다 (%s): MetalLB 주소 풀에는 IPv4 가 필요합니다")
	fixNoIPv4 = i18n.M("cluster.network.no-ipv4.fix",
		"remove the network (docker network rm kind) and run labctl up again; kind recreates it dual-stack",
		"네트워크를 지우고(docker network rm kind) labctl up 을 다시 실행하세요. kind 가 IPv4/IPv6 로 다시 만듭니다")
	msgSubnetTooSmall = i18n.M("cluster.network.too-small",
		"the kind network %s is too small for a MetalLB pool (need /28 or larger)",
		"kind 네트워크 %s 가 MetalLB 주소 풀을 두기에 너무 작습니다 (/28 이상 필요)")
	msgNoCluster = i18n.M("cluster.missing",
		"there is no lab cluster named %q",
		"%q 라는 실습 클러스터가 없습니다")
	msgKubeconfig = i18n.M("cluster.kubeconfig.bad",
		"cannot use the kubeconfig %s",
		"kubeconfig %s 를 쓸 수 없습니다")
	fixKubeconfig = i18n.M("cluster.kubeconfig.bad.fix",
		"check the path and --context; labctl env prints the lab's own kubeconfig",
		"경로와 --context 를 확인하세요. labctl env 가 실습 클러스터의 kubeconfig 를 알려 줍니다")
	msgAPIUnreachable = i18n.M("cluster.api.unreachable",
		"the cluster's API server does not answer (%s)",
		"클러스터 API 서버가 응답하지 않습니다 (%s)")
	fixAPIUnreachable = i18n.M("cluster.api.unreachable.fix",
		"right after a start the API server needs a few seconds: try again; if it stays so, labctl up repairs the lab",
		"시작 직후에는 API 서버가 몇 초 걸립니다: 다시 시도하세요. 계속 그러면 labctl up 으로 복구하세요")
	msgInterrupted = i18n.M("cluster.interrupted",
		"interrupted",
		"중단되었습니다")
	msgCreateFailed = i18n.M("cluster.create.failed",
		"kind could not create the cluster",
		"kind 가 클러스터를 만들지 못했습니다")
	msgNotReady = i18n.M("cluster.not-ready",
		"the cluster is not ready after %s: %s",
		"%s 가 지나도 클러스터가 준비되지 않았습니다: %s")
	msgNoNodeAPI = i18n.M("cluster.external.nodes",
		"this cluster was not made by labctl, so its nodes cannot be reached",
		"labctl 이 만든 클러스터가 아니라서 노드에 접근할 수 없습니다")
	msgLabStopped = i18n.M("cluster.stopped",
		"the lab %[1]q is stopped (%[2]d of %[3]d nodes not running: %[4]s)",
		"실습 클러스터 %[1]q 가 멈춰 있습니다 (노드 %[3]d 개 중 %[2]d 개가 실행 중이 아님: %[4]s)")
	msgLabPartlyStopped = i18n.M("cluster.partly-stopped",
		"the lab %[1]q is partly stopped (%[2]d of %[3]d nodes not running: %[4]s)",
		"실습 클러스터 %[1]q 의 일부가 멈춰 있습니다 (노드 %[3]d 개 중 %[2]d 개가 실행 중이 아님: %[4]s)")
	msgLabPaused = i18n.M("cluster.paused",
		"the lab %[1]q is paused (%[2]d of %[3]d nodes not running: %[4]s)",
		"실습 클러스터 %[1]q 가 일시 정지되어 있습니다 (노드 %[3]d 개 중 %[2]d 개가 실행 중이 아님: %[4]s)")
	msgStartFailed = i18n.M("cluster.start.failed",
		"the runtime could not start node %s",
		"런타임이 노드 %s 를 시작하지 못했습니다")
	fixStartFailed = i18n.M("cluster.start.failed.fix",
		"a host port the lab publishes may be taken by another program (docker ps shows which); free it and run labctl start again",
		"실습 클러스터가 쓰는 호스트 포트를 다른 프로그램이 차지했을 수 있습니다 (docker ps 로 확인). 포트를 비운 뒤 labctl start 를 다시 실행하세요")
	msgAddressStale = i18n.M("cluster.address.stale",
		"node %[1]s now has address %[2]s on the kind network, but Kubernetes still knows it as %[3]s",
		"노드 %[1]s 의 kind 네트워크 주소가 %[2]s 로 바뀌었는데 쿠버네티스는 아직 %[3]s 로 알고 있습니다")
	fixAddressStale = i18n.M("cluster.address.stale.fix",
		"restart that node so kind's entrypoint rewrites its configuration: docker restart %s, then %s",
		"kind 의 엔트리포인트가 설정을 고치도록 그 노드를 다시 시작하세요: docker restart %s 후 %s")
	msgWorkloadsBack = i18n.M("cluster.workloads-back",
		"%s not running again yet: %s",
		"%s 이(가) 아직 다시 돌지 않습니다: %s")
	msgPodsBack = i18n.M("cluster.pods-back",
		"%d system pods not running again yet: %s",
		"아직 다시 실행되지 않은 시스템 파드 %d 개: %s")
	msgNoStart = i18n.M("cluster.start.none",
		"there is no lab cluster named %q to start",
		"시작할 %q 실습 클러스터가 없습니다")
	msgNodesReady     = i18n.M("cluster.nodes-ready", "%d/%d nodes Ready", "노드 %d/%d 개 Ready")
	msgIngressUnknown = i18n.M("cluster.ingress.unknown",
		"unknown ingress controller %q (want nginx, traefik or none)",
		"알 수 없는 인그레스 컨트롤러 %q 입니다 (nginx, traefik, none 중 하나)")
)

// Step titles of `labctl up` and `labctl down`.
var (
	stepRuntime          = i18n.M("up.step.runtime", "Checking the container runtime", "컨테이너 런타임 확인")
	stepPorts            = i18n.M("up.step.ports", "Checking host ports %d and %d", "호스트 포트 %d, %d 확인")
	stepCreate           = i18n.M("up.step.create", "Creating cluster %q (1 control-plane, %d workers)", "클러스터 %q 생성 (컨트롤 플레인 1, 워커 %d)")
	stepExisting         = i18n.M("up.step.existing", "Checking the existing cluster %q", "기존 클러스터 %q 점검")
	stepReady            = i18n.M("up.step.ready", "Waiting for nodes and CoreDNS", "노드와 CoreDNS 준비 대기")
	stepSideload         = i18n.M("up.step.sideload", "Loading %d local images into the nodes", "로컬 이미지 %d 개를 노드에 적재")
	stepSideloadEarly    = i18n.M("up.step.sideload-early", "Finishing loading local images into the nodes", "로컬 이미지를 노드에 마저 적재")
	stepSideloadChapters = i18n.M("up.step.sideload-chapters", "Finishing loading the chapters' images into the nodes", "실습 이미지를 노드에 마저 적재")
	stepMetalLB          = i18n.M("up.step.metallb", "Installing MetalLB %s (pool %s)", "MetalLB %s 설치 (주소 풀 %s)")
	stepIngress          = i18n.M("up.step.ingress", "Installing %s %s", "%s %s 설치")
	stepTraefik          = i18n.M("up.step.traefik", "Installing %s %s (Ingress and Gateway API %s, Gateway %s)", "%s %s 설치 (Ingress 와 Gateway API %s, Gateway %s)")
	stepUninstall        = i18n.M("up.step.uninstall", "Removing %s", "%s 제거")
	stepMerge            = i18n.M("up.step.merge", "Adding context %s to %s", "%s 컨텍스트를 %s 에 추가")
	stepCleanup          = i18n.M("up.step.cleanup", "Deleting the half-made cluster %q", "만들다 만 클러스터 %q 삭제")
	stepStartNodes       = i18n.M("start.step.nodes", "Starting the nodes of %q (control-plane first)", "%q 의 노드 시작 (컨트롤 플레인부터)")
	stepStopNodes        = i18n.M("stop.step.nodes", "Stopping the nodes of %q", "%q 의 노드 정지")
	stepAddresses        = i18n.M("start.step.addresses", "Checking the nodes' addresses", "노드 주소 확인")
	stepAPIBack          = i18n.M("start.step.api", "Waiting for the API server to answer again", "API 서버가 다시 응답할 때까지 대기")
	stepBack             = i18n.M("start.step.back", "Waiting for nodes, CoreDNS and the add-ons to run again", "노드, CoreDNS, 애드온이 다시 실행될 때까지 대기")
	stepLabNetwork       = i18n.M("up.step.lab-network", "Starting the outside server %s and limiting one worker to %d pods (ch15)", "바깥 서버 %s 시작, 워커 하나의 파드 수를 %d 개로 제한 (ch15)")
	stepDelete           = i18n.M("down.step.delete", "Deleting cluster %q", "클러스터 %q 삭제")
)

// Notes printed along the way.
var (
	noteCgroupV1 = i18n.M("up.note.cgroupv1",
		"this host uses cgroup v1: kubelets are started with failCgroupV1: false (Kubernetes 1.35+ refuse cgroup v1 otherwise)",
		"이 호스트는 cgroup v1 을 씁니다: kubelet 을 failCgroupV1: false 로 실행합니다 (Kubernetes 1.35 이상은 그렇지 않으면 cgroup v1 에서 시작을 거부합니다)")
	notePullNode = i18n.M("up.note.pull-node",
		"the node image %s is not on this computer yet: it is downloaded once (about 1 GB)",
		"노드 이미지 %s 가 아직 없습니다: 한 번만 내려받습니다 (약 1 GB)")
	noteNodeTag = i18n.M("up.note.node-tag",
		"using %s, loaded from a bundle (the pinned digest is not known to this engine)",
		"번들에서 올린 %s 를 사용합니다 (이 엔진은 고정된 digest 를 알지 못합니다)")
	noteTopology = i18n.M("up.note.topology",
		"cluster %q already exists with %d workers; --workers only applies when creating (labctl down, then up)",
		"클러스터 %q 는 이미 워커 %d 개로 있습니다. --workers 는 새로 만들 때만 적용됩니다 (labctl down 후 up)")
	noteNginxRetired = i18n.M("up.note.nginx-retired",
		"ingress-nginx is retired upstream: %s is its final release, with no security fixes, and the Gateway API steps of ch08 need Traefik. labctl's default is Traefik: labctl up --ingress traefik",
		"ingress-nginx 는 공식적으로 은퇴했습니다: %s 가 마지막 릴리스이고 보안 수정도 없으며, ch08 의 Gateway API 단계는 Traefik 이 필요합니다. labctl 의 기본은 Traefik 입니다: labctl up --ingress traefik")
	noteStopped = i18n.M("stop.note.stopped",
		"the lab is stopped and gives its memory back; everything you made is kept. Start it with: %s",
		"실습 클러스터를 멈추고 메모리를 돌려주었습니다. 만들어 둔 것은 그대로 있습니다. 다시 시작: %s")
	noteAlreadyStopped = i18n.M("stop.note.already",
		"the lab %q is already stopped",
		"실습 클러스터 %q 는 이미 멈춰 있습니다")
	noteKeptCluster = i18n.M("up.note.kept",
		"the cluster was kept: run labctl up again to retry, or labctl down to remove it",
		"클러스터는 남겨 두었습니다: labctl up 을 다시 실행해 재시도하거나 labctl down 으로 지우세요")
)
