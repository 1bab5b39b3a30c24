package tui

import "github.com/labctl/labctl/i18n"

// The progress view (`labctl up` and the cluster screen).
var (
	msgCancelling = i18n.M("tui.cancelling",
		"cancelling: cleaning up (press Ctrl-C again to quit at once)",
		"취소 중: 정리하고 있습니다 (바로 끝내려면 Ctrl-C를 한 번 더 누르세요)")
)

// Keys, as the help screen and the bottom line name them.
var (
	msgKeyUp       = i18n.M("tui.key.up", "up", "위로")
	msgKeyDown     = i18n.M("tui.key.down", "down", "아래로")
	msgKeyPageUp   = i18n.M("tui.key.pageup", "page up", "이전 페이지")
	msgKeyPageDown = i18n.M("tui.key.pagedown", "page down", "다음 페이지")
	msgKeyTop      = i18n.M("tui.key.top", "top", "맨 위로")
	msgKeyBottom   = i18n.M("tui.key.bottom", "bottom", "맨 아래로")
	msgKeyOpen     = i18n.M("tui.key.open", "open", "열기")
	msgKeyBack     = i18n.M("tui.key.back", "back", "뒤로")
	msgKeyFocus    = i18n.M("tui.key.focus", "steps ⇄ lesson", "단계 ⇄ 설명")
	msgKeyNext     = i18n.M("tui.key.next", "next step", "다음 단계")
	msgKeyPrev     = i18n.M("tui.key.prev", "previous step", "이전 단계")
	msgKeyCluster  = i18n.M("tui.key.cluster", "create/start/repair cluster", "클러스터 만들기·시작·복구")
	msgKeyApply    = i18n.M("tui.key.apply", "apply solution", "정답 적용")
	msgKeyCheck    = i18n.M("tui.key.check", "check", "확인")
	msgKeyHint     = i18n.M("tui.key.hint", "hint", "힌트")
	msgKeyEdit     = i18n.M("tui.key.edit", "edit & apply", "고쳐서 적용")
	msgKeyReset    = i18n.M("tui.key.reset", "reset chapter", "챕터 초기화")
	msgKeySolution = i18n.M("tui.key.solution", "solution", "정답 보기")
	msgKeyLive     = i18n.M("tui.key.live", "live traffic", "실시간 트래픽")
	msgKeyYes      = i18n.M("tui.key.yes", "yes", "예")
	msgKeyNo       = i18n.M("tui.key.no", "no", "아니요")
	msgKeyCancel   = i18n.M("tui.key.cancel", "cancel", "취소")
	// The language key names the language it switches to, in that language.
	msgKeyLang = i18n.M("tui.key.lang", "한국어", "English")
	msgKeyHelp = i18n.M("tui.key.help", "help", "도움말")
	msgKeyQuit = i18n.M("tui.key.quit", "quit", "끝내기")
)

// Home.
var (
	msgAppTitle   = i18n.M("tui.title", "labctl · Kubernetes networking lab", "labctl · 쿠버네티스 네트워킹 실습")
	msgChapters   = i18n.M("tui.home.chapters", "Chapters", "챕터")
	msgLoading    = i18n.M("tui.home.loading", "loading the chapters…", "챕터를 읽는 중…")
	msgStepsDone  = i18n.M("tui.home.done", "%d/%d steps", "%d/%d 단계")
	msgNextStep   = i18n.M("tui.home.next", "next: step %d, %s", "다음: %d단계, %s")
	msgAllPassed  = i18n.M("tui.home.allpassed", "every step passed", "모든 단계를 통과했습니다")
	msgUpTitle    = i18n.M("tui.up.title", "Creating or repairing the lab cluster %s", "실습 클러스터 만들기·복구 중 (%s)")
	msgUpReady    = i18n.M("tui.up.ready", "cluster %s is ready: open a chapter and start", "클러스터 준비 완료 (%s). 챕터를 열고 시작하세요")
	msgUpFailed   = i18n.M("tui.up.failed", "the cluster could not be made ready", "클러스터를 준비하지 못했습니다")
	fixUpFailed   = i18n.M("tui.up.failed.fix", "labctl doctor says what this computer lacks; labctl up in a terminal shows every line", "labctl doctor가 이 컴퓨터에 부족한 것을 알려 줍니다. 터미널에서 labctl up을 실행하면 모든 줄을 볼 수 있습니다")
	msgUpExternal = i18n.M("tui.up.external", "labctl creates kind clusters only; --kubeconfig/--context select a cluster made elsewhere", "labctl은 kind 클러스터만 만듭니다. --kubeconfig/--context로는 다른 곳에서 만든 클러스터를 고릅니다")
)

