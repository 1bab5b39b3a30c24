package runtime

import "github.com/labctl/labctl/i18n"

// Messages; the exported ones are shared with package cluster and the doctor.
var (
	msgUnknownRuntime = i18n.M("cluster.runtime.unknown",
		"unknown container runtime %q (labctl supports %s)",
		"알 수 없는 컨테이너 런타임 %q 입니다 (지원: %s)")
	msgRuntimeMissing = i18n.M("cluster.runtime.missing",
		"the container runtime %q was asked for (--runtime or LABCTL_RUNTIME) but is not installed",
		"컨테이너 런타임 %q 를 지정했지만(--runtime 또는 LABCTL_RUNTIME) 설치되어 있지 않습니다")
	fixRuntimeMissing = i18n.M("cluster.runtime.missing.fix",
		"install it, or leave --runtime out to use the runtime labctl finds (labctl doctor shows it)",
		"설치하거나, --runtime 을 빼고 labctl 이 찾은 런타임을 쓰세요 (labctl doctor 가 보여 줍니다)")
	msgNoRuntime = i18n.M("cluster.runtime.none",
		"no container runtime found: labctl needs Docker, Podman or nerdctl",
		"컨테이너 런타임을 찾지 못했습니다: labctl 에는 Docker, Podman, nerdctl 중 하나가 필요합니다")
	fixNoRuntime = i18n.M("cluster.runtime.none.fix",
		"install Docker Desktop (macOS, Windows) or Docker Engine (Linux), start it, and run labctl doctor",
		"Docker Desktop(macOS, Windows) 또는 Docker Engine(Linux)을 설치하고 실행한 뒤 labctl doctor 로 확인하세요")
	MsgDown = i18n.M("cluster.runtime.down",
		"cannot reach the %s engine",
		"%s 엔진에 연결할 수 없습니다")
	FixDown = i18n.M("cluster.runtime.down.fix",
		"is Docker running? Start Docker Desktop (macOS, Windows) or run: sudo systemctl start docker (Linux)",
		"Docker 가 실행 중인가요? Docker Desktop(macOS, Windows)을 시작하거나 sudo systemctl start docker (Linux)를 실행하세요")
	fixRuntimePermission = i18n.M("cluster.runtime.permission.fix",
		"your user may not use Docker: run sudo usermod -aG docker $USER, then log out and in again",
		"현재 사용자에게 Docker 권한이 없습니다: sudo usermod -aG docker $USER 실행 후 다시 로그인하세요")
	msgPortTaken = i18n.M("cluster.port.taken",
		"port %d on this computer is already in use; choose another with %s",
		"이 컴퓨터의 %d 번 포트를 이미 다른 프로그램이 쓰고 있습니다. %s 로 다른 포트를 고르세요")
	fixPortTaken = i18n.M("cluster.port.taken.fix",
		"stop the program using it (a local web server, another cluster), or e.g. labctl up --http-port 8080 --https-port 8443",
		"그 포트를 쓰는 프로그램(로컬 웹 서버, 다른 클러스터)을 멈추거나, 예: labctl up --http-port 8080 --https-port 8443")
	FixNoCluster = i18n.M("cluster.missing.fix",
		"create it with: labctl up",
		"labctl up 으로 먼저 만드세요")
	FixLabStopped = i18n.M("cluster.stopped.fix",
		"start it with: %s   (everything you made is kept)",
		"다음 명령으로 시작하세요: %s   (만들어 둔 것은 모두 그대로 남아 있습니다)")
	msgStateRunning = i18n.M("cluster.state.running", "running", "실행 중")
	msgStateStopped = i18n.M("cluster.state.stopped", "stopped", "멈춤")
	msgStatePartly  = i18n.M("cluster.state.partly-stopped", "partly stopped", "일부 멈춤")
	msgStatePaused  = i18n.M("cluster.state.paused", "paused", "일시 정지")
)
