// Package svcport is labctl's one rule for which port of a Service a
// command or a check means. `labctl proxy`, `labctl trace`, the TUI's live
// view and every check that reaches a Service through one of its ports ask
// Pick; none has a rule of its own.
//
// The rule: a port given by name or number is the Service port with that
// name or that number (spec.ports[].port), of any protocol; when a TCP and
// a UDP port share the number (kube-dns's 53), the TCP one. With no port
// given, a Service with exactly one TCP port means that port; a Service
// with several TCP ports, or none, is refused with a message that lists its
// ports, so the student names one. Only TCP ports count because everything
// labctl sends to a Service (HTTP, a proxied connection, a traced packet)
// is TCP: kube-dns's 53/UDP does not make `svc/kube-dns` ambiguous on its
// own. Refusing rather than taking the first port is what a student
// expects: on a Service with http and metrics ports, "the first one" is an
// accident of the manifest's order, and a check or proxy that silently
// picks it tests or shows the wrong thing.
package svcport

import (
	"errors"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/labctl/labctl/i18n"
)

// ErrPort marks every error of Pick: the Service has no such port, or the
// caller must name one. Only the student can change that (by editing the
// Service or the command line); waiting does not.
var ErrPort = errors.New("no such Service port")

// The messages of Pick's errors; each takes the Service (NAMESPACE/NAME)
// first and the list of its ports last.
var (
	MsgNoPorts = i18n.M("svcport.no-ports",
		"Service %s has no ports",
		"Service %s 에 포트가 없습니다")
	MsgNoSuchPort = i18n.M("svcport.no-such-port",
		"Service %s has no port %s (it has: %s)",
		"Service %s 에 %s 포트가 없습니다 (있는 포트: %s)")
	MsgWhichPort = i18n.M("svcport.which-port",
		"Service %s has several TCP ports: say which one, by name or number (it has: %s)",
		"Service %s 에 TCP 포트가 여러 개입니다. 이름이나 번호로 하나를 지정하세요 (있는 포트: %s)")
	MsgNoTCPPort = i18n.M("svcport.no-tcp-port",
		"Service %s has no TCP port: say which port, by name or number (it has: %s)",
		"Service %s 에 TCP 포트가 없습니다. 이름이나 번호로 포트를 지정하세요 (있는 포트: %s)")
)

// IsTCP says whether a Service port is TCP (the default protocol).
func IsTCP(p corev1.Protocol) bool { return p == "" || p == corev1.ProtocolTCP }

// Pick returns the port of svc that port means: by name or number, or, for
// "", the Service's only TCP port (see the package comment). Its errors are
// marked ErrPort and list the Service's ports.
func Pick(svc *corev1.Service, port string) (*corev1.ServicePort, error) {
	id := svc.Namespace + "/" + svc.Name
	ports := svc.Spec.Ports
	if len(ports) == 0 {
		return nil, i18n.Errorf(MsgNoPorts, id).Marked(ErrPort)
	}
	if port != "" {
		var found *corev1.ServicePort
		for i, p := range ports {
			switch {
			case p.Name == port:
				return &ports[i], nil
			case strconv.Itoa(int(p.Port)) == port && (found == nil || !IsTCP(found.Protocol) && IsTCP(p.Protocol)):
				found = &ports[i]
			}
		}
		if found != nil {
			return found, nil
		}
		return nil, i18n.Errorf(MsgNoSuchPort, id, port, List(svc)).Marked(ErrPort)
	}
	var only *corev1.ServicePort
	tcp := 0
	for i, p := range ports {
		if IsTCP(p.Protocol) {
			tcp++
			only = &ports[i]
		}
	}
	switch tcp {
	case 1:
		return only, nil
	case 0:
		return nil, i18n.Errorf(MsgNoTCPPort, id, List(svc)).Marked(ErrPort)
	}
	return nil, i18n.Errorf(MsgWhichPort, id, List(svc)).Marked(ErrPort)
}

// Ref is how a port is named back to a caller that takes a port string:
// its name, or its number when it has none.
func Ref(sp *corev1.ServicePort) string {
	if sp.Name != "" {
		return sp.Name
	}
	return strconv.Itoa(int(sp.Port))
}

// List names a Service's ports as the messages show them: the number, the
// protocol when it is not TCP, and the name, e.g. "80 (http), 53/UDP (dns)".
func List(svc *corev1.Service) string {
	out := make([]string, 0, len(svc.Spec.Ports))
	for _, p := range svc.Spec.Ports {
		s := strconv.Itoa(int(p.Port))
		if !IsTCP(p.Protocol) {
			s += "/" + string(p.Protocol)
		}
		if p.Name != "" {
			s += " (" + p.Name + ")"
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return "-"
	}
	return strings.Join(out, ", ")
}
