package verify

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Controllers labctl knows by their IngressClass controller name, and what
// each documents for a rule whose Service does not exist.
const (
	nginxController   = "k8s.io/ingress-nginx"
	traefikController = "traefik.io/ingress-controller"
)

// defaultClass returns the default IngressClass (the one the admission
// plugin gives Ingresses that name none).
func defaultClass(ctx context.Context, env *Env) (*networkingv1.IngressClass, error) {
	list, err := env.Client.NetworkingV1().IngressClasses().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	for i, c := range list.Items {
		if c.Annotations[networkingv1.AnnotationIsDefaultIngressClass] == "true" {
			return &list.Items[i], nil
		}
	}
	return nil, nil
}

// ingressClassDefault proves there is exactly one default IngressClass and
// its controller answers HTTP on this computer's ingress port.
type ingressClassDefault struct{}

func init() {
	register("ingressClassDefault", func(p ingressClassDefault) (Checker, error) { return p, nil })
}

func (ingressClassDefault) Check(ctx context.Context, env *Env) Outcome {
	list, err := env.Client.NetworkingV1().IngressClasses().List(ctx, metav1.ListOptions{})
	if err != nil {
		return Errored(err)
	}
	var defaults []string
	for _, c := range list.Items {
		if c.Annotations[networkingv1.AnnotationIsDefaultIngressClass] == "true" {
			defaults = append(defaults, c.Name+" ("+c.Spec.Controller+")")
		}
	}
	switch len(defaults) {
	case 0:
		return Missing(msgNoDefaultClass)
	case 1:
	default:
		return Missing(msgManyDefaultClasses, strings.Join(defaults, ", "))
	}
	base, _, err := env.Net.IngressURLs(ctx)
	if err != nil {
		return Errored(err)
	}
	rs, err := env.Net.HTTP(ctx, FromHost, "", HTTPRequest{URL: base + "/", Host: "labctl-probe.invalid"}, 1)
	if err != nil {
		return Errored(err)
	}
	if rs[0].Status == 0 {
		return Failed(msgControllerSilent, base).With(env.describe(rs[0]))
	}
	return Passed(msgDefaultClass, defaults[0], base).With(fmt.Sprintf("%s (Host labctl-probe.invalid): %s", base, env.describe(rs[0])))
}

// ingressAssigned proves an Ingress exists, has a class (given, or set by
// the default IngressClass when the manifest names none), and was taken up
// by the controller (it published an address in the Ingress's status).
type ingressAssigned struct {
	Ingress   string `yaml:"ingress"`
	Namespace string `yaml:"namespace"`
}

func init() {
	register("ingressAssigned", func(p ingressAssigned) (Checker, error) {
		if p.Ingress == "" {
			return nil, errors.New("params.ingress is required")
		}
		return p, nil
	})
}

func (p ingressAssigned) Check(ctx context.Context, env *Env) Outcome {
	ing, miss := ingress(ctx, env, env.ns(p.Namespace), p.Ingress)
	if miss != nil {
		return *miss
	}
	class := ""
	if ing.Spec.IngressClassName != nil {
		class = *ing.Spec.IngressClassName
	}
	if class == "" {
		return Failed(msgIngressNoClass, ing.Name)
	}
	var addrs []string
	for _, in := range ing.Status.LoadBalancer.Ingress {
		addrs = append(addrs, in.IP+in.Hostname)
	}
	if len(addrs) == 0 {
		if d := classProblem(ctx, env, ing); d != nil {
			return d.outcome()
		}
		return Failed(msgIngressNoAddress, ing.Name, class)
	}
	return Passed(msgIngressAssigned, ing.Name, class, strings.Join(addrs, ", "))
}

func ingress(ctx context.Context, env *Env, ns, name string) (*networkingv1.Ingress, *Outcome) {
	ing, err := env.Client.NetworkingV1().Ingresses(ns).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		o := Missing(msgIngressMissing, ns+"/"+name)
		return nil, &o
	}
	if err != nil {
		o := Errored(err)
		return nil, &o
	}
	return ing, nil
}

// ingressRoute proves what the ingress controller answers for host and path,
// as a client on this computer sees it: the backend Service's pods, 404 for
// a host no rule names, or the controller's own error for a rule whose
// Service is missing.
type ingressRoute struct {
	Ingress   string     `yaml:"ingress"`
	Namespace string     `yaml:"namespace"`
	HTTPS     bool       `yaml:"https"`
	Cases     []httpCase `yaml:"cases"`
}

func init() {
	register("ingressRoute", func(p ingressRoute) (Checker, error) {
		if p.Ingress == "" || len(p.Cases) == 0 {
			return nil, errors.New("params.ingress and params.cases are required")
		}
		if err := validateCases(p.Cases); err != nil {
			return nil, err
		}
		return p, nil
	})
}

