package verify

import (
	"context"
	"crypto/tls"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/labctl/labctl/i18n"
)

var (
	msgDiagIngClass       = i18n.M("diag.ing-class", "Ingress %s has class %q, but %s: remove ingressClassName (the default class is %s) or set it to %[4]s", "Ingress %s 의 클래스가 %q 인데 %s: ingressClassName 을 지우거나 (기본 클래스는 %s) %[4]s 로 하세요")
	txtNoSuchClass        = i18n.M("diag.ing-class.none", "no IngressClass has that name", "그런 이름의 IngressClass 가 없습니다")
	txtOtherController    = i18n.M("diag.ing-class.other", "that class belongs to %s, which is not running here", "그 클래스는 여기서 돌지 않는 %s 의 것입니다")
	msgDiagNoPath         = i18n.M("diag.ing-no-path", "no path of host %s matches %s (paths: %s)", "호스트 %s 의 어느 경로도 %s 에 맞지 않습니다 (경로: %s)")
	msgDiagTraefikPrefix  = i18n.M("diag.traefik-prefix", "path %q (Prefix) matches %s by the Ingress spec, but Traefik differs from the spec here: it matches the path as written, trailing slash included, so %[2]s gets 404: write path: %[3]s", "경로 %q (Prefix) 는 Ingress 명세로는 %s 에 맞지만 Traefik 은 여기서 명세와 다릅니다: 끝의 / 까지 글자 그대로 맞춰 보므로 %[2]s 는 404 가 됩니다: path: %[3]s 로 쓰세요")
	msgDiagWrongBackend   = i18n.M("diag.ing-backend", "host %s path %s goes to Service %s (Ingress %s), want %s", "호스트 %s 경로 %s 가 Service %s 로 갑니다 (Ingress %s). %s 여야 합니다")
	msgDiagBackendMissing = i18n.M("diag.ing-backend-missing", "Ingress %s sends host %s to Service %s, which does not exist (Services here: %s)", "Ingress %s 가 호스트 %s 를 없는 Service %s 로 보냅니다 (여기 있는 Service: %s)")
	msgDiagBackendPort    = i18n.M("diag.ing-backend-port", "Ingress %[1]s sends host %[2]s to port %[3]s of Service %[4]s, which has no such port (it has: %[5]s): the backend port is the Service's port, not the pod's", "Ingress %[1]s 가 호스트 %[2]s 를 Service %[4]s 에 없는 포트 %[3]s 로 보냅니다 (있는 포트: %[5]s): 백엔드 포트는 파드가 아니라 Service 의 포트입니다")
	msgDiagReachedOther   = i18n.M("diag.ing-reached-other", "host %[1]s path %[2]s reached pod %[3]s, which is not a pod of Service %[4]s", "호스트 %[1]s 경로 %[2]s 가 Service %[4]s 의 파드가 아닌 %[3]s 에 닿았습니다")
	msgDiagCatchAll       = i18n.M("diag.ing-catch-all", "Ingress %s has a rule for %s, which takes %s too (it answered %d, want 404): a rule should name its host exactly", "Ingress %s 의 %s 규칙이 %s 까지 받습니다 (%d 로 응답, 404 여야 함): 규칙에는 호스트를 정확히 적으세요")
	txtEveryHost          = i18n.M("diag.ing-every-host", "every host (no host:)", "모든 호스트 (host: 없음)")
	msgDiagTLSHosts       = i18n.M("diag.tls-hosts", "Ingress %s's tls: entry for Secret %s lists hosts %s, which do not include %s, the host of the rule: add it to tls.hosts", "Ingress %s 의 Secret %s tls: 항목의 hosts 가 %s 라서 규칙의 호스트 %s 가 빠져 있습니다: tls.hosts 에 넣으세요")
	msgDiagTLSOtherSecret = i18n.M("diag.tls-other-secret", "Ingress %s's tls: for %s names Secret %s, want %s", "Ingress %s 의 %s 용 tls: 가 Secret %s 를 가리킵니다. %s 여야 합니다")
	msgDiagKeyPair        = i18n.M("diag.tls-keypair", "Secret %s: tls.key does not belong to tls.crt (%s), so the controller cannot use it: make both with the same openssl command run", "Secret %s: tls.key 가 tls.crt 와 짝이 아닙니다 (%s). 그래서 컨트롤러가 쓸 수 없습니다: 한 번의 openssl 실행으로 둘을 함께 만드세요")
)

