package apply

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

func obj(t *testing.T, s string) *unstructured.Unstructured {
	t.Helper()
	js, err := yaml.YAMLToJSON([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(js); err != nil {
		t.Fatal(err)
	}
	return u
}

func TestStatus(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in      string
		done    bool
		msg     string
		wantErr bool
	}{
		{"deployment rolled out", `
apiVersion: apps/v1
kind: Deployment
metadata: {name: d, generation: 2}
spec: {replicas: 3, selector: {matchLabels: {app: d}}}
status: {observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 3}`, true, "", false},
		{"deployment old generation", `
apiVersion: apps/v1
kind: Deployment
metadata: {name: d, generation: 3}
spec: {replicas: 3, selector: {matchLabels: {app: d}}}
status: {observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 3}`, false, "new spec", false},
		{"deployment surge", `
apiVersion: apps/v1
kind: Deployment
metadata: {name: d, generation: 1}
spec: {replicas: 2, selector: {matchLabels: {app: d}}}
status: {observedGeneration: 1, replicas: 3, updatedReplicas: 2, availableReplicas: 2}`, false, "old replicas", false},
		{"deployment unavailable", `
apiVersion: apps/v1
kind: Deployment
metadata: {name: d, generation: 1}
spec: {replicas: 2, selector: {matchLabels: {app: d}}}
status: {observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 1}`, false, "1 of 2 replicas available", false},
		{"daemonset nothing scheduled", `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: s, generation: 1}
spec: {selector: {matchLabels: {app: s}}}
status: {observedGeneration: 1, desiredNumberScheduled: 0}`, false, "no pods", false},
		{"daemonset ready", `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: s, generation: 1}
spec: {selector: {matchLabels: {app: s}}}
status: {observedGeneration: 1, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3}`, true, "", false},
		{"daemonset whose nodeSelector picks no node yet", `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: s, generation: 1}
spec: {selector: {matchLabels: {app: s}}, template: {spec: {nodeSelector: {disk: ssd}}}}
status: {observedGeneration: 1, desiredNumberScheduled: 0}`, true, "", false},
		{"job complete", `
apiVersion: batch/v1
kind: Job
metadata: {name: j}
spec: {selector: {matchLabels: {a: b}}}
status: {succeeded: 1, conditions: [{type: Complete, status: "True"}]}`, true, "", false},
		{"job failed", `
apiVersion: batch/v1
kind: Job
metadata: {name: j}
spec: {selector: {matchLabels: {a: b}}}
status: {failed: 6, conditions: [{type: Failed, status: "True", message: "BackoffLimitExceeded"}]}`, false, "", true},
		{"job failed on purpose (a lab's deadline)", `
apiVersion: batch/v1
kind: Job
metadata: {name: j, annotations: {labctl.io/expect: Failed}}
spec: {selector: {matchLabels: {a: b}}}
status: {failed: 1, conditions: [{type: Failed, status: "True", reason: DeadlineExceeded}]}`, true, "", false},
		{"pod ready", `
apiVersion: v1
kind: Pod
metadata: {name: p}
status: {phase: Running, conditions: [{type: Ready, status: "True"}]}`, true, "", false},
		{"pod pending", `
apiVersion: v1
kind: Pod
metadata: {name: p}
status: {phase: Pending}`, false, "pod pending", false},
		{"configmap needs no wait", `
apiVersion: v1
kind: ConfigMap
metadata: {name: c}`, true, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			done, msg, _, err := Status(obj(t, tc.in))
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v", err)
			}
			if done != tc.done || !strings.Contains(msg, tc.msg) {
				t.Errorf("done=%v msg=%q; want done=%v msg~%q", done, msg, tc.done, tc.msg)
			}
		})
	}
}