func (p ingressRoute) Check(ctx context.Context, env *Env) Outcome {
	ns := env.ns(p.Namespace)
	ing, miss := ingress(ctx, env, ns, p.Ingress)
	if miss != nil {
		return *miss
	}
	class, err := defaultClass(ctx, env)
	if err != nil {
		return Errored(err)
	}
	controller := ""
	if class != nil {
		controller = class.Spec.Controller
	}
	httpURL, httpsURL, err := env.Net.IngressURLs(ctx)
	if err != nil {
		return Errored(err)
	}
	base := httpURL
	if p.HTTPS {
		base = httpsURL
	}
	var ev []string
	for _, c := range p.Cases {
		rs, err := env.Net.HTTP(ctx, FromHost, "", HTTPRequest{URL: base + c.Path, Host: c.Host}, 1)
		if err != nil {
			return Errored(err)
		}
		r := rs[0]
		line := fmt.Sprintf("Host %s %s -> %s", c.Host, c.Path, env.describe(r))
		ev = append(ev, line)
		switch c.Expect {
		case "backend":
			if !hostRuled(ctx, env, ns, c.Host) {
				return Missing(msgNoRuleForHost, ing.Name, c.Host).With(ev...).With(hostsEvidence(ctx, env, ns))
			}
			svc, miss := service(ctx, env, ns, c.Service)
			if miss != nil {
				return *miss
			}
			eps, err := readyEndpoints(ctx, env, svc)
			if err != nil {
				return Errored(err)
			}
			pods := podNames(eps)
			if r.Status != 200 || !pods[strings.TrimSpace(r.Body)] {
				other := ""
				if r.Status == 200 {
					other = firstLine(r.Body)
				}
				if d := diagnoseRoute(ctx, env, ing, c.Host, c.Path, c.Service, controller, other); d != nil {
					return d.outcome().With(ev...).With(env.t(evPodsOf, c.Service, env.list(keys(pods))))
				}
				return Failed(msgRouteWrong, c.Host, c.Path, c.Service).With(ev...).With(env.t(evPodsOf, c.Service, env.list(keys(pods))))
			}
		case "notFound":
			if r.Status != 404 {
				if name, rule := catchAll(ctx, env, ns, c.Host); name != "" {
					return Failed(msgDiagCatchAll, name, rule, c.Host, r.Status).With(ev...)
				}
				return Failed(msgRouteNot404, c.Host, r.Status).With(ev...)
			}
		case "backendMissing":
			if !hostRuled(ctx, env, ns, c.Host) {
				return Missing(msgNoRuleForHost, ing.Name, c.Host).With(ev...)
			}
			if _, err := env.Client.CoreV1().Services(ns).Get(ctx, c.Service, metav1.GetOptions{}); err == nil {
				return Missing(msgServiceExistsAfterAll, c.Service)
			}
			want := missingBackendStatus(controller)
			if r.Status != want {
				return Failed(msgRouteMissingStatus, c.Host, r.Status, want, controllerName(controller)).With(ev...)
			}
		}
	}
	return Passed(msgRoutesOK, len(p.Cases), controllerName(controller)).With(ev...)
}

// missingBackendStatus is what each controller documents for a rule whose
// Service does not exist: ingress-nginx answers 503 from its default
// backend; Traefik drops the route, so the host gets 404.
func missingBackendStatus(controller string) int {
	if controller == traefikController {
		return 404
	}
	return 503
}

func controllerName(c string) string {
	switch c {
	case nginxController:
		return "ingress-nginx"
	case traefikController:
		return "Traefik"
	case "":
		return "?"
	}
	return c
}

// hostRuled reports whether any Ingress of the namespace takes host (by
// name, wildcard, or a rule without host): one Ingress or several, the
// behaviour is the same.
func hostRuled(ctx context.Context, env *Env, ns, host string) bool {
	rules, _ := rulesFor(ctx, env, ns, host)
	return len(rules) > 0
}

// hostsEvidence lists the hosts the namespace's Ingresses take.
func hostsEvidence(ctx context.Context, env *Env, ns string) string {
	var hosts []string
	if list, err := env.Client.NetworkingV1().Ingresses(ns).List(ctx, metav1.ListOptions{}); err == nil {
		for _, ing := range list.Items {
			for _, r := range ing.Spec.Rules {
				h := r.Host
				if h == "" {
					h = "*"
				}
				hosts = append(hosts, ing.Name+": "+h)
			}
		}
	}
	return "hosts: " + env.list(hosts)
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sortStrings(out)
	return out
}

// tlsCertificate proves the controller serves the Secret's certificate for
// the host's SNI name, not its own default (fake) certificate.
type tlsCertificate struct {
	Ingress   string `yaml:"ingress"`
	Namespace string `yaml:"namespace"`
	Host      string `yaml:"host"`
	Secret    string `yaml:"secret"`
}

func init() {
	register("tlsCertificate", func(p tlsCertificate) (Checker, error) {
		if p.Ingress == "" || p.Host == "" || p.Secret == "" {
			return nil, errors.New("params.ingress, params.host and params.secret are required")
		}
		return p, nil
	})
}

