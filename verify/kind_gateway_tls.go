package verify

import (
	"context"
	"errors"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/labctl/labctl/i18n"
)

// gatewayTLS proves a Gateway terminates TLS for host with the Secret's
// certificate: an HTTPS listener for the host names the Secret, and the
// certificate served for the SNI name is exactly the Secret's (Traefik's
// default certificate proves nothing), as tlsCertificate does for Ingress.
type gatewayTLS struct {
	gatewayRef `yaml:",inline"`
	Host       string `yaml:"host"`
	Secret     string `yaml:"secret"`
}

func init() {
	register("gatewayTLS", func(p gatewayTLS) (Checker, error) {
		if p.Host == "" || p.Secret == "" {
			return nil, errors.New("params.host and params.secret are required")
		}
		return p, nil
	})
}

// tlsListener finds the HTTPS listener serving host with the Secret: its
// name, or "" when there is none.
func tlsListener(gw *unstructured.Unstructured, host, secret, ns string) string {
	listeners, _, _ := unstructured.NestedSlice(gw.Object, "spec", "listeners")
	for _, l := range listeners {
		lm, _ := l.(map[string]any)
		if lm["protocol"] != "HTTPS" {
			continue
		}
		if h, _ := lm["hostname"].(string); h != "" && !strings.EqualFold(h, host) {
			continue
		}
		refs, _, _ := unstructured.NestedSlice(lm, "tls", "certificateRefs")
		for _, r := range refs {
			rm, _ := r.(map[string]any)
			kind, _ := rm["kind"].(string)
			rns, _ := rm["namespace"].(string)
			if rm["name"] == secret && (kind == "" || kind == "Secret") && (rns == "" || rns == ns) {
				name, _ := lm["name"].(string)
				return name
			}
		}
	}
	return ""
}

func (p gatewayTLS) Check(ctx context.Context, env *Env) Outcome {
	if o := needTraefik(ctx, env); o != nil {
		return *o
	}
	gwNS, gwName := p.resolve(env) // the Secret is in the Gateway's namespace
	sec, err := env.Client.CoreV1().Secrets(gwNS).Get(ctx, p.Secret, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return Missing(msgSecretMissing, gwNS+"/"+p.Secret)
	}
	if err != nil {
		return Errored(err)
	}
	if sec.Type != corev1.SecretTypeTLS {
		return Missing(msgSecretType, sec.Name, string(sec.Type))
	}
	want, err := firstCert(sec.Data[corev1.TLSCertKey])
	if err != nil {
		return Missing(msgSecretBadCert, sec.Name, err.Error())
	}
	gw, miss := getObject(ctx, env, gatewayGVR, "Gateway", gwNS, gwName)
	if miss != nil {
		return *miss
	}
	listener := tlsListener(gw, p.Host, p.Secret, gwNS)
	if listener == "" {
		return Missing(msgGatewayNoTLS, gwNS+"/"+gwName, p.Host, p.Secret)
	}
	statuses, _, _ := unstructured.NestedSlice(gw.Object, "status", "listeners")
	for _, l := range statuses {
		lm, _ := l.(map[string]any)
		if lm["name"] != listener {
			continue
		}
		if c, ok := findCond(conditionsAt(lm, "conditions"), "ResolvedRefs"); ok && c.Status != "True" {
			return Failed(msgListenerNotReady, gwNS+"/"+gwName, listener, env.why(c))
		}
	}
	r, servedDesc, o := servedCert(ctx, env, p.Host, want)
	if o != nil {
		return *o
	}
	return Passed(msgGatewayCertServed, p.Host, gwNS+"/"+gwName, listener, p.Secret).With(servedDesc, env.describe(r))
}

var (
	msgGatewayNoTLS = i18n.M("check.gw.no-tls",
		"Gateway %s has no HTTPS listener for %s whose tls.certificateRefs names Secret %s",
		"Gateway %s 에 %s 를 위한 HTTPS 리스너, 곧 tls.certificateRefs 가 Secret %s 를 가리키는 리스너가 없습니다")
	msgGatewayCertServed = i18n.M("check.gw.tls-ok",
		"HTTPS for %[1]s serves the certificate of Secret %[4]s (Gateway %[2]s, listener %[3]s)",
		"%[1]s 의 HTTPS 가 Secret %[4]s 의 인증서를 보여 줍니다 (Gateway %[2]s, 리스너 %[3]s)")
)
