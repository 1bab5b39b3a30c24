package verify

import "github.com/labctl/labctl/i18n"

// Pods (ch03): a pod's state, what it answers, its containers' shared view,
// labels, annotations, and the student's own port-forward.
var (
	msgPodMissing       = i18n.M("check.pod.missing", "Pod %s does not exist", "Pod %s 가 없습니다")
	msgPodMissingOthers = i18n.M("check.pod.missing-others", "Pod %s does not exist (pods in namespace %s: %s)", "Pod %s 가 없습니다 (네임스페이스 %s 의 파드: %s)")
	msgPodDeleting      = i18n.M("check.pod.deleting", "Pod %s is being deleted", "Pod %s 가 삭제되는 중입니다")
	msgPodUnschedulable = i18n.M("check.pod.unschedulable", "Pod %s is Pending: the scheduler cannot place it (%s)", "Pod %s 가 Pending 입니다: 스케줄러가 놓을 노드를 찾지 못했습니다 (%s)")
	msgPodPending       = i18n.M("check.pod.pending", "Pod %s is %s: its containers have not started yet", "Pod %s 가 %s 상태입니다: 컨테이너가 아직 시작되지 않았습니다")
	msgPodImagePull     = i18n.M("check.pod.image", "container %[1]s of Pod %[2]s cannot get its image %[3]s (%[4]s): is the name right, and is the image in labctl's bundle (labctl images list)?",
		"Pod %[2]s 의 컨테이너 %[1]s 가 이미지 %[3]s 를 가져오지 못합니다 (%[4]s): 이름이 맞는지, labctl 번들에 있는 이미지인지(labctl images list) 확인하세요")
	msgPodConfigError = i18n.M("check.pod.config", "container %[1]s of Pod %[2]s cannot be created (%[3]s): %[4]s", "Pod %[2]s 의 컨테이너 %[1]s 를 만들 수 없습니다 (%[3]s): %[4]s")
	msgPodCrashLoop   = i18n.M("check.pod.crash", "container %[1]s of Pod %[2]s fails at start and is restarted again and again (CrashLoopBackOff, exit code %[3]d, %[4]d restarts): its last words are in kubectl logs %[5]s -c %[6]s --previous",
		"Pod %[2]s 의 컨테이너 %[1]s 가 시작하자마자 실패해 계속 다시 시작됩니다 (CrashLoopBackOff, 종료 코드 %[3]d, 재시작 %[4]d 번): 마지막 출력은 kubectl logs %[5]s -c %[6]s --previous 에 있습니다")
	msgPodExitedZero = i18n.M("check.pod.exited-zero", "container %[1]s of Pod %[2]s ends at once (exit code 0) and is restarted again and again (%[3]d restarts): a container must run a long-lived process; give it a command that keeps running",
		"Pod %[2]s 의 컨테이너 %[1]s 가 곧바로 끝나(종료 코드 0) 계속 다시 시작됩니다 (재시작 %[3]d 번): 컨테이너는 계속 도는 프로세스를 실행해야 합니다. 끝나지 않는 명령을 주세요")
	msgPodTerminated = i18n.M("check.pod.terminated", "container %[1]s of Pod %[2]s has ended (exit code %[3]d, %[4]s) and will not restart (restartPolicy %[5]s): kubectl logs %[6]s -c %[7]s",
		"Pod %[2]s 의 컨테이너 %[1]s 가 끝났고(종료 코드 %[3]d, %[4]s) 다시 시작되지 않습니다 (restartPolicy %[5]s): kubectl logs %[6]s -c %[7]s")
	msgPodEnded     = i18n.M("check.pod.ended", "Pod %s has ended (%s): %s", "Pod %s 가 끝났습니다 (%s): %s")
	msgPodNotReady  = i18n.M("check.pod.not-ready", "Pod %s is running but not Ready (%s)", "Pod %s 가 실행 중이지만 Ready 가 아닙니다 (%s)")
	msgPodRefused   = i18n.M("check.pod.refused", "Pod %[1]s is running, but nothing listens on port %[2]d of its IP %[3]s: on which port does the container's process listen? (containerPort is only information; the process's own arguments decide)", "Pod %[1]s 가 실행 중이지만 IP %[3]s 의 %[2]d 포트에서 아무것도 듣고 있지 않습니다: 컨테이너 프로세스가 어느 포트에서 듣나요? (containerPort 는 정보일 뿐이고, 프로세스의 인자가 포트를 정합니다)")
	msgPodNoAnswer  = i18n.M("check.pod.no-answer", "Pod %s does not answer on %s", "Pod %s 가 %s 에서 응답하지 않습니다")
	msgPodWrongBody = i18n.M("check.pod.wrong-body", "Pod %s answers on %s, but not with %q", "Pod %s 가 %s 에서 응답하지만 %q 가 없습니다")
	msgPodServes    = i18n.M("check.pod.serves", "Pod %s is Running and answers on %s: %q", "Pod %s 가 Running 이고 %s 에서 응답합니다: %q")
	msgPodNoIP      = i18n.M("check.pod.no-ip", "Pod %s has no IP yet", "Pod %s 에 아직 IP 가 없습니다")
	msgNoContainer  = i18n.M("check.pod.no-container", "Pod %s has no container %s (it has: %s)", "Pod %s 에 컨테이너 %s 가 없습니다 (있는 컨테이너: %s)")
	msgOneContainer = i18n.M("check.pod.one-container", "Pod %s has %d container(s): this step needs two in one Pod", "Pod %s 의 컨테이너가 %d 개입니다: 이 단계는 한 파드에 컨테이너 두 개가 필요합니다")
	msgNoHTTPClient = i18n.M("check.pod.no-client", "container %s has neither curl nor wget to send a request from: use an image that has one (agnhost and labctl.local/dnsutils do)", "컨테이너 %s 에 요청을 보낼 curl 도 wget 도 없습니다: 둘 중 하나가 있는 이미지를 쓰세요 (agnhost, labctl.local/dnsutils 에는 있습니다)")
	msgExecFailed   = i18n.M("check.pod.exec", "cannot run %[1]s in container %[2]s of Pod %[3]s", "Pod %[3]s 의 컨테이너 %[2]s 안에서 %[1]s 를 실행할 수 없습니다")
	msgNoExec       = i18n.M("check.pod.no-exec", "this check looks from inside a container and needs the cluster's exec API, which this run does not have", "이 확인은 컨테이너 안에서 보아야 해서 클러스터의 exec API 가 필요한데, 이번 실행에는 없습니다")
)

