package apply

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"

	"github.com/labctl/labctl/i18n"
)

// FieldManager is the name labctl's server-side applies are recorded under.
const FieldManager = "labctl"

// Applier applies objects with server-side apply and waits for them.
type Applier struct {
	dyn    dynamic.Interface
	core   kubernetes.Interface
	mapper meta.ResettableRESTMapper
	// Poll is how often waits look again.
	Poll time.Duration
	// Namespace is used for namespaced objects that name none.
	Namespace string
	// Lang is the language of progress and errors.
	Lang i18n.Lang
	// Recreate deletes and re-creates an object whose change the API server
	// refuses as immutable (a Service's clusterIP, a Deployment's selector).
	Recreate bool
	// StopOnUnready ends a wait as soon as a pod's readiness probe keeps
	// failing past what the probe needs (and unreadyFloor), naming the
	// probe's failure, instead of waiting until the deadline: a student's
	// wrong probe port is an answer in seconds, not minutes. The add-ons,
	// whose pods may start slowly on a busy computer, are waited for.
	StopOnUnready bool
}

// New builds an Applier for a cluster.
func New(cfg *rest.Config) (*Applier, error) {
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	core, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	disc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, err
	}
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(disc))
	return NewWith(dyn, core, mapper), nil
}

// NewWith builds an Applier from its parts; tests pass fakes.
func NewWith(dyn dynamic.Interface, core kubernetes.Interface, mapper meta.ResettableRESTMapper) *Applier {
	return &Applier{dyn: dyn, core: core, mapper: mapper, Poll: 250 * time.Millisecond, Namespace: metav1.NamespaceDefault}
}

// resource finds the REST endpoint for o, refreshing discovery once when the
// kind is unknown (a CRD applied a moment ago).
func (a *Applier) resource(o Object) (dynamic.ResourceInterface, *meta.RESTMapping, error) {
	gvk := o.GroupVersionKind()
	m, err := a.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if meta.IsNoMatchError(err) {
		a.mapper.Reset()
		m, err = a.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	}
	if err != nil {
		if meta.IsNoMatchError(err) {
			return nil, nil, i18n.Errorf(msgUnknownKind, o.GetAPIVersion(), o.GetKind(), o.Where())
		}
		return nil, nil, err
	}
	if m.Scope.Name() == meta.RESTScopeNameRoot {
		return a.dyn.Resource(m.Resource), m, nil
	}
	if o.GetNamespace() == "" {
		o.SetNamespace(a.Namespace)
	}
	return a.dyn.Resource(m.Resource).Namespace(o.GetNamespace()), m, nil
}

// Apply server-side applies every object in order. Errors that mean "a webhook
// or an API the object needs is not serving yet" are retried until ctx ends;
// CRDs are waited for until Established, so their custom resources can follow
// in the same call.
//
// CRDs are not waited for one by one: an add-on ships several, and each takes
// a moment to be established. They are waited for together, just before the
// first object the cluster does not know yet (likely one of their kinds),
// and at the end.
func (a *Applier) Apply(ctx context.Context, objs []Object) error {
	var crds []Object
	settle := func() error {
		for _, c := range crds {
			if err := a.waitEstablished(ctx, c); err != nil {
				return err
			}
		}
		if len(crds) > 0 {
			a.mapper.Reset()
		}
		crds = nil
		return nil
	}
	for _, o := range objs {
		if len(crds) > 0 && !a.known(o) {
			if err := settle(); err != nil {
				return err
			}
		}
		if err := a.applyOne(ctx, o); err != nil {
			return err
		}
		if o.GetKind() == "CustomResourceDefinition" {
			crds = append(crds, o)
		}
	}
	return settle()
}

// known reports whether the mapper already knows o's kind (without a refresh).
func (a *Applier) known(o Object) bool {
	gvk := o.GroupVersionKind()
	_, err := a.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	return err == nil
}