// The status bar.
var (
	msgStChecking    = i18n.M("tui.status.checking", "cluster %s: checking…", "클러스터 %s: 확인 중…")
	msgStNone        = i18n.M("tui.status.none", "no cluster %s yet: press u to create it", "아직 클러스터(%s)가 없습니다. u를 눌러 만드세요")
	msgStCreating    = i18n.M("tui.status.creating", "cluster %s: creating… %s", "클러스터 %s: 만드는 중… %s")
	msgStReady       = i18n.M("tui.status.ready", "cluster %s ready · Kubernetes %s · %d nodes · ingress %s", "클러스터 %s 준비됨 · 쿠버네티스 %s · 노드 %d개 · 인그레스 %s")
	msgStUnhealthy   = i18n.M("tui.status.unhealthy", "cluster %s: %s (press u to repair)", "클러스터 %s: %s (u를 눌러 복구하세요)")
	msgStStopped     = i18n.M("tui.status.stopped", "cluster %s is %s: press u to start it (everything you made is kept)", "클러스터(%s)가 %s 상태입니다. u를 눌러 시작하세요 (만들어 둔 것은 그대로 있습니다)")
	msgStUnreachable = i18n.M("tui.status.unreachable", "cluster %s does not answer: %s", "클러스터(%s)가 응답하지 않습니다: %s")
	msgStNodes       = i18n.M("tui.status.nodes", "%d of %d nodes ready", "노드 %d/%d개 준비됨")
	msgStAddon       = i18n.M("tui.status.addon", "%s not healthy", "%s 상태 이상")
	msgStNoIngress   = i18n.M("tui.status.noingress", "none", "없음")
)

// A chapter.
var (
	msgSteps         = i18n.M("tui.chapter.steps", "Steps", "단계")
	msgLesson        = i18n.M("tui.chapter.lesson", "Lesson", "설명")
	msgRendering     = i18n.M("tui.chapter.rendering", "rendering…", "그리는 중…")
	msgStateNew      = i18n.M("tui.state.new", "not started", "시작 전")
	msgStatePassed   = i18n.M("tui.state.passed", "passed", "통과")
	msgStateFailed   = i18n.M("tui.state.failed", "failed", "실패")
	msgConfirmReset  = i18n.M("tui.confirm.reset", "Reset chapter %s? Its objects and progress are deleted.", "%s 챕터를 초기화할까요? 오브젝트와 진행 상황을 지웁니다.")
	msgResetting     = i18n.M("tui.reset.running", "resetting chapter %s…", "%s 챕터를 초기화하는 중…")
	msgResetDone     = i18n.M("tui.reset.done", "chapter %s reset; objects deleted: %d", "%s 챕터 초기화: 오브젝트 %d개를 지웠습니다")
	msgCancelled     = i18n.M("tui.op.cancelled", "cancelled", "취소했습니다")
	msgYesNo         = i18n.M("tui.confirm.yesno", "(y/n)", "(y/n)")
	msgBusyCancelKey = i18n.M("tui.op.busy", "working… esc or Ctrl-C cancels", "작업 중… esc나 Ctrl-C로 취소합니다")
)

