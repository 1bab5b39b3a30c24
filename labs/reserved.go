package labs

import "github.com/labctl/labctl/apply"

// The worker labctl up keeps for ch15's pod limit: a low kubelet maxPods,
// and a label and NoSchedule taint with this key and value, so only pods
// that tolerate it (ch15's) land there. Chapters' manifests name them; the
// verifier leaves that worker out of "every node".
const (
	MaxPodsNodeKey   = apply.LowLimitTaint
	MaxPodsNodeValue = "ch15"
	// LowMaxPods is that worker's maxPods at up and after a reset.
	LowMaxPods = 8
)
