package nodeshell

import "github.com/labctl/labctl/i18n"

var (
	msgNodeShell   = i18n.M("check.node-shell", "the shell in node %s failed", "노드 %s 의 셸이 실패했습니다")
	msgNodeTimeout = i18n.M("check.node-timeout", "a command in the node did not finish in %s", "노드 안의 명령이 %s 안에 끝나지 않았습니다")
)