// rulesFor are the rules of the namespace's Ingresses that take host: by
// name, by wildcard, then rules without host (which take every host).
func rulesFor(ctx context.Context, env *Env, ns, host string) ([]networkingv1.IngressRule, []string) {
	list, err := env.Client.NetworkingV1().Ingresses(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, nil
	}
	var exact, wild, none []networkingv1.IngressRule
	var exactIng, wildIng, noneIng []string
	for _, ing := range list.Items {
		for _, r := range ing.Spec.Rules {
			switch {
			case r.Host == host:
				exact, exactIng = append(exact, r), append(exactIng, ing.Name)
			case wildcardMatch(r.Host, host):
				wild, wildIng = append(wild, r), append(wildIng, ing.Name)
			case r.Host == "":
				none, noneIng = append(none, r), append(noneIng, ing.Name)
			}
		}
	}
	switch {
	case len(exact) > 0:
		return exact, exactIng
	case len(wild) > 0:
		return wild, wildIng
	}
	return none, noneIng
}

// wildcardMatch: "*.example.com" takes exactly one more label, as the
// Ingress spec says.
func wildcardMatch(pattern, host string) bool {
	suffix, ok := strings.CutPrefix(pattern, "*.")
	if !ok {
		return false
	}
	label, rest, _ := strings.Cut(host, ".")
	return label != "" && rest == suffix
}

// specMatch is the Ingress spec's path matching: Exact is the whole path;
// Prefix compares path elements, a trailing slash ignored;
// ImplementationSpecific is read as Prefix.
func specMatch(pt *networkingv1.PathType, path, req string) bool {
	if pt != nil && *pt == networkingv1.PathTypeExact {
		return path == req
	}
	p := strings.TrimSuffix(path, "/")
	return p == "" || req == p || strings.HasPrefix(req, p+"/")
}

// routeFor is the path the spec routes req to, among rules, longest first.
func routeFor(rules []networkingv1.IngressRule, req string) *networkingv1.HTTPIngressPath {
	var best *networkingv1.HTTPIngressPath
	for _, r := range rules {
		if r.HTTP == nil {
			continue
		}
		for i, p := range r.HTTP.Paths {
			if specMatch(p.PathType, p.Path, req) && (best == nil || len(p.Path) > len(best.Path)) {
				best = &r.HTTP.Paths[i]
			}
		}
	}
	return best
}

// classProblem: an Ingress whose class no running controller serves.
func classProblem(ctx context.Context, env *Env, ing *networkingv1.Ingress) *diagnosis {
	if ing.Spec.IngressClassName == nil || *ing.Spec.IngressClassName == "" {
		return nil
	}
	name := *ing.Spec.IngressClassName
	def, err := defaultClass(ctx, env)
	if err != nil || def == nil || def.Name == name {
		return nil
	}
	c, err := env.Client.NetworkingV1().IngressClasses().Get(ctx, name, metav1.GetOptions{})
	why := env.t(txtNoSuchClass)
	if err == nil {
		if c.Spec.Controller == def.Spec.Controller {
			return nil
		}
		why = env.t(txtOtherController, controllerName(c.Spec.Controller))
	} else if !apierrors.IsNotFound(err) {
		return nil
	}
	return &diagnosis{msgDiagIngClass, []any{ing.Name, name, why, def.Name}, []string{"ingressClassName: " + name}}
}