// A step.
var (
	msgStepOf           = i18n.M("tui.step.of", "step %d/%d", "%d/%d 단계")
	msgSecChecks        = i18n.M("tui.step.checks", "Checks", "확인")
	msgSecApply         = i18n.M("tui.step.apply", "Applying the solution", "정답 적용")
	msgSecApplyEdited   = i18n.M("tui.step.applyedited", "Applying your manifest", "고친 매니페스트 적용")
	msgSecHints         = i18n.M("tui.step.hints", "Hints %d/%d", "힌트 %d/%d")
	msgSecManifest      = i18n.M("tui.step.manifest", "Manifest", "매니페스트")
	msgSecSolution      = i18n.M("tui.step.solution", "Solution", "정답")
	msgSecLive          = i18n.M("tui.step.live", "Live traffic", "실시간 트래픽")
	msgStepIntro        = i18n.M("tui.step.intro", "Do the step with kubectl, or press e to edit the manifest here; then press c to check.", "kubectl로 직접 하거나 e를 눌러 여기서 매니페스트를 고치세요. 그다음 c를 눌러 확인합니다.")
	msgStepPassed       = i18n.M("tui.step.passed", "Step passed. Press n for the next step.", "단계를 통과했습니다. n을 누르면 다음 단계로 갑니다.")
	msgStepLastPassed   = i18n.M("tui.step.lastpassed", "Step passed: that was the chapter's last step.", "단계를 통과했습니다. 이 챕터의 마지막 단계였습니다.")
	msgChecksSummary    = i18n.M("tui.step.summary", "%d of %d checks passed in %s", "확인 %d/%d개 통과 (%s)")
	msgHintLabel        = i18n.M("tui.step.hint", "hint", "힌트")
	msgNoHints          = i18n.M("tui.step.nohints", "this step has no hints", "이 단계에는 힌트가 없습니다")
	msgNoMoreHints      = i18n.M("tui.step.nomorehints", "no more hints: every hint is shown below", "힌트를 모두 보았습니다 (아래에 있습니다)")
	msgWaitWorkloads    = i18n.M("tui.apply.wait", "waiting for the workloads to be ready…", "워크로드가 준비되기를 기다리는 중…")
	msgApplied          = i18n.M("tui.apply.done", "objects applied: %d (%s)", "적용한 오브젝트: %d개 (%s)")
	msgApplyFailed      = i18n.M("tui.apply.failed", "apply failed", "적용하지 못했습니다")
	msgConfirmSolution  = i18n.M("tui.confirm.solution", "Show the solution before passing?", "통과하기 전에 정답을 볼까요?")
	msgSolutionIsGiven  = i18n.M("tui.step.solutiongiven", "The solution is the manifest above, applied as it is.", "정답은 위의 매니페스트를 그대로 적용하는 것입니다.")
	msgNoManifest       = i18n.M("tui.edit.nomanifest", "this step gives no manifest to edit: write your own with kubectl", "이 단계에는 고칠 매니페스트가 없습니다. kubectl로 직접 만들어 보세요")
	msgEditorFailed     = i18n.M("tui.edit.failed", "the editor %s did not finish cleanly; nothing was applied", "편집기(%s)가 정상적으로 끝나지 않아 아무것도 적용하지 않았습니다")
	msgEditBadYAML      = i18n.M("tui.edit.badyaml", "your manifest has a mistake at line %d: %v", "매니페스트 %d번째 줄에 잘못된 곳이 있습니다: %v")
	msgEditEmpty        = i18n.M("tui.edit.empty", "your manifest has no objects; nothing was applied", "매니페스트에 오브젝트가 없어 아무것도 적용하지 않았습니다")
	msgEditHeader       = i18n.M("tui.edit.header", "# labctl %s, step %s: edit this copy, save and quit the editor; labctl applies it.", "# labctl %s, %s 단계: 이 사본을 고치고 저장한 뒤 편집기를 닫으면 labctl이 적용합니다.")
	msgEditKept         = i18n.M("tui.edit.kept", "your copy is %s: press e to edit it again", "고친 사본: %s (e를 누르면 다시 고칩니다)")
	msgLiveStarting     = i18n.M("tui.live.starting", "starting the proxy…", "프록시를 시작하는 중…")
	msgLiveHeader       = i18n.M("tui.live.header", "connections per backend", "백엔드별 연결 수")
	msgLiveNoTraffic    = i18n.M("tui.live.notraffic", "no connections yet", "아직 연결이 없습니다")
	msgLiveGone         = i18n.M("tui.live.gone", "left the Service", "Service에서 빠짐")
	msgLiveNotAvailable = i18n.M("tui.live.none", "this step has no live view", "이 단계에는 실시간 보기가 없습니다")
)

// The error and help screens.
var (
	msgNeedTerminal = i18n.M("tui.needterminal", "labctl without a command opens the interactive lab, which needs a terminal", "명령 없이 실행한 labctl은 대화형 실습을 여는데, 여기에는 터미널이 필요합니다")
	fixNeedTerminal = i18n.M("tui.needterminal.fix", "run it in a terminal, or use the commands (labctl --help) in scripts", "터미널에서 실행하거나, 스크립트에서는 명령을 쓰세요 (labctl --help)")
	msgErrTitle     = i18n.M("tui.error.title", "Something went wrong", "문제가 생겼습니다")
	msgErrLeave     = i18n.M("tui.error.leave", "Press esc to go back.", "esc를 누르면 돌아갑니다.")
	msgHelpTitle    = i18n.M("tui.help.title", "Keys", "단축키")
	msgHelpScreen   = i18n.M("tui.help.screen", "On this screen", "이 화면에서")
	msgHelpMove     = i18n.M("tui.help.move", "Moving and scrolling", "이동과 스크롤")
	msgHelpGlobal   = i18n.M("tui.help.global", "Everywhere", "어디서나")
	msgHelpCancel   = i18n.M("tui.help.cancelnote", "While something runs, esc or Ctrl-C cancels it; a second Ctrl-C quits.", "작업이 진행되는 동안 esc나 Ctrl-C를 누르면 작업을 취소하고, Ctrl-C를 한 번 더 누르면 끝냅니다.")
)
