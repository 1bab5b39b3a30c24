package cli

import "github.com/labctl/labctl/i18n"

// Command help.
var (
	helpRoot = i18n.M("help.root",
		"a Kubernetes networking lab on your own computer",
		"내 컴퓨터 위의 쿠버네티스 네트워킹 실습실")
	helpRootLong = i18n.M("help.root.long",
		"labctl creates a local kind cluster with MetalLB and an ingress controller, walks you through the course's lab chapters and checks your work.\n\nStart with: labctl up   (then run labctl for the interactive lessons)",
		"labctl 은 MetalLB 와 인그레스 컨트롤러를 갖춘 로컬 kind 클러스터를 만들고, 강의의 실습 챕터를 안내하며, 실습 결과를 확인합니다.\n\n시작: labctl up   (그다음 labctl 을 실행하면 대화형 실습이 열립니다)")
	helpUp = i18n.M("help.up",
		"create the lab cluster (or repair it) with MetalLB and an ingress controller",
		"실습 클러스터를 만들거나 복구합니다 (MetalLB, 인그레스 컨트롤러 포함)")
	helpUpLong = i18n.M("help.up.long",
		"Creates a kind cluster (1 control-plane + workers), waits until every node and CoreDNS is ready, installs MetalLB with an address pool from the kind network and the ingress controller, made the default IngressClass. Running it again on an existing cluster checks and repairs the add-ons and changes nothing that is healthy. Ctrl-C stops and deletes a half-made cluster.",
		"kind 클러스터(컨트롤 플레인 1 + 워커)를 만들고, 모든 노드와 CoreDNS 가 준비될 때까지 기다린 뒤, kind 네트워크에서 주소 풀을 잡은 MetalLB 와 기본 IngressClass 가 되는 인그레스 컨트롤러를 설치합니다. 이미 있는 클러스터에서 다시 실행하면 애드온을 점검하고 복구하며, 정상인 것은 바꾸지 않습니다. Ctrl-C 를 누르면 멈추고 만들다 만 클러스터를 지웁니다.")
	helpDown = i18n.M("help.down",
		"delete the lab cluster and its kubeconfig",
		"실습 클러스터와 그 kubeconfig 를 지웁니다")
	helpStatus = i18n.M("help.status",
		"show nodes, add-ons, the LoadBalancer pool and the IngressClass",
		"노드, 애드온, LoadBalancer 주소 풀, IngressClass 를 보여 줍니다")
	helpStatusLong = i18n.M("help.status.long",
		"Shows the lab's nodes, add-ons, LoadBalancer pool, default IngressClass and the memory its nodes use. A lab whose nodes are stopped (labctl stop, a reboot, a Docker restart) is shown from the container runtime. Exit code: 0 healthy, 1 something is not healthy, 3 the lab is stopped, partly stopped or paused (labctl start starts it).",
		"실습 클러스터의 노드, 애드온, LoadBalancer 주소 풀, 기본 IngressClass, 노드가 쓰는 메모리를 보여 줍니다. 노드가 멈춘 클러스터(labctl stop, 재부팅, Docker 재시작)는 컨테이너 런타임에서 읽어 보여 줍니다. 종료 코드: 0 정상, 1 정상이 아닌 것이 있음, 3 클러스터가 멈춤·일부 멈춤·일시 정지 상태 (labctl start 로 시작).")
	helpStart = i18n.M("help.start",
		"start a stopped lab: its nodes, then wait until everything runs again",
		"멈춘 실습 클러스터를 시작합니다: 노드를 켜고 모두 다시 실행될 때까지 기다립니다")
	helpStartLong = i18n.M("help.start.long",
		"Starts the node containers of a lab that labctl stop, a reboot or a Docker restart left stopped (the control-plane first; paused nodes are unpaused), waits for the API server, the nodes, CoreDNS and the add-ons, and checks the add-ons as labctl up does. Everything you made is kept, and LoadBalancer Services keep their addresses. labctl up does the same on a stopped lab; start never creates a lab. Exit code: 0 the lab runs, 1 it could not be started.",
		"labctl stop, 재부팅, Docker 재시작으로 멈춘 실습 클러스터의 노드 컨테이너를 시작하고 (컨트롤 플레인부터, 일시 정지된 노드는 재개), API 서버, 노드, CoreDNS, 애드온을 기다린 뒤 labctl up 처럼 애드온을 점검합니다. 만들어 둔 것은 모두 남고 LoadBalancer 서비스는 주소를 그대로 유지합니다. 멈춘 클러스터에서는 labctl up 도 같은 일을 합니다. start 는 클러스터를 새로 만들지 않습니다. 종료 코드: 0 실행 중, 1 시작하지 못함.")
	helpStop = i18n.M("help.stop",
		"stop the lab's nodes to give their memory back (everything you made is kept)",
		"실습 클러스터의 노드를 멈춰 메모리를 돌려줍니다 (만들어 둔 것은 그대로 남습니다)")
	helpStopLong = i18n.M("help.stop.long",
		"Stops the lab's node containers cleanly. Their disks stay: labctl start brings back every object, the kubeconfig and the LoadBalancer addresses. Stopping a stopped lab changes nothing. To delete the lab instead: labctl down.",
		"실습 클러스터의 노드 컨테이너를 깔끔하게 멈춥니다. 디스크는 그대로 남으므로 labctl start 로 모든 오브젝트, kubeconfig, LoadBalancer 주소가 돌아옵니다. 이미 멈춘 클러스터에는 아무 일도 하지 않습니다. 클러스터를 지우려면: labctl down.")
	helpDoctor = i18n.M("help.doctor",
		"check this computer for what labctl up needs",
		"labctl up 에 필요한 것이 이 컴퓨터에 갖춰졌는지 점검합니다")
	helpDoctorLong = i18n.M("help.doctor.long",
		"Checks the container runtime, cgroups, memory, host ports 80/443, inotify limits and the node image, and says how to fix each problem. Exits 1 when something blocks labctl up.",
		"컨테이너 런타임, cgroup, 메모리, 호스트 포트 80/443, inotify 한도, 노드 이미지를 점검하고 문제마다 해결 방법을 알려 줍니다. labctl up 을 막는 문제가 있으면 종료 코드 1 로 끝납니다.")
	helpEnv = i18n.M("help.env",
		"print the shell line that points kubectl at the lab",
		"kubectl 이 실습 클러스터를 쓰도록 하는 셸 명령을 출력합니다")
	helpEnvLong = i18n.M("help.env.long",
		"labctl keeps the lab's kubeconfig in its own file and never changes ~/.kube/config unless you ask (labctl up --merge-kubeconfig). Use: eval \"$(labctl env)\"",
		"labctl 은 실습 클러스터의 kubeconfig 를 자기 파일에 따로 두며, 요청하지 않는 한(labctl up --merge-kubeconfig) ~/.kube/config 를 바꾸지 않습니다. 사용법: eval \"$(labctl env)\"")
	helpImages = i18n.M("help.images",
		"list, save and load every image the lab uses (for classrooms without a registry)",
		"실습에 쓰는 모든 이미지를 나열하고 저장하고 올립니다 (레지스트리 없는 강의실용)")
	helpImagesLong = i18n.M("help.images.long",
		"An instructor runs labctl images save -o bundle.tar on a good connection; students run labctl images load bundle.tar. Loading puts the images into the container runtime and, when the lab cluster exists, into its nodes.",
		"강사가 인터넷이 잘 되는 곳에서 labctl images save -o bundle.tar 를 실행하고, 수강생은 labctl images load bundle.tar 를 실행합니다. load 는 이미지를 컨테이너 런타임에 올리고, 실습 클러스터가 있으면 노드에도 넣습니다.")
	helpImagesList  = i18n.M("help.images.list", "list every image labctl and the chapters use", "labctl 과 챕터가 쓰는 모든 이미지를 나열합니다")
	helpImagesSave  = i18n.M("help.images.save", "pull every image and save them into one archive", "모든 이미지를 받아 하나의 아카이브로 저장합니다")
	helpImagesLoad  = i18n.M("help.images.load", "load an archive into the runtime and the lab's nodes", "아카이브를 런타임과 실습 클러스터 노드에 올립니다")
	helpVersion     = i18n.M("help.version", "print labctl's version and pinned components", "labctl 버전과 고정된 구성 요소 버전을 출력합니다")
	helpCompletion  = i18n.M("help.completion", "generate shell completion (bash, zsh, fish, powershell)", "셸 자동 완성 스크립트를 만듭니다 (bash, zsh, fish, powershell)")
	helpTLS         = i18n.M("help.tls", "make TLS material for the Ingress exercises", "인그레스 실습용 TLS 키와 인증서를 만듭니다")
	helpTLSCert     = i18n.M("help.tls.cert", "make an RSA 2048 key and a self-signed certificate", "RSA 2048 키와 자체 서명 인증서를 만듭니다")
	helpTLSCertLong = i18n.M("help.tls.cert.long",
		"Does what the course's openssl commands do, without openssl:\n  openssl genrsa -out tls.key 2048\n  openssl req -new -x509 -key tls.key -out tls.crt -days 365 -subj /CN=kube-book.com\nThe name is also written as a subjectAltName, which is what browsers and curl check. The key is written with mode 0600.",
		"강의의 openssl 명령과 같은 일을 openssl 없이 합니다:\n  openssl genrsa -out tls.key 2048\n  openssl req -new -x509 -key tls.key -out tls.crt -days 365 -subj /CN=kube-book.com\n이름은 subjectAltName 에도 넣습니다 (브라우저와 curl 은 이것을 확인합니다). 키 파일은 0600 권한으로 씁니다.")
	helpChapters  = i18n.M("help.chapters", "list the lab chapters and your progress", "실습 챕터와 진행 상황을 보여 줍니다")
	helpShow      = i18n.M("help.show", "show a chapter's lesson", "챕터의 설명을 보여 줍니다")
	helpApply     = i18n.M("help.apply", "apply a step's starter (or, with --solution, its answer) and wait until it runs", "단계의 시작 매니페스트(--solution 이면 정답)를 적용하고 실행될 때까지 기다립니다")
	helpApplyLong = i18n.M("help.apply.long", "Server-side applies (field manager labctl) the starter of the chosen steps (every step when no --step is given): the manifests you are given, complete except for the part the step teaches, which is missing or wrong and marked with a TODO comment. What a step builds on (another step's pods) is applied first, with a line saying so. Then do the task (edit the manifest, or use kubectl) and run labctl check.\n\n--solution applies the answer instead and records the step as \"solved with help\" in your progress (labctl chapters shows it) until labctl reset.", "선택한 단계(--step 이 없으면 모든 단계)의 시작 매니페스트를 server-side apply(field manager labctl)로 적용합니다. 시작 매니페스트는 단계가 가르치는 부분만 빠졌거나 틀렸고 TODO 주석으로 표시되어 있습니다. 단계가 기대는 것(다른 단계의 파드)은 먼저 적용하고 그렇다고 알려 줍니다. 그다음 과제를 하고(매니페스트를 고치거나 kubectl 로) labctl check 를 실행하세요.\n\n--solution 은 대신 정답을 적용하고, labctl reset 전까지 진행 기록에 그 단계를 \"도움받아 해결\"로 남깁니다(labctl chapters 에 보입니다).")
	helpReset     = i18n.M("help.reset", "delete what a chapter's manifests create (nothing else)", "챕터의 매니페스트가 만드는 것을 지웁니다 (그 외에는 건드리지 않습니다)")
	helpResetLong = i18n.M("help.reset.long", "Deletes exactly the objects named in the chapter's manifests and solutions, waits until they are gone, and forgets the chapter's progress.", "챕터의 매니페스트와 정답에 적힌 오브젝트만 지우고, 사라질 때까지 기다린 뒤, 챕터 진행 기록을 지웁니다.")
	helpCheck     = i18n.M("help.check", "check a chapter's steps against the cluster", "챕터의 각 단계가 클러스터에서 동작하는지 확인합니다")
	helpCheckLong = i18n.M("help.check.long", "Runs every check of the chapter (or of --step N) concurrently; each observes the cluster's behaviour (traffic, DNS, certificates) until it passes or its deadline, and changes nothing. Exit code: 0 every check passed, 1 a check failed, 2 usage or environment error, 3 the lab is stopped (labctl start). -o json follows the schema labctl/check/v1; -o junit feeds CI.", "챕터(또는 --step N)의 모든 확인을 동시에 실행합니다. 각 확인은 통과하거나 시간이 다할 때까지 클러스터의 동작(트래픽, DNS, 인증서)을 관찰하며 아무것도 바꾸지 않습니다. 종료 코드: 0 모두 통과, 1 실패한 확인이 있음, 2 사용법 또는 환경 오류, 3 클러스터가 멈춤 (labctl start). -o json 은 labctl/check/v1 스키마, -o junit 은 CI 용입니다.")
	helpHint      = i18n.M("help.hint", "show a hint for a step, one at a time", "단계의 힌트를 하나씩 보여 줍니다")
	helpManifests = i18n.M("help.manifests", "write a chapter's manifests to a directory, to edit and apply yourself", "챕터의 매니페스트를 디렉터리에 써 줍니다 (직접 고치고 적용할 수 있게)")
	helpMan       = i18n.M("help.man", "write man pages", "man 페이지를 만듭니다")
	helpHelp      = i18n.M("help.help", "help about any command", "명령 도움말")
)