func (a *Applier) applyOne(ctx context.Context, o Object) error {
	recreated := false
	for {
		err := a.tryApply(ctx, o)
		if err == nil {
			return nil
		}
		if apierrors.IsInvalid(err) && a.existsQuietly(ctx, o) {
			// The object in the cluster differs in a way the API server will
			// not merge: a field fixed at creation (a Service's clusterIP), or
			// list entries another manager owns (a port changed with kubectl
			// edit stays beside the manifest's). Re-creating it is the fix,
			// but only when asked: it replaces what the student built.
			if !a.Recreate || recreated {
				return i18n.Errorf(msgImmutable, o.Ref(), o.Where()).Wrap(reason(err)).WithFix(fixImmutable)
			}
			recreated = true
			if err := a.Delete(ctx, []Object{o}); err != nil {
				return err
			}
			if err := a.WaitGone(ctx, []Object{o}); err != nil {
				return err
			}
			continue
		}
		if !Retryable(err) {
			return fmt.Errorf("apply %s from %s: %w", o.Ref(), o.Where(), reason(err))
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("apply %s from %s: %w (still failing when time ran out: %v)", o.Ref(), o.Where(), ctx.Err(), reason(err))
		case <-time.After(a.Poll):
		}
	}
}

func (a *Applier) tryApply(ctx context.Context, o Object) error {
	ri, _, err := a.resource(o)
	if err != nil {
		return err
	}
	obj := o.DeepCopy()
	unstructured.RemoveNestedField(obj.Object, "status")
	_, err = ri.Apply(ctx, o.GetName(), obj, metav1.ApplyOptions{FieldManager: FieldManager, Force: true})
	return err
}

func (a *Applier) waitEstablished(ctx context.Context, o Object) error {
	gvr := schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
	return poll(ctx, a.Poll, func() (bool, string, error) {
		u, err := a.dyn.Resource(gvr).Get(ctx, o.GetName(), metav1.GetOptions{})
		if err != nil {
			return false, err.Error(), nil
		}
		conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
		for _, c := range conds {
			m, _ := c.(map[string]any)
			if m["type"] == "Established" && m["status"] == "True" {
				return true, "", nil
			}
		}
		return false, "CRD not established yet", nil
	}, func(last string) error {
		return fmt.Errorf("wait for %s to be established: %s", o.Ref(), last)
	})
}

