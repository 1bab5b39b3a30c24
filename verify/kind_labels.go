package verify

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// labelSelector proves a label selector, equality- or set-based, selects
// exactly the named pods: the API server does the selecting, as it does
// for kubectl get pods -l.
type labelSelector struct {
	Namespace string   `yaml:"namespace"`
	Selector  string   `yaml:"selector"`
	Select    []string `yaml:"select"`
}

// podAnnotation proves a Pod carries an annotation (information for people
// and tools) and that nothing can select by it.
type podAnnotation struct {
	Pod       string `yaml:"pod"`
	Namespace string `yaml:"namespace"`
	Key       string `yaml:"key"`
	Value     string `yaml:"value"`
}

func init() {
	register("labelSelector", func(p labelSelector) (Checker, error) {
		if p.Selector == "" {
			return nil, errors.New("params.selector is required")
		}
		sel, err := labels.Parse(p.Selector)
		if err != nil {
			return nil, fmt.Errorf("params.selector %q: %w", p.Selector, err)
		}
		if sel.Empty() {
			return nil, fmt.Errorf("params.selector %q selects everything", p.Selector)
		}
		if p.Select == nil {
			p.Select = []string{}
		}
		sort.Strings(p.Select)
		return p, nil
	})
	register("podAnnotation", func(p podAnnotation) (Checker, error) {
		if p.Pod == "" || p.Key == "" {
			return nil, errors.New("params.pod and params.key are required")
		}
		return p, nil
	})
}

func (p labelSelector) Check(ctx context.Context, env *Env) Outcome {
	ns := env.ns(p.Namespace)
	got, err := env.Client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: p.Selector})
	if err != nil {
		return Errored(err)
	}
	var names []string
	for _, pod := range got.Items {
		names = append(names, pod.Name)
	}
	sort.Strings(names)
	if strings.Join(names, ",") == strings.Join(p.Select, ",") {
		return Passed(msgSelectorOK, p.Selector, env.list(names))
	}
	// labels change only when someone changes them: no use waiting
	return Missing(msgSelectorWrong, p.Selector, env.list(names), env.list(p.Select)).With(podLabelsEvidence(ctx, env, ns)...)
}

// podLabelsEvidence is every pod's labels in the namespace (at most ten).
func podLabelsEvidence(ctx context.Context, env *Env, ns string) []string {
	pods, err := env.Client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil
	}
	var ev []string
	for _, pod := range pods.Items {
		ev = append(ev, env.t(evPodLabels, pod.Name, showLabels(env, pod.Labels)))
	}
	sort.Strings(ev)
	if len(ev) > 10 {
		ev = ev[:10]
	}
	return ev
}

// showLabels writes labels as kubectl get --show-labels does.
func showLabels(env *Env, m map[string]string) string {
	if len(m) == 0 {
		return env.t(evNone)
	}
	var out []string
	for _, k := range sortedKeys(m) {
		out = append(out, k+"="+m[k])
	}
	return strings.Join(out, ",")
}

func (p podAnnotation) Check(ctx context.Context, env *Env) Outcome {
	ns := env.ns(p.Namespace)
	pod, err := env.Client.CoreV1().Pods(ns).Get(ctx, p.Pod, metav1.GetOptions{})
	if err != nil {
		o := podMissing(ctx, env, ns, p.Pod)
		if !isNotFound(err) {
			o = Errored(err)
		}
		return o
	}
	ref := pod.Namespace + "/" + pod.Name
	// the same key as a label is the likely mistake: say so first
	if _, asLabel := pod.Labels[p.Key]; asLabel {
		return Missing(msgAnnotationLbl, ref, p.Key).With(env.t(evPodLabels, pod.Name, showLabels(env, pod.Labels)))
	}
	v, ok := pod.Annotations[p.Key]
	if !ok {
		return Missing(msgAnnotationNone, ref, p.Key)
	}
	if p.Value != "" && v != p.Value {
		return Missing(msgAnnotationWrng, ref, p.Key, v, p.Value)
	}
	// selecting by the key finds no pod: annotations are not labels
	if sel, err := labels.Parse(p.Key); err == nil {
		if found, err := env.Client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: sel.String()}); err == nil && len(found.Items) > 0 {
			return Missing(msgAnnotationLbl, ns+"/"+found.Items[0].Name, p.Key)
		}
	}
	return Passed(msgAnnotationOK, ref, p.Key, v)
}

func isNotFound(err error) bool { return apierrors.IsNotFound(err) }