// Flags.
var (
	flagLang          = i18n.M("flag.lang", "language: ko or en (default: from LABCTL_LANG or the locale)", "언어: ko 또는 en (기본값: LABCTL_LANG 또는 로케일)")
	flagName          = i18n.M("flag.name", "name of the lab cluster", "실습 클러스터 이름")
	flagKubeconfig    = i18n.M("flag.kubeconfig", "use this kubeconfig's cluster instead of labctl's kind cluster", "labctl 의 kind 클러스터 대신 이 kubeconfig 의 클러스터를 사용")
	flagContext       = i18n.M("flag.context", "kubeconfig context to use (with --kubeconfig or ~/.kube/config)", "사용할 kubeconfig 컨텍스트 (--kubeconfig 또는 ~/.kube/config)")
	flagRuntime       = i18n.M("flag.runtime", "container runtime: docker, podman or nerdctl (default: detected)", "컨테이너 런타임: docker, podman, nerdctl (기본값: 자동 감지)")
	flagHelp          = i18n.M("flag.help", "help for %s", "%s 도움말")
	flagWorkers       = i18n.M("flag.workers", "number of worker nodes", "워커 노드 수")
	flagImage         = i18n.M("flag.image", "kind node image (default %s, or LABCTL_NODE_IMAGE)", "kind 노드 이미지 (기본값 %s 또는 LABCTL_NODE_IMAGE)")
	flagIngress       = i18n.M("flag.ingress", "ingress controller: traefik (Ingress and Gateway API), nginx (retired upstream, Ingress only) or none", "인그레스 컨트롤러: traefik (Ingress 와 Gateway API), nginx (공식 은퇴, Ingress 만), none")
	flagHTTPPort      = i18n.M("flag.http-port", "host port for HTTP to the ingress controller", "인그레스 컨트롤러로 가는 HTTP 호스트 포트")
	flagHTTPSPort     = i18n.M("flag.https-port", "host port for HTTPS to the ingress controller", "인그레스 컨트롤러로 가는 HTTPS 호스트 포트")
	flagRetain        = i18n.M("flag.retain", "keep a cluster that failed or was interrupted while being created (for debugging)", "생성 중 실패하거나 중단된 클러스터를 지우지 않고 남김 (디버깅용)")
	flagMerge         = i18n.M("flag.merge", "also add the lab's context to your kubeconfig (your current context is kept)", "실습 컨텍스트를 내 kubeconfig 에도 추가 (현재 컨텍스트는 그대로)")
	flagWait          = i18n.M("flag.wait", "how long to wait for nodes and each add-on", "노드와 각 애드온을 기다리는 최대 시간")
	flagOutput        = i18n.M("flag.output", "output format: %s", "출력 형식: %s")
	flagShell         = i18n.M("flag.shell", "shell syntax: sh, fish, powershell or cmd (default: from the OS)", "셸 문법: sh, fish, powershell, cmd (기본값: 운영체제에 맞게)")
	flagVersion       = i18n.M("flag.version", "print labctl's version", "labctl 버전 출력")
	flagCN            = i18n.M("flag.cn", "the certificate's name (CN and subjectAltName), e.g. kube-book.com", "인증서 이름 (CN 과 subjectAltName), 예: kube-book.com")
	flagSAN           = i18n.M("flag.san", "more names or IPs for the certificate", "인증서에 넣을 추가 이름 또는 IP")
	flagDays          = i18n.M("flag.days", "days the certificate is valid", "인증서 유효 기간(일)")
	flagCertDir       = i18n.M("flag.cert-dir", "directory for tls.key and tls.crt", "tls.key 와 tls.crt 를 쓸 디렉터리")
	flagLabs          = i18n.M("flag.labs", "load chapters from this directory instead of the built-in ones (an instructor's own labs)", "내장 챕터 대신 이 디렉터리의 챕터를 씀 (강사가 만든 실습)")
	flagStep          = i18n.M("flag.step", "step id or number (comma separated for several)", "단계 id 또는 번호 (여러 개면 쉼표로 구분)")
	flagApplyFile     = i18n.M("flag.apply-file", "apply your own manifest files instead (also labctl's own kinds, e.g. ch15's KubeletConfig)", "대신 내 매니페스트 파일을 적용 (labctl 만 아는 종류도: 예를 들어 ch15 의 KubeletConfig)")
	flagApplySolution = i18n.M("flag.apply-solution", "apply the answer instead of the starter (the step counts as solved with help)", "시작 매니페스트 대신 정답을 적용 (도움받아 해결로 기록)")
	flagForce         = i18n.M("flag.force", "delete and re-create objects whose fields cannot change in place", "그 자리에서 바꿀 수 없는 필드가 있으면 지우고 다시 만듦")
	flagApplyWait     = i18n.M("flag.apply-wait", "how long to wait for the objects", "오브젝트를 기다리는 최대 시간")
	flagCheckTimeout  = i18n.M("flag.check-timeout", "deadline for every check (default: each check's own, 60s)", "모든 확인의 제한 시간 (기본값: 확인마다 정한 값, 60초)")
	flagHintNumber    = i18n.M("flag.hint-number", "which hint to show", "몇 번째 힌트를 볼지")
	flagRaw           = i18n.M("flag.raw", "print the markdown as it is", "마크다운을 그대로 출력")
	flagManifestsDir  = i18n.M("flag.manifests-dir", "directory to write into (default: the chapter id)", "파일을 쓸 디렉터리 (기본값: 챕터 id)")
	flagWithSolution  = i18n.M("flag.with-solution", "also write the solution files (spoilers!)", "정답 파일도 씀 (스포일러 주의!)")
	flagManDir        = i18n.M("flag.man-dir", "directory for the man pages", "man 페이지를 쓸 디렉터리")
	flagBundle        = i18n.M("flag.bundle", "archive to write", "저장할 아카이브 파일")
)

