package cluster

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/labctl/labctl/apply"
	"github.com/labctl/labctl/cluster/addons"
	"github.com/labctl/labctl/i18n"
)

// ingressAddon returns the add-on for an ingress choice (false for none).
func ingressAddon(i Ingress) (addons.Addon, bool) {
	switch i {
	case IngressNginx:
		return addons.Nginx, true
	case IngressTraefik:
		return addons.Traefik, true
	}
	return addons.Addon{}, false
}

// kindNetwork is the runtime network kind puts nodes on.
func kindNetwork() string {
	if n := os.Getenv("KIND_EXPERIMENTAL_DOCKER_NETWORK"); n != "" {
		return n
	}
	return "kind"
}

const (
	poolName = "labctl-pool"
	l2Name   = "labctl-l2"
)

func poolObjects(p addrPool) []apply.Object {
	mk := func(kind, name string, spec map[string]any) apply.Object {
		u := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "metallb.io/v1beta1",
			"kind":       kind,
			"metadata":   map[string]any{"name": name, "namespace": addons.MetalLB.Namespace},
			"spec":       spec,
		}}
		return apply.Object{Unstructured: u, Source: "labctl", Line: 1}
	}
	return []apply.Object{
		mk("IPAddressPool", poolName, map[string]any{"addresses": []any{p.String()}}),
		mk("L2Advertisement", l2Name, map[string]any{"ipAddressPools": []any{poolName}}),
	}
}

// chooseIngress decides the controller: the one named with --ingress, or on
// an existing cluster the one it already runs.
func chooseIngress(ctx context.Context, lab *Lab, o Options) (Ingress, error) {
	if o.IngressExplicit {
		return o.Ingress, nil
	}
	installed, err := installedIngress(ctx, lab)
	if err != nil {
		return "", err
	}
	if len(installed) == 1 {
		return installed[0], nil
	}
	if o.StartOnly && len(installed) == 0 {
		return IngressNone, nil
	}
	return o.Ingress, nil
}

// getWorkload reads an add-on's workload, "Deployment/name" or
// "DaemonSet/name" in ns: an *appsv1.Deployment or an *appsv1.DaemonSet.
func getWorkload(ctx context.Context, lab *Lab, ns, w string) (any, error) {
	kind, name, _ := strings.Cut(w, "/")
	switch kind {
	case "Deployment":
		return lab.Client.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
	case "DaemonSet":
		return lab.Client.AppsV1().DaemonSets(ns).Get(ctx, name, metav1.GetOptions{})
	}
	return nil, fmt.Errorf("%s: not a Deployment or a DaemonSet", w)
}

// installedIngress lists the ingress controllers labctl installed, by their namespaces.
func installedIngress(ctx context.Context, lab *Lab) ([]Ingress, error) {
	var out []Ingress
	for _, i := range []Ingress{IngressNginx, IngressTraefik} {
		a, _ := ingressAddon(i)
		_, err := lab.Client.CoreV1().Namespaces().Get(ctx, a.Namespace, metav1.GetOptions{})
		switch {
		case err == nil:
			out = append(out, i)
		case !apierrors.IsNotFound(err):
			return nil, err
		}
	}
	return out, nil
}

// uninstallOtherIngress removes the controller labctl installed that is not
// the one wanted (both want host ports 80/443 and the default IngressClass).
func uninstallOtherIngress(ctx context.Context, lab *Lab, want Ingress, deadline time.Duration, env Env) error {
	installed, err := installedIngress(ctx, lab)
	if err != nil {
		return err
	}
	for _, i := range installed {
		if i == want {
			continue
		}
		other, _ := ingressAddon(i)
		if err := env.step(stepUninstall.F(env.Lang, other.Name), func() error {
			a, err := lab.Applier()
			if err != nil {
				return err
			}
			a.Lang = env.Lang
			objs, err := other.Objects()
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(ctx, deadline)
			defer cancel()
			if err := a.Delete(ctx, objs); err != nil {
				return err
			}
			return a.WaitGone(ctx, objs)
		}); err != nil {
			return err
		}
	}
	return nil
}

// installAddon applies an add-on's manifest, waits for its workloads, then
// applies then: objects that need the add-on running (MetalLB's address
// pool, accepted only once its webhook serves; the apply retries until it
// does).
func installAddon(ctx context.Context, lab *Lab, addon addons.Addon, deadline time.Duration, lang i18n.Lang, then ...apply.Object) error {
	ctx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
	a, err := lab.Applier()
	if err != nil {
		return err
	}
	a.Lang = lang
	objs, err := addon.Objects()
	if err != nil {
		return err
	}
	quickenReadiness(objs)
	if err := a.Apply(ctx, objs); err != nil {
		return err
	}
	if err := a.Wait(ctx, objs); err != nil {
		return err
	}
	// On a lab that runs again after a stop, the pool is there as it was:
	// applying it anyway would wait for MetalLB's webhook to serve again.
	var missing []apply.Object
	for _, o := range then {
		if ok, err := a.InPlace(ctx, o); err != nil || !ok {
			missing = append(missing, o)
		}
	}
	return a.Apply(ctx, missing)
}

// workloadHealth reads an add-on's workloads: healthy, and what is wrong if not.
func workloadHealth(ctx context.Context, lab *Lab, a addons.Addon, lang i18n.Lang) (bool, string) {
	var problems []string
	for _, w := range a.Workloads {
		kind, _, _ := strings.Cut(w, "/")
		obj, err := getWorkload(ctx, lab, a.Namespace, w)
		if err != nil {
			problems = append(problems, w+": "+err.Error())
			continue
		}
		u, err := toUnstructured(obj, "apps/v1", kind)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		if done, msg, _, err := apply.StatusIn(u, lang); err != nil || !done {
			problems = append(problems, w+": "+msg)
		}
	}
	sort.Strings(problems)
	return len(problems) == 0, strings.Join(problems, "; ")
}
