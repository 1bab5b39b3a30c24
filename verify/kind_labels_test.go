package verify

import (
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
)

// ch03's labelled pods: prod, dev, and one the student must label debug.
func labelledPods(debugLabels string) []runtime.Object {
	return []runtime.Object{
		pod("http-go-prod", "10.244.1.30", "lab-worker", "app=http-go,env=prod,creation_method=manual"),
		pod("http-go-dev", "10.244.1.31", "lab-worker", "app=http-go,env=dev"),
		pod("http-go-debug", "10.244.1.32", "lab-worker", debugLabels),
		pod("db", "10.244.1.33", "lab-worker", "app=db"),
	}
}

func TestLabelSelector(t *testing.T) {
	const in = `{selector: "env in (dev,debug)", select: [http-go-dev, http-go-debug]}`
	t.Run("set-based selects exactly the labelled pods", func(t *testing.T) {
		l := newLab(t, labelledPods("app=http-go,env=debug")...)
		expect(t, l.check("labelSelector", in), "pass", msgSelectorOK, "-l 'env in (dev,debug)' selects exactly http-go-debug, http-go-dev")
	})
	t.Run("a missing label is final and shows every pod's labels", func(t *testing.T) {
		l := newLab(t, labelledPods("app=http-go")...)
		expect(t, l.check("labelSelector", in), "fail (final)", msgSelectorWrong,
			"selects http-go-dev, want http-go-debug, http-go-dev", "labels of http-go-debug: app=http-go", "labels of http-go-prod: app=http-go,creation_method=manual,env=prod")
	})
	t.Run("equality", func(t *testing.T) {
		l := newLab(t, labelledPods("app=http-go,env=debug")...)
		expect(t, l.check("labelSelector", `{selector: "app=http-go,env=prod", select: [http-go-prod]}`), "pass", msgSelectorOK)
		expect(t, l.check("labelSelector", `{selector: "app=http-go", select: [http-go-prod]}`), "fail (final)", msgSelectorWrong,
			"selects http-go-debug, http-go-dev, http-go-prod, want http-go-prod")
	})
	t.Run("selecting nothing", func(t *testing.T) {
		l := newLab(t, labelledPods("app=http-go,env=debug")...)
		expect(t, l.check("labelSelector", `{selector: "app=http-go,!env"}`), "pass", msgSelectorOK, "selects exactly (none)")
		l2 := newLab(t, labelledPods("app=http-go")...)
		expect(t, l2.check("labelSelector", `{selector: "app=http-go,!env"}`), "fail (final)", msgSelectorWrong, "selects http-go-debug, want (none)")
	})
}

func TestPodAnnotation(t *testing.T) {
	const p = `{pod: http-go-prod, key: example.com/owner}`
	t.Run("annotated", func(t *testing.T) {
		objs := labelledPods("app=http-go")
		objs[0].(interface{ SetAnnotations(map[string]string) }).SetAnnotations(map[string]string{"example.com/owner": "team-a"})
		l := newLab(t, objs...)
		expect(t, l.check("podAnnotation", p), "pass", msgAnnotationOK, `example.com/owner="team-a"`)
		expect(t, l.check("podAnnotation", `{pod: http-go-prod, key: example.com/owner, value: team-b}`), "fail (final)", msgAnnotationWrng, `is "team-a", want "team-b"`)
	})
	t.Run("written as a label", func(t *testing.T) {
		l := newLab(t, pod("http-go-prod", "10.244.1.30", "lab-worker", "app=http-go,example.com/owner=team-a"))
		expect(t, l.check("podAnnotation", p), "fail (final)", msgAnnotationLbl, "as a label, not an annotation", "labels of http-go-prod: app=http-go,example.com/owner=team-a")
	})
	t.Run("another pod has it as a label", func(t *testing.T) {
		objs := labelledPods("app=http-go,example.com/owner=x")
		objs[0].(interface{ SetAnnotations(map[string]string) }).SetAnnotations(map[string]string{"example.com/owner": "team-a"})
		l := newLab(t, objs...)
		expect(t, l.check("podAnnotation", p), "fail (final)", msgAnnotationLbl, "default/http-go-debug has example.com/owner as a label")
	})
	t.Run("missing", func(t *testing.T) {
		l := newLab(t, labelledPods("app=http-go")...)
		expect(t, l.check("podAnnotation", p), "fail (final)", msgAnnotationNone, "no annotation example.com/owner")
		expect(t, l.check("podAnnotation", `{pod: nope, key: k}`), "fail (final)", msgPodMissingOthers, "default/nope does not exist")
	})
}
