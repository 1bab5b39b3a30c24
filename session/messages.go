package session

import "github.com/labctl/labctl/i18n"

var (
	msgUpExternal = i18n.M("tui.up.external", "labctl creates kind clusters only; --kubeconfig/--context select a cluster made elsewhere", "labctl은 kind 클러스터만 만듭니다. --kubeconfig/--context로는 다른 곳에서 만든 클러스터를 고릅니다")
	msgNoLiveView = i18n.M("session.live.none", "this step has no live view", "이 단계에는 실시간 보기가 없습니다")

	// labctl's own kinds (labctl.dev/v1) in a solution or the student's file
	msgLocalMaxPods      = i18n.M("session.local.max-pods", "%s: %s needs spec.maxPods (a number)", "%s: %s 에는 spec.maxPods (숫자) 가 필요합니다")
	msgLocalNodeSelector = i18n.M("session.local.node-selector", "%s: %s needs spec.nodeSelector (labels of the nodes)", "%s: %s 에는 spec.nodeSelector (노드의 레이블) 가 필요합니다")
	msgLocalNoNode       = i18n.M("session.local.no-node", "%s: no node has the labels %s", "%s: 레이블 %s 를 가진 노드가 없습니다")
	msgLocalFacts        = i18n.M("session.local.facts", "spec.facts %q: want docker-network, sandbox, egress or cni", "spec.facts %q: docker-network, sandbox, egress, cni 중 하나여야 합니다")
	msgLocalSelector     = i18n.M("session.local.selector", "%s: %s needs spec.selector (labels of the pods)", "%s: %s 에는 spec.selector (파드의 레이블) 가 필요합니다")
	msgLocalLabels       = i18n.M("session.local.labels", "%s: %s: action label needs spec.labels", "%s: %s: action label 에는 spec.labels 가 필요합니다")
	msgLocalAction       = i18n.M("session.local.action", "%s: %s: spec.action %q: want delete or label", "%s: %s: spec.action %q: delete 또는 label 이어야 합니다")
	msgLocalNoPod        = i18n.M("session.local.no-pod", "%s: no Ready pod in %s has the labels %s", "%[1]s: %[2]s 에 레이블 %[3]s 를 가진 Ready 파드가 없습니다")
	msgLocalActFailed    = i18n.M("session.local.act-failed", "%s: %s of pod %s failed", "%[1]s: 파드 %[3]s 의 %[2]s 에 실패했습니다")
	msgLocalUnknownKind  = i18n.M("session.local.unknown-kind", "%s: labctl knows no kind %s in %s (known: KubeletConfig, Answers, PodAction)", "%[1]s: labctl 은 %[3]s 의 %[2]s 종류를 모릅니다 (아는 종류: KubeletConfig, Answers, PodAction)")
)