func (p tlsCertificate) Check(ctx context.Context, env *Env) Outcome {
	ns := env.ns(p.Namespace)
	sec, err := env.Client.CoreV1().Secrets(ns).Get(ctx, p.Secret, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return Missing(msgSecretMissing, ns+"/"+p.Secret)
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
	if d := keyPairProblem(sec); d != nil {
		return d.outcome()
	}
	ing, miss := ingress(ctx, env, ns, p.Ingress)
	if miss != nil {
		return *miss
	}
	if !tlsFor(ing, p.Host, p.Secret) {
		if d := tlsProblem(ing, p.Host, p.Secret); d != nil {
			return d.outcome()
		}
		return Missing(msgIngressNoTLS, ing.Name, p.Host, p.Secret)
	}
	r, servedDesc, o := servedCert(ctx, env, p.Host, want)
	if o != nil {
		return *o
	}
	if r.Status == 0 || r.Status >= 500 {
		return Failed(msgTLSNoBackend, p.Host).With(env.describe(r), servedDesc)
	}
	return Passed(msgCertServed, p.Host, p.Secret).With(servedDesc, env.describe(r))
}

// servedCert asks the ingress controller's HTTPS port for host (SNI) and
// compares the certificate it serves with want, the Secret's: the outcome
// is nil when they are the same, else it names what was served instead.
// servedDesc describes the served certificate.
func servedCert(ctx context.Context, env *Env, host string, want *x509.Certificate) (r HTTPResponse, servedDesc string, o *Outcome) {
	fail := func(out Outcome) (HTTPResponse, string, *Outcome) { return r, servedDesc, &out }
	_, httpsURL, err := env.Net.IngressURLs(ctx)
	if err != nil {
		return fail(Errored(err))
	}
	rs, err := env.Net.HTTP(ctx, FromHost, "", HTTPRequest{URL: httpsURL + "/", Host: host}, 1)
	if err != nil {
		return fail(Errored(err))
	}
	r = rs[0]
	secretDesc := env.t(evSecret, certString(want))
	if r.Cert == nil {
		return fail(Failed(msgNoTLSAnswer, httpsURL, host).With(env.describe(r), secretDesc))
	}
	servedDesc = env.t(evServed, certString(r.Cert))
	if !bytes.Equal(r.Cert.Raw, want.Raw) {
		if !certNames(want, host) {
			return fail(Failed(msgCertNotForHost, host, certString(r.Cert)).With(servedDesc, secretDesc))
		}
		return fail(Failed(msgCertDefault, host, certString(r.Cert)).With(servedDesc, secretDesc))
	}
	return r, servedDesc, nil
}

func tlsFor(ing *networkingv1.Ingress, host, secret string) bool {
	for _, t := range ing.Spec.TLS {
		if t.SecretName != secret {
			continue
		}
		if len(t.Hosts) == 0 {
			return true
		}
		for _, h := range t.Hosts {
			if h == host {
				return true
			}
		}
	}
	return false
}

// certNames reports whether a certificate names host the way ingress
// controllers match it: by a SAN or by the subject's CN. Go's VerifyHostname
// ignores the CN, but a certificate made as the notes make it (openssl req
// -subj /CN=kube-book.com) has no SAN, and ingress-nginx and Traefik use it.
func certNames(c *x509.Certificate, host string) bool {
	if c.VerifyHostname(host) == nil {
		return true
	}
	cn := strings.ToLower(strings.TrimSuffix(c.Subject.CommonName, "."))
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if suffix, ok := strings.CutPrefix(cn, "*."); ok {
		label, rest, _ := strings.Cut(host, ".")
		return label != "" && rest == suffix
	}
	return cn != "" && cn == host
}

func firstCert(pemData []byte) (*x509.Certificate, error) {
	for len(pemData) > 0 {
		var b *pem.Block
		b, pemData = pem.Decode(pemData)
		if b == nil {
			break
		}
		if b.Type == "CERTIFICATE" {
			return x509.ParseCertificate(b.Bytes)
		}
	}
	return nil, errors.New("tls.crt holds no PEM certificate")
}

func certString(c *x509.Certificate) string {
	s := "CN=" + c.Subject.CommonName
	if len(c.DNSNames) > 0 {
		s += " DNS=" + strings.Join(c.DNSNames, ",")
	}
	if c.Issuer.CommonName != c.Subject.CommonName {
		s += " issuer CN=" + c.Issuer.CommonName
	}
	return s + " until " + c.NotAfter.Format("2006-01-02")
}

// ingressBackends are the Services an Ingress sends traffic to: every
// rule's paths and the default backend.
func ingressBackends(ing *networkingv1.Ingress) []*networkingv1.IngressServiceBackend {
	var out []*networkingv1.IngressServiceBackend
	if b := ing.Spec.DefaultBackend; b != nil && b.Service != nil {
		out = append(out, b.Service)
	}
	for _, r := range ing.Spec.Rules {
		if r.HTTP == nil {
			continue
		}
		for _, p := range r.HTTP.Paths {
			if p.Backend.Service != nil {
				out = append(out, p.Backend.Service)
			}
		}
	}
	return out
}
