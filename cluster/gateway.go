package cluster

import (
	"context"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/labctl/labctl/apply"
	"github.com/labctl/labctl/cluster/addons"
	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/internal/certs"
)

// The lab's Gateway API objects, made by Traefik's manifest.
const (
	gatewayClassName  = "traefik"
	labGatewayName    = "lab-gateway"
	labGatewayNS      = "traefik"
	labGatewaySecret  = "lab-gateway-tls"
	gatewayController = "traefik.io/gateway-controller"
)

var (
	gatewayClassGVR = schema.GroupVersionResource{Group: "gateway.networking.k8s.io", Version: "v1", Resource: "gatewayclasses"}
	gatewayGVR      = schema.GroupVersionResource{Group: "gateway.networking.k8s.io", Version: "v1", Resource: "gateways"}
	crdGVR          = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
)

// installTraefik installs the Gateway API CRDs, Traefik with both providers,
// the certificate of the lab Gateway's HTTPS listener (made here once, kept
// on later runs), and waits until the lab Gateway is Programmed.
func installTraefik(ctx context.Context, lab *Lab, deadline time.Duration, lang i18n.Lang) error {
	ctx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
	a, err := lab.Applier()
	if err != nil {
		return err
	}
	a.Lang = lang
	crds, err := addons.GatewayAPI.Objects()
	if err != nil {
		return err
	}
	if err := a.Apply(ctx, crds); err != nil {
		return err
	}
	var then []apply.Object
	if _, err := lab.Client.CoreV1().Secrets(labGatewayNS).Get(ctx, labGatewaySecret, metav1.GetOptions{}); apierrors.IsNotFound(err) {
		sec, err := labGatewayCert()
		if err != nil {
			return err
		}
		then = append(then, sec)
	}
	if err := installAddon(ctx, lab, addons.Traefik, deadline, lang, then...); err != nil {
		return err
	}
	dyn, err := dynamic.NewForConfig(lab.REST)
	if err != nil {
		return err
	}
	return apply.Until(ctx, time.Second, func() (bool, string, error) {
		gs := readGateway(ctx, dyn, lang)
		return gs.Programmed, gs.Detail, nil
	}, func(last string) error {
		return i18n.Errorf(msgGatewayNotProgrammed, labGatewayNS+"/"+labGatewayName, deadline, last)
	})
}

// labGatewayCert is the Secret of the lab Gateway's HTTPS listener: a
// self-signed certificate for a name no chapter uses, so a student's own
// certificate is the only one that matches their host's SNI name.
func labGatewayCert() (apply.Object, error) {
	key, crt, err := certs.SelfSigned(certs.Options{CommonName: "lab-gateway.labctl.invalid", Days: 3650})
	if err != nil {
		return apply.Object{}, err
	}
	sec := &corev1.Secret{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{Name: labGatewaySecret, Namespace: labGatewayNS},
		Type:       corev1.SecretTypeTLS,
		Data:       map[string][]byte{corev1.TLSCertKey: crt, corev1.TLSPrivateKeyKey: key},
	}
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(sec)
	if err != nil {
		return apply.Object{}, err
	}
	return apply.Object{Unstructured: &unstructured.Unstructured{Object: m}, Source: "labctl", Line: 1}, nil
}

// GatewayStatus is the lab's Gateway API state for `labctl status`.
type GatewayStatus struct {
	// Version is the bundle version of the installed CRDs ("" when absent).
	Version       string   `json:"crdVersion"`
	Class         string   `json:"gatewayClass"`
	ClassAccepted bool     `json:"gatewayClassAccepted"`
	Gateway       string   `json:"gateway"`
	Programmed    bool     `json:"programmed"`
	Addresses     []string `json:"addresses,omitempty"`
	Detail        string   `json:"detail,omitempty"`
}

// Healthy is true when the class is accepted and the Gateway programmed.
func (g GatewayStatus) Healthy() bool { return g.ClassAccepted && g.Programmed }

// readGateway reads the GatewayClass and the lab Gateway's conditions.
func readGateway(ctx context.Context, dyn dynamic.Interface, lang i18n.Lang) GatewayStatus {
	gs := GatewayStatus{Class: gatewayClassName, Gateway: labGatewayNS + "/" + labGatewayName}
	var problems []string
	if crd, err := dyn.Resource(crdGVR).Get(ctx, "gateways.gateway.networking.k8s.io", metav1.GetOptions{}); err == nil {
		gs.Version = crd.GetAnnotations()["gateway.networking.k8s.io/bundle-version"]
	}
	gc, err := dyn.Resource(gatewayClassGVR).Get(ctx, gatewayClassName, metav1.GetOptions{})
	if err != nil {
		problems = append(problems, "GatewayClass "+gatewayClassName+": "+shortErr(err))
	} else {
		ok, why := condition(gc, "Accepted")
		gs.ClassAccepted = ok
		if !ok {
			problems = append(problems, msgGatewayCond.F(lang, "GatewayClass "+gatewayClassName, "Accepted", why))
		}
	}
	gw, err := dyn.Resource(gatewayGVR).Namespace(labGatewayNS).Get(ctx, labGatewayName, metav1.GetOptions{})
	if err != nil {
		problems = append(problems, "Gateway "+gs.Gateway+": "+shortErr(err))
	} else {
		ok, why := condition(gw, "Programmed")
		gs.Programmed = ok
		if !ok {
			problems = append(problems, msgGatewayCond.F(lang, "Gateway "+gs.Gateway, "Programmed", why))
		}
		addrs, _, _ := unstructured.NestedSlice(gw.Object, "status", "addresses")
		for _, a := range addrs {
			if m, ok := a.(map[string]any); ok {
				if v, _ := m["value"].(string); v != "" {
					gs.Addresses = append(gs.Addresses, v)
				}
			}
		}
	}
	gs.Detail = strings.Join(problems, "; ")
	return gs
}

// condition reads a status condition: true when its status is True, and
// otherwise its reason and message (or that it is not there yet).
func condition(u *unstructured.Unstructured, typ string) (bool, string) {
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		m, _ := c.(map[string]any)
		if m["type"] != typ {
			continue
		}
		if m["status"] == "True" {
			return true, ""
		}
		return false, fmt.Sprintf("%v: %v", m["reason"], m["message"])
	}
	return false, "-"
}

func shortErr(err error) string {
	if apierrors.IsNotFound(err) {
		return "not found"
	}
	return err.Error()
}

var (
	msgGatewayNotProgrammed = i18n.M("cluster.gateway.not-programmed",
		"the Gateway %[1]s is not Programmed after %[2]s: %[3]s",
		"%[2]s 가 지나도 Gateway %[1]s 가 Programmed 가 아닙니다: %[3]s")
	msgGatewayCond = i18n.M("cluster.gateway.cond", "%s is not %s (%s)", "%s 가 %s 상태가 아닙니다 (%s)")
)
