package cluster

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	dynamicfake "k8s.io/client-go/dynamic/fake"

	"github.com/labctl/labctl/cluster/addons"
	"github.com/labctl/labctl/i18n"
)

func TestDefaultIngressIsTraefik(t *testing.T) {
	o := Options{}
	o.Defaults()
	if o.Ingress != IngressTraefik {
		t.Errorf("default ingress %q, want traefik", o.Ingress)
	}
}

// The embedded CRDs are the standard channel of GatewayAPIVersion, all of
// them, and nothing else.
func TestGatewayAPICRDs(t *testing.T) {
	objs, err := addons.GatewayAPI.Objects()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, o := range objs {
		if o.GetKind() != "CustomResourceDefinition" {
			t.Errorf("%s in the CRD bundle", o.Ref())
		}
		a := o.GetAnnotations()
		if a["gateway.networking.k8s.io/bundle-version"] != addons.GatewayAPIVersion || a["gateway.networking.k8s.io/channel"] != "standard" {
			t.Errorf("%s: bundle %q channel %q", o.GetName(), a["gateway.networking.k8s.io/bundle-version"], a["gateway.networking.k8s.io/channel"])
		}
		names = append(names, strings.TrimSuffix(o.GetName(), ".gateway.networking.k8s.io"))
	}
	if got := strings.Join(names, " "); got != "backendtlspolicies gatewayclasses gateways grpcroutes httproutes referencegrants" {
		t.Errorf("CRDs %s", got)
	}
}

// Traefik's manifest enables both providers, and the lab Gateway's
// listeners are on Traefik's entry point ports (Traefik maps a listener to
// the entry point with its port), with the class Traefik's controller serves.
func TestTraefikGatewayManifest(t *testing.T) {
	objs, err := addons.Traefik.Objects()
	if err != nil {
		t.Fatal(err)
	}
	var args []string
	listeners := map[string]string{}
	for _, o := range objs {
		switch o.GetKind() {
		case "Deployment":
			cs, _, _ := unstructured.NestedSlice(o.Object, "spec", "template", "spec", "containers")
			for _, a := range cs[0].(map[string]any)["args"].([]any) {
				args = append(args, a.(string))
			}
		case "GatewayClass":
			if c, _, _ := unstructured.NestedString(o.Object, "spec", "controllerName"); o.GetName() != gatewayClassName || c != gatewayController {
				t.Errorf("GatewayClass %s controller %s", o.GetName(), c)
			}
		case "Gateway":
			if o.GetName() != labGatewayName || o.GetNamespace() != labGatewayNS {
				t.Errorf("Gateway %s/%s", o.GetNamespace(), o.GetName())
			}
			ls, _, _ := unstructured.NestedSlice(o.Object, "spec", "listeners")
			for _, l := range ls {
				m := l.(map[string]any)
				listeners[m["protocol"].(string)] = fmt.Sprint(m["port"])
			}
		}
	}
	all := strings.Join(args, " ")
	for _, want := range []string{"--providers.kubernetesingress=true", "--providers.kubernetesgateway=true",
		"--entryPoints.web.address=:" + listeners["HTTP"], "--entryPoints.websecure.address=:" + listeners["HTTPS"]} {
		if !strings.Contains(all, want) {
			t.Errorf("Traefik args lack %s: %s", want, all)
		}
	}
	if len(listeners) != 2 {
		t.Errorf("lab Gateway listeners %v, want HTTP and HTTPS", listeners)
	}
}

func TestReadGateway(t *testing.T) {
	obj := func(gvr schema.GroupVersionResource, kind, ns, name, cond, status string) *unstructured.Unstructured {
		u := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "gateway.networking.k8s.io/v1", "kind": kind,
			"metadata": map[string]any{"name": name, "namespace": ns},
			"status": map[string]any{
				"conditions": []any{map[string]any{"type": cond, "status": status, "reason": "Waiting", "message": "not yet"}},
				"addresses":  []any{map[string]any{"type": "Hostname", "value": "localhost"}},
			},
		}}
		return u
	}
	for _, tc := range []struct {
		name                     string
		class, gw                string
		accepted, programmed, ok bool
		detail                   string
	}{
		{"healthy", "True", "True", true, true, true, ""},
		{"gateway not programmed", "True", "False", true, false, false, "Gateway traefik/lab-gateway is not Programmed (Waiting: not yet)"},
		{"class not accepted", "False", "True", false, true, false, "GatewayClass traefik is not Accepted (Waiting: not yet)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dyn := dynamicfake.NewSimpleDynamicClient(runtime.NewScheme())
			must := func(err error) {
				if err != nil {
					t.Fatal(err)
				}
			}
			must(dyn.Tracker().Create(gatewayClassGVR, obj(gatewayClassGVR, "GatewayClass", "", "traefik", "Accepted", tc.class), ""))
			must(dyn.Tracker().Create(gatewayGVR, obj(gatewayGVR, "Gateway", "traefik", "lab-gateway", "Programmed", tc.gw), "traefik"))
			gs := readGateway(context.Background(), dyn, i18n.En)
			if gs.ClassAccepted != tc.accepted || gs.Programmed != tc.programmed || gs.Healthy() != tc.ok || gs.Detail != tc.detail {
				t.Errorf("%+v", gs)
			}
			st := Status{Nodes: []NodeStatus{{Ready: true}}, Gateway: &gs}
			if st.Healthy() != tc.ok {
				t.Errorf("status healthy %v, want %v", st.Healthy(), tc.ok)
			}
		})
	}
	t.Run("no CRDs", func(t *testing.T) {
		gs := readGateway(context.Background(), dynamicfake.NewSimpleDynamicClient(runtime.NewScheme()), i18n.En)
		if gs.Healthy() || !strings.Contains(gs.Detail, "GatewayClass traefik: not found") {
			t.Errorf("%+v", gs)
		}
	})
}