// Retryable reports errors that go away by themselves while add-ons start: a
// validating webhook whose pod is not serving yet, an aggregated API still
// registering, the API server briefly overloaded.
func Retryable(err error) bool {
	if err == nil {
		return false
	}
	if apierrors.IsServiceUnavailable(err) || apierrors.IsTooManyRequests(err) || apierrors.IsServerTimeout(err) || apierrors.IsTimeout(err) {
		return true
	}
	if apierrors.IsConflict(err) {
		return true
	}
	s := err.Error()
	for _, sub := range []string{
		"failed calling webhook",
		"no endpoints available for service",
		"connection refused",
		"connection reset by peer",
		"x509: certificate signed by unknown authority", // webhook CA not patched in yet
		"the server is currently unable to handle the request",
		"etcdserver: request timed out",
	} {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// reason strips the API machinery's wrapping down to what the server said.
func reason(err error) error {
	var st apierrors.APIStatus
	if errors.As(err, &st) {
		if msg := st.Status().Message; msg != "" {
			return errors.New(msg)
		}
	}
	return err
}

// Delete removes objects in reverse order (so a Namespace goes last), skipping
// those already gone and kinds the cluster no longer knows.
func (a *Applier) Delete(ctx context.Context, objs []Object) error {
	bg := metav1.DeletePropagationBackground
	for i := len(objs) - 1; i >= 0; i-- {
		o := objs[i]
		ri, _, err := a.resource(o)
		if err != nil {
			var le *i18n.Error
			if errors.As(err, &le) && le.Msg.ID == msgUnknownKind.ID {
				continue
			}
			return err
		}
		err = ri.Delete(ctx, o.GetName(), metav1.DeleteOptions{PropagationPolicy: &bg})
		if err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("delete %s: %w", o.Ref(), reason(err))
		}
	}
	return nil
}

// WaitGone waits until none of objs exists any more.
func (a *Applier) WaitGone(ctx context.Context, objs []Object) error {
	return poll(ctx, a.Poll, func() (bool, string, error) {
		for _, o := range objs {
			ri, _, err := a.resource(o)
			if err != nil {
				continue
			}
			if _, err := ri.Get(ctx, o.GetName(), metav1.GetOptions{}); err == nil {
				return false, o.Ref() + " still exists", nil
			}
		}
		return true, "", nil
	}, func(last string) error { return fmt.Errorf("wait for deletion: %s", last) })
}

func (a *Applier) existsQuietly(ctx context.Context, o Object) bool {
	ok, err := a.Exists(ctx, o)
	return ok && err == nil
}

// Exists reports whether the object is in the cluster.
func (a *Applier) Exists(ctx context.Context, o Object) (bool, error) {
	ri, _, err := a.resource(o)
	if err != nil {
		return false, err
	}
	_, err = ri.Get(ctx, o.GetName(), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return false, nil
	}
	return err == nil, err
}

// Until calls f every interval until it is done, fails, or ctx ends; on
// expiry, timeout turns f's last progress message into the error returned.
// A cancelled ctx (Ctrl-C) returns context.Canceled as it is.
func Until(ctx context.Context, interval time.Duration, f func() (bool, string, error), timeout func(last string) error) error {
	return poll(ctx, interval, f, timeout)
}

func poll(ctx context.Context, interval time.Duration, f func() (bool, string, error), timeout func(last string) error) error {
	last := ""
	for {
		done, msg, err := f()
		if err != nil {
			return err
		}
		if done {
			return nil
		}
		last = msg
		select {
		case <-ctx.Done():
			if ctx.Err() == context.Canceled {
				return ctx.Err()
			}
			return fmt.Errorf("%w: %w", timeout(last), ctx.Err())
		case <-time.After(interval):
		}
	}
}

// InPlace reports whether the object is in the cluster as o describes it:
// every field o sets has that value there (fields the API server or a
// controller added are ignored). Applying such an object changes nothing,
// yet still goes through the admission webhooks of its kind; a caller that
// knows a webhook is not serving yet (an add-on coming back after a
// restart) skips objects in place rather than wait for it.
func (a *Applier) InPlace(ctx context.Context, o Object) (bool, error) {
	ri, _, err := a.resource(o)
	if err != nil {
		return false, err
	}
	live, err := ri.Get(ctx, o.GetName(), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	for _, k := range []string{"spec", "data", "stringData"} {
		if want, ok := o.Object[k]; ok && !contains(live.Object[k], want) {
			return false, nil
		}
	}
	return contains(live.GetLabels(), o.GetLabels()) && contains(live.GetAnnotations(), o.GetAnnotations()), nil
}

// contains reports whether have holds every field of want with the same value.
func contains(have, want any) bool {
	switch w := want.(type) {
	case map[string]any:
		h, ok := have.(map[string]any)
		if !ok {
			return len(w) == 0 && have == nil
		}
		for k, v := range w {
			if !contains(h[k], v) {
				return false
			}
		}
		return true
	case map[string]string:
		if len(w) == 0 {
			return true
		}
		h, ok := have.(map[string]string)
		if !ok {
			return false
		}
		for k, v := range w {
			if h[k] != v {
				return false
			}
		}
		return true
	case []any:
		h, ok := have.([]any)
		if !ok || len(h) != len(w) {
			return false
		}
		for i := range w {
			if !contains(h[i], w[i]) {
				return false
			}
		}
		return true
	case int64, int, int32, float64:
		return toFloat(have) == toFloat(w) && toFloat(have) != nil
	default:
		return have == want
	}
}

func toFloat(v any) any {
	switch n := v.(type) {
	case int:
		return float64(n)
	case int32:
		return float64(n)
	case int64:
		return float64(n)
	case float64:
		return n
	}
	return nil
}