// Containers of one Pod.
var (
	msgLocalhostOK     = i18n.M("check.share.localhost", "from container %s, localhost:%d reaches container %s: one network namespace, one localhost (%q)", "컨테이너 %s 에서 localhost:%d 로 컨테이너 %s 에 닿습니다: 네트워크 네임스페이스도 localhost 도 하나입니다 (%q)")
	msgLocalhostFailed = i18n.M("check.share.localhost-failed", "from container %s, localhost:%d does not answer: does container %s listen on port %d?", "컨테이너 %s 에서 localhost:%d 가 응답하지 않습니다: 컨테이너 %s 가 %d 포트에서 듣고 있나요?")
	msgSameContainer   = i18n.M("check.share.same", "params: from and to name the same container %s", "params: from 과 to 가 같은 컨테이너 %s 입니다")
	msgHostnameSame    = i18n.M("check.share.hostname", "every container of Pod %s sees the hostname %s: they share one UTS namespace", "Pod %s 의 모든 컨테이너가 호스트 이름 %s 를 봅니다: UTS 네임스페이스를 함께 씁니다")
	msgHostnameDiffers = i18n.M("check.share.hostname-differs", "the containers of Pod %s see different hostnames: %s", "Pod %s 의 컨테이너들이 서로 다른 호스트 이름을 봅니다: %s")
	msgFilesApart      = i18n.M("check.share.files", "%s is in container %s's filesystem and not in %s: each container has its own filesystem, from its own image", "%s 는 컨테이너 %s 의 파일시스템에만 있고 %s 에는 없습니다: 컨테이너마다 자기 이미지로 만든 파일시스템을 따로 가집니다")
	msgFileMissing     = i18n.M("check.share.file-missing", "%s is not in container %s's filesystem: is %s the container whose image has it?", "%s 가 컨테이너 %s 의 파일시스템에 없습니다: 그 파일이 들어 있는 이미지를 쓰는 컨테이너가 %s 인가요?")
	msgFileShared      = i18n.M("check.share.file-shared", "%[1]s is seen by container %[2]s too: do the containers share a volume there? Without one, filesystems stay apart", "컨테이너 %[2]s 에서도 %[1]s 가 보입니다: 그 경로에 볼륨을 함께 마운트했나요? 볼륨이 없으면 파일시스템은 따로입니다")
	msgPodReachesPod   = i18n.M("check.share.cross-ns", "Pod %s reaches Pod %s by its IP %s (%q): a namespace does not isolate the network", "Pod %s 가 Pod %s 에 IP %s 로 닿습니다 (%q): 네임스페이스는 네트워크를 격리하지 않습니다")
	msgPodNoReach      = i18n.M("check.share.cross-ns-failed", "Pod %s does not reach Pod %s at %s: is the target serving on that port? (a NetworkPolicy could block it; a namespace alone does not)", "Pod %s 가 Pod %s 의 %s 에 닿지 않습니다: 대상이 그 포트에서 응답하나요? (NetworkPolicy 는 막을 수 있지만 네임스페이스만으로는 막히지 않습니다)")
)