// diagnoseRoute looks for why host+path does not reach want's pods.
func diagnoseRoute(ctx context.Context, env *Env, ing *networkingv1.Ingress, host, path, want, controller, answeredBy string) *diagnosis {
	ns := ing.Namespace
	if d := classProblem(ctx, env, ing); d != nil {
		return d
	}
	rules, names := rulesFor(ctx, env, ns, host)
	best := routeFor(rules, path)
	if best == nil {
		var ps []string
		for _, r := range rules {
			if r.HTTP == nil {
				continue
			}
			for _, p := range r.HTTP.Paths {
				pt := "Prefix"
				if p.PathType != nil {
					pt = string(*p.PathType)
				}
				ps = append(ps, p.Path+" ("+pt+")")
			}
		}
		return &diagnosis{msgDiagNoPath, []any{host, path, env.list(ps)}, nil}
	}
	if controller == traefikController && (best.PathType == nil || *best.PathType != networkingv1.PathTypeExact) && !strings.HasPrefix(path, best.Path) {
		return &diagnosis{msgDiagTraefikPrefix, []any{best.Path, path, strings.TrimSuffix(best.Path, "/")}, nil}
	}
	b := best.Backend.Service
	ingName := strings.Join(names, ",")
	if b == nil {
		return nil
	}
	if b.Name != want {
		return &diagnosis{msgDiagWrongBackend, []any{host, path, b.Name, ingName, want}, nil}
	}
	svc, err := env.Client.CoreV1().Services(ns).Get(ctx, b.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		var have []string
		if list, err := env.Client.CoreV1().Services(ns).List(ctx, metav1.ListOptions{}); err == nil {
			for _, s := range list.Items {
				have = append(have, s.Name)
			}
		}
		return &diagnosis{msgDiagBackendMissing, []any{ingName, host, b.Name, env.list(have)}, nil}
	}
	if err != nil {
		return nil
	}
	var sp *corev1.ServicePort
	for i, p := range svc.Spec.Ports {
		if (b.Port.Name != "" && p.Name == b.Port.Name) || (b.Port.Name == "" && p.Port == b.Port.Number) {
			sp = &svc.Spec.Ports[i]
		}
	}
	if sp == nil {
		port := b.Port.Name
		if port == "" {
			port = fmt.Sprint(b.Port.Number)
		}
		return &diagnosis{msgDiagBackendPort, []any{ingName, host, port, svc.Name, describePorts(svc)}, nil}
	}
	if d := diagnoseService(ctx, env, svc, sp, FromNode); d != nil {
		return d
	}
	if answeredBy != "" {
		return &diagnosis{msgDiagReachedOther, []any{host, path, answeredBy, want}, nil}
	}
	return nil
}

// catchAll names the Ingress and the rule (a wildcard, or no host at
// all) that take a host no rule names.
func catchAll(ctx context.Context, env *Env, ns, host string) (ingress, rule string) {
	rules, names := rulesFor(ctx, env, ns, host)
	if len(rules) == 0 {
		return "", ""
	}
	if rules[0].Host == "" {
		return names[0], env.t(txtEveryHost)
	}
	return names[0], rules[0].Host
}

// tlsProblem: why the Ingress's tls: does not give host the Secret.
func tlsProblem(ing *networkingv1.Ingress, host, secret string) *diagnosis {
	for _, t := range ing.Spec.TLS {
		if t.SecretName == secret && len(t.Hosts) > 0 {
			return &diagnosis{msgDiagTLSHosts, []any{ing.Name, secret, strings.Join(t.Hosts, ", "), host}, nil}
		}
	}
	for _, t := range ing.Spec.TLS {
		if t.SecretName != secret && (len(t.Hosts) == 0 || contains(t.Hosts, host)) {
			return &diagnosis{msgDiagTLSOtherSecret, []any{ing.Name, host, t.SecretName, secret}, nil}
		}
	}
	return nil
}

// keyPairProblem: tls.key is not the key of tls.crt.
func keyPairProblem(sec *corev1.Secret) *diagnosis {
	if _, err := tls.X509KeyPair(sec.Data[corev1.TLSCertKey], sec.Data[corev1.TLSPrivateKeyKey]); err != nil {
		return &diagnosis{msgDiagKeyPair, []any{sec.Name, err.Error()}, nil}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
