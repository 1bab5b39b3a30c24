package session

import "github.com/labctl/labctl/i18n"

var (
	msgUpExternal = i18n.M("tui.up.external", "labctl creates kind clusters only; --kubeconfig/--context select a cluster made elsewhere", "labctl은 kind 클러스터만 만듭니다. --kubeconfig/--context로는 다른 곳에서 만든 클러스터를 고릅니다")
	msgNoLiveView = i18n.M("session.live.none", "this step has no live view", "이 단계에는 실시간 보기가 없습니다")
)