// Output.
var (
	msgUsage            = i18n.M("cli.usage", "invalid usage: %s", "잘못된 사용: %s")
	msgWantOneOf        = i18n.M("cli.want", "want %s", "%s 중 하나여야 합니다")
	msgSamePorts        = i18n.M("cli.same-ports", "--http-port and --https-port are both %d", "--http-port 와 --https-port 가 둘 다 %d 입니다")
	msgUpExternal       = i18n.M("cli.up-external", "up, start, stop and down work on labctl's own kind cluster (--name); --kubeconfig and --context select another cluster, for chapters and checks", "up, start, stop, down 은 labctl 이 만든 kind 클러스터(--name)에만 씁니다. --kubeconfig 와 --context 는 챕터와 확인에 쓸 다른 클러스터를 고를 때 씁니다")
	msgNoProfile        = i18n.M("cli.no-profile", "LABCTL_CPUPROFILE: %v (no profile written)", "LABCTL_CPUPROFILE: %v (프로파일을 쓰지 않았습니다)")
	msgSeeHelp          = i18n.M("cli.see-help", "see %s --help", "%s --help 를 참고하세요")
	msgUpReady          = i18n.M("up.ready", "✓ lab cluster %q is ready", "✓ 실습 클러스터 %q 가 준비되었습니다")
	msgUpNext           = i18n.M("up.next", "next: labctl   (lessons and checks), labctl status, labctl check ch07", "다음: labctl   (실습과 확인), labctl status, labctl check ch07")
	msgTLSWritten       = i18n.M("tls.written", "wrote %s and %s (RSA 2048, CN=%s, %d days). Next:", "%s 와 %s 를 만들었습니다 (RSA 2048, CN=%s, %d 일). 다음:")
	msgNoChapter        = i18n.M("labs.no-chapter", "no chapter %q; chapters", "%q 챕터가 없습니다. 챕터 목록")
	msgNoStep           = i18n.M("labs.no-step", "no step %[1]q in %[2]s; steps", "%[2]s 에 %[1]q 단계가 없습니다. 단계 목록")
	msgApplied          = i18n.M("apply.done", "✓ %s: solution applied and running (progress: solved with help)", "✓ %s: 정답을 적용했고 실행 중입니다 (진행 기록: 도움받아 해결)")
	msgReset            = i18n.M("reset.done", "✓ %s: deleted %d objects and forgot its progress", "✓ %s: 오브젝트 %d 개를 지우고 진행 기록을 지웠습니다")
	msgNoHints          = i18n.M("hint.none", "this step has no hints", "이 단계에는 힌트가 없습니다")
	msgHintLabel        = i18n.M("hint.label", "hint", "힌트")
	msgMoreHints        = i18n.M("hint.more", "next: labctl hint %s --step %s -n %d", "다음 힌트: labctl hint %s --step %s -n %d")
	msgManifestsWritten = i18n.M("manifests.written", "wrote %[1]d files under %[2]s", "%[2]s 아래에 파일 %[1]d 개를 썼습니다")
	msgManifestKept     = i18n.M("manifests.kept", "kept your %s (not overwritten)", "이미 있는 %s 는 덮어쓰지 않았습니다")
	msgEnvMissing       = i18n.M("env.missing", "%s does not exist yet: run labctl up", "%s 가 아직 없습니다: labctl up 을 실행하세요")
	msgStCluster        = i18n.M("status.cluster", "cluster", "클러스터")
	msgStVersion        = i18n.M("status.version", "Kubernetes", "쿠버네티스")
	msgStNodesHeader    = i18n.M("status.nodes", "NODE\tROLE\tVERSION\tINTERNAL-IP", "노드\t역할\t버전\t내부 IP")
	msgStAddonsHeader   = i18n.M("status.addons", "ADD-ON\tVERSION\tSTATE", "애드온\t버전\t상태")
	msgStNotInstalled   = i18n.M("status.not-installed", "not installed", "설치 안 됨")
	msgStHealthy        = i18n.M("status.healthy", "healthy", "정상")
	msgStOutside        = i18n.M("status.outside", "outside server (ch15):", "바깥 서버 (ch15):")
	msgStPodLimit       = i18n.M("status.pod-limit", "pod limit (ch15):", "파드 수 제한 (ch15):")
	msgStPodLimitOf     = i18n.M("status.pod-limit-of", "node %s allows %d pods (kubelet maxPods; tainted %s, only pods that tolerate it land there)", "노드 %s 는 파드 %d 개까지 받습니다 (kubelet maxPods, taint %s: 이를 허용하는 파드만 놓입니다)")
	msgStPool           = i18n.M("status.pool", "LoadBalancer pool:", "LoadBalancer 주소 풀:")
	msgStClass          = i18n.M("status.class", "default IngressClass:", "기본 IngressClass:")
	msgStIngressURL     = i18n.M("status.ingress-url", "ingress from this computer:", "이 컴퓨터에서 인그레스 접속:")
	msgStGatewayHeader  = i18n.M("status.gateway", "GATEWAY API %s\tSTATE", "GATEWAY API %s\t상태")
	msgStAccepted       = i18n.M("status.gateway.accepted", "Accepted", "Accepted (수락됨)")
	msgStProgrammed     = i18n.M("status.gateway.programmed", "Programmed, address %s", "Programmed, 주소 %s")
	msgStNginxRetired   = i18n.M("status.nginx-retired",
		"ingress-nginx %s is retired upstream (no security fixes) and has no Gateway API: labctl up --ingress traefik switches to the default",
		"ingress-nginx %s 는 공식 은퇴했고 (보안 수정 없음) Gateway API 가 없습니다: labctl up --ingress traefik 으로 기본 컨트롤러로 바꾸세요")
	msgWithHelp           = i18n.M("chapters.with-help", "(%d solved with help)", "(%d 개 도움받아 해결)")
	msgPrerequisite       = i18n.M("apply.prerequisite", "↳ %s (applied for you: the solution of step %s, which this step builds on)", "↳ %s (대신 적용함: 이 단계가 기대는 단계 %s 의 정답)")
	msgStarterApplied     = i18n.M("apply.starter", "✓ %s/%s: starter applied (it is meant to fail its checks until you do the task)", "✓ %s/%s: 시작 매니페스트를 적용했습니다 (과제를 하기 전까지는 확인에 실패하는 것이 정상입니다)")
	msgStarterNext        = i18n.M("apply.starter.next", "next: do the TODO in the manifest (labctl manifests %[1]s), apply your version, then: labctl check %[1]s --step %[2]s", "다음: 매니페스트의 TODO 를 하고(labctl manifests %[1]s) 고친 것을 적용한 뒤: labctl check %[1]s --step %[2]s")
	msgStarterNotApplied  = i18n.M("apply.starter.failed", "the starter of %s/%s was not applied", "%s/%s 의 시작 매니페스트가 적용되지 않았습니다")
	msgStartersNotApplied = i18n.M("apply.starters.failed", "%s: the starters of %s were not applied", "%s: %s 단계의 시작 매니페스트가 적용되지 않았습니다")
	fixStarterNotApplied  = i18n.M("apply.starter.failed.fix", "some starters are rejected on purpose (the step's task is to fix what the API server refuses): read the step and the TODO comment", "일부 시작 매니페스트는 일부러 거절됩니다(API 서버가 거절하는 것을 고치는 것이 과제입니다): 단계 설명과 TODO 주석을 읽으세요")
	msgHintOneStep        = i18n.M("hint.one-step", "hints are for one step at a time", "힌트는 한 번에 한 단계씩 봅니다")
	msgBadLangEnv         = i18n.M("cli.bad-lang-env", "LABCTL_LANG=%q: want ko or en", "LABCTL_LANG=%q: ko 또는 en 이어야 합니다")
	msgStContainersHeader = i18n.M("status.containers", "NODE\tROLE\tCONTAINER", "노드\t역할\t컨테이너")
	msgStMemory           = i18n.M("status.memory", "memory in use:", "사용 중인 메모리:")
	msgStStopHint         = i18n.M("status.stop-hint", "%s gives it back between classes", "수업 사이에는 %s 로 돌려줄 수 있습니다")
	msgStStopped          = i18n.M("status.stopped", "the lab is %s: its API server cannot be asked until it runs again", "실습 클러스터가 %s 상태입니다: 다시 실행되기 전에는 API 서버에 물을 수 없습니다")
	msgStStartIt          = i18n.M("status.start-it", "start it with: %s   (everything you made is kept)", "다음 명령으로 시작하세요: %s   (만들어 둔 것은 모두 그대로 있습니다)")
	msgStarted            = i18n.M("start.done", "✓ lab %q runs again; everything you made is where you left it", "✓ 실습 클러스터 %q 가 다시 실행 중입니다. 만들어 둔 것은 모두 그대로입니다")
)
