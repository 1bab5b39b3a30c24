package proxy

import "github.com/labctl/labctl/i18n"

// Errors a student reads, and their fixes.
var (
	msgServiceNotFound = i18n.M("proxy.service.not-found",
		"service %s/%s not found",
		"서비스 %s/%s 가 없습니다")
	fixServiceNotFound = i18n.M("proxy.service.not-found.fix",
		"check the name and the namespace (-n): kubectl get svc -A",
		"이름과 네임스페이스(-n)를 확인하세요: kubectl get svc -A")
	msgPortNotTCP = i18n.M("proxy.service.port-not-tcp",
		"port %[2]s of service %[1]s is not TCP: the proxy carries TCP only (its ports: %[3]s)",
		"서비스 %[1]s 의 %[2]s 포트는 TCP 가 아닙니다. 프록시는 TCP 만 전달합니다 (포트: %[3]s)")
	msgExternalName = i18n.M("proxy.service.external-name",
		"service %s is of type ExternalName: it has no endpoints, only the DNS name %s",
		"서비스 %s 는 ExternalName 타입이라 엔드포인트가 없고 DNS 이름 %s 만 있습니다")
	msgNoEndpoints = i18n.M("proxy.service.no-endpoints",
		"service %s has no ready endpoints",
		"서비스 %s 에 준비된(ready) 엔드포인트가 없습니다")
	fixNoEndpoints = i18n.M("proxy.service.no-endpoints.fix",
		"check that the Service's selector matches running, ready pods: kubectl describe svc and kubectl get pods --show-labels",
		"서비스의 selector 가 실행 중이고 준비된 파드와 맞는지 확인하세요: kubectl describe svc, kubectl get pods --show-labels")
	msgNoBackendForClient = i18n.M("proxy.service.no-backend",
		"service %s: no endpoint can take a connection from %s right now",
		"서비스 %s: 지금은 %s 에서 오는 연결을 받을 수 있는 엔드포인트가 없습니다")
	fixNoBackendForClient = i18n.M("proxy.service.no-backend.fix",
		"its endpoints refused connections a moment ago, or have weight 0; check the pods (kubectl get pods) and try again",
		"엔드포인트가 방금 연결을 거부했거나 가중치가 0 입니다. 파드를 확인하고(kubectl get pods) 다시 시도하세요")
	msgUnknownScheduler = i18n.M("proxy.scheduler.unknown",
		"unknown scheduler %q (want rr, lc, sh, sed or nq)",
		"알 수 없는 스케줄러 %q 입니다 (rr, lc, sh, sed, nq 중 하나)")
	msgUnknownTransport = i18n.M("proxy.transport.unknown",
		"unknown transport %q (want auto, direct or port-forward)",
		"알 수 없는 전송 방식 %q 입니다 (auto, direct, port-forward 중 하나)")
	msgAPIUnreachable = i18n.M("proxy.api.unreachable",
		"cannot reach the cluster's API server",
		"클러스터 API 서버에 연결할 수 없습니다")
	fixAPIUnreachable = i18n.M("proxy.api.unreachable.fix",
		"is the lab cluster running? labctl status shows it; labctl up starts or repairs it",
		"실습 클러스터가 실행 중인가요? labctl status 로 확인하고 labctl up 으로 시작하거나 복구하세요")
	msgForbidden = i18n.M("proxy.api.forbidden",
		"the API server refused to show Services, EndpointSlices or pods",
		"API 서버가 서비스, EndpointSlice, 파드 조회를 거부했습니다")
	fixForbidden = i18n.M("proxy.api.forbidden.fix",
		"use a kubeconfig that may list and watch them (labctl env prints the lab's own)",
		"이를 조회(list, watch)할 수 있는 kubeconfig 를 쓰세요 (labctl env 가 실습 클러스터의 kubeconfig 를 알려 줍니다)")
	msgDialFailed = i18n.M("proxy.dial.failed",
		"connect to %s via %s",
		"%s 에 %s 로 연결하지 못했습니다")
	msgPortForward = i18n.M("proxy.portforward.failed",
		"open a port-forward connection to pod %s",
		"파드 %s 로 포트포워드 연결을 열지 못했습니다")
	fixPortForward = i18n.M("proxy.portforward.failed.fix",
		"check that the pod is running (kubectl get pod) and the API server is reachable (labctl status)",
		"파드가 실행 중인지(kubectl get pod), API 서버에 연결되는지(labctl status) 확인하세요")
	msgNotAPod = i18n.M("proxy.transport.not-a-pod",
		"%s is not a pod, so port-forward cannot reach it",
		"%s 는 파드가 아니어서 포트포워드로 연결할 수 없습니다")
	msgUnroutable = i18n.M("proxy.transport.unroutable",
		"%s is not reachable from this computer and is not a pod that port-forward could reach",
		"%s 는 이 컴퓨터에서 닿지 않고, 포트포워드로 닿을 수 있는 파드도 아닙니다")
	msgPodNotFound = i18n.M("proxy.pod.not-found",
		"pod %s not found",
		"파드 %s 가 없습니다")
	fixPodNotFound = i18n.M("proxy.pod.not-found.fix",
		"check the name and the namespace (-n): kubectl get pods -A",
		"이름과 네임스페이스(-n)를 확인하세요: kubectl get pods -A")
	msgPodNotRunning = i18n.M("proxy.pod.not-running",
		"pod %s is not running (phase %s)",
		"파드 %s 가 실행 중이 아닙니다 (상태 %s)")
	fixPodNotRunning = i18n.M("proxy.pod.not-running.fix",
		"wait until it runs: kubectl get pod -w; kubectl describe pod shows why it does not",
		"실행될 때까지 기다리세요: kubectl get pod -w. 실행되지 않는 이유는 kubectl describe pod 로 볼 수 있습니다")
	msgBadPort = i18n.M("proxy.port.bad",
		"port %d is not a TCP port (1-65535)",
		"%d 는 TCP 포트 번호가 아닙니다 (1-65535)")
	msgClosed = i18n.M("proxy.closed",
		"the proxy core is closed",
		"프록시 코어가 이미 닫혔습니다")
	msgLostConnection = i18n.M("proxy.port-forward.lost",
		"lost the port-forward connection to the API server",
		"API 서버와의 port-forward 연결이 끊어졌습니다")
	msgStreamReset = i18n.M("proxy.port-forward.reset",
		"the API server or kubelet ended this forwarded connection (SPDY status %d)",
		"API 서버나 kubelet 이 이 포워딩 연결을 끊었습니다 (SPDY 상태 %d)")
)

func errClosed() error { return i18n.Errorf(msgClosed) }

// DNS.
var (
	msgDNSUnreachable = i18n.M("proxy.dns.unreachable",
		"cannot reach the cluster DNS (service kube-system/kube-dns)",
		"클러스터 DNS(서비스 kube-system/kube-dns)에 연결할 수 없습니다")
	msgDNSQuery = i18n.M("proxy.dns.query",
		"query %s at %s",
		"%s 질의를 %s 에 보내지 못했습니다")
	msgBadQType = i18n.M("proxy.dns.bad-type",
		"unknown DNS record type %q (for example A, AAAA, CNAME, SRV, PTR)",
		"알 수 없는 DNS 레코드 타입 %q 입니다 (예: A, AAAA, CNAME, SRV, PTR)")
)

// HTTP.
var (
	msgExternalNameLoop = i18n.M("proxy.http.externalname-loop",
		"service %s: too many ExternalName services in a chain",
		"서비스 %s: ExternalName 서비스가 너무 여러 번 이어집니다")
	msgNoPodHostname = i18n.M("proxy.http.no-pod-hostname",
		"no ready pod answers to %s",
		"%s 에 해당하는 준비된 파드가 없습니다")
)