// Labels, selectors and annotations.
var (
	msgSelectorOK     = i18n.M("check.labels.ok", "-l '%s' selects exactly %s", "-l '%s' 가 정확히 %s 를 고릅니다")
	msgSelectorWrong  = i18n.M("check.labels.wrong", "-l '%s' selects %s, want %s", "-l '%s' 가 %s 를 고릅니다. %s 여야 합니다")
	msgAnnotationOK   = i18n.M("check.ann.ok", "Pod %s carries the annotation %s=%q, and no pod can be selected by it", "Pod %s 에 어노테이션 %s=%q 가 있고, 그것으로는 어떤 파드도 고를 수 없습니다")
	msgAnnotationNone = i18n.M("check.ann.none", "Pod %s has no annotation %s", "Pod %s 에 어노테이션 %s 가 없습니다")
	msgAnnotationWrng = i18n.M("check.ann.wrong", "Pod %s's annotation %s is %q, want %q", "Pod %s 의 어노테이션 %s 가 %q 입니다. %q 여야 합니다")
	msgAnnotationLbl  = i18n.M("check.ann.label", "Pod %s has %s as a label, not an annotation: information that nothing selects by goes under metadata.annotations (kubectl annotate)", "Pod %s 에 %s 가 어노테이션이 아니라 레이블로 있습니다: 무엇도 그것으로 고르지 않는 정보는 metadata.annotations 에 둡니다 (kubectl annotate)")
	evPodLabels       = i18n.M("evidence.pod-labels", "labels of %s: %s", "%s 의 레이블: %s")
)

// The student's own port-forward.
var (
	msgForwardOK      = i18n.M("check.pf.ok", "localhost:%d on this computer reaches Pod %s (%q): your port-forward works", "이 컴퓨터의 localhost:%d 가 Pod %s 에 닿습니다 (%q): 포트 포워딩이 동작합니다")
	msgForwardNone    = i18n.M("check.pf.none", "nothing listens on localhost:%d on this computer: run kubectl port-forward -n %s pod/%s %d:%d in another terminal and leave it running", "이 컴퓨터의 localhost:%d 에서 아무것도 듣고 있지 않습니다: 다른 터미널에서 kubectl port-forward -n %s pod/%s %d:%d 를 실행해 두세요")
	msgForwardBroken  = i18n.M("check.pf.broken", "localhost:%d accepts connections but no HTTP answer comes back (%s): does the forward go to the port the pod listens on (%d)?", "localhost:%d 가 연결은 받지만 HTTP 응답이 오지 않습니다 (%s): 포워딩이 파드가 듣는 포트(%d)로 가나요?")
	msgForwardElsewhr = i18n.M("check.pf.elsewhere", "localhost:%d answers, but not as Pod %s: another program or another pod is behind that port (%q)", "localhost:%d 가 응답하지만 Pod %s 가 아닙니다: 그 포트 뒤에 다른 프로그램이나 다른 파드가 있습니다 (%q)")
	evDeclaredPorts   = i18n.M("evidence.container-ports", "containerPorts of %s: %s", "%s 의 containerPort: %s")
	evArgs            = i18n.M("evidence.container-args", "command of %s: %s", "%s 의 명령: %s")
	evLastLog         = i18n.M("evidence.last-log", "kubectl logs %s -c %s%s: %s", "kubectl logs %s -c %s%s: %s")
	evTermination     = i18n.M("evidence.termination", "last termination of %s: %s", "%s 의 마지막 종료: %s")
	evSeenFrom        = i18n.M("evidence.seen-from", "container %s: %s", "컨테이너 %s: %s")
)
