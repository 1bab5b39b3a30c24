package svcport

import (
	"errors"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/labctl/labctl/i18n"
)

func svc(ports ...corev1.ServicePort) *corev1.Service {
	return &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: "ch07", Name: "web"},
		Spec: corev1.ServiceSpec{Ports: ports}}
}

var (
	http    = corev1.ServicePort{Name: "http", Port: 80}
	https   = corev1.ServicePort{Name: "https", Port: 443, Protocol: corev1.ProtocolTCP}
	dnsUDP  = corev1.ServicePort{Name: "dns", Port: 53, Protocol: corev1.ProtocolUDP}
	dnsTCP  = corev1.ServicePort{Name: "dns-tcp", Port: 53, Protocol: corev1.ProtocolTCP}
	unnamed = corev1.ServicePort{Port: 8080}
)

func TestPick(t *testing.T) {
	cases := []struct {
		name  string
		svc   *corev1.Service
		port  string
		want  string       // Ref of the port picked
		msg   i18n.Message // else the error's message
		lists string       // and a part of it
	}{
		{"one port, none given", svc(http), "", "http", i18n.Message{}, ""},
		{"one unnamed port, none given", svc(unnamed), "", "8080", i18n.Message{}, ""},
		{"one TCP port beside a UDP one", svc(dnsUDP, http), "", "http", i18n.Message{}, ""},
		{"several TCP ports, none given", svc(http, https), "", "", MsgWhichPort, "80 (http), 443 (https)"},
		{"the order does not choose", svc(https, http), "", "", MsgWhichPort, "443 (https), 80 (http)"},
		{"only UDP, none given", svc(dnsUDP), "", "", MsgNoTCPPort, "53/UDP (dns)"},
		{"no ports", svc(), "", "", MsgNoPorts, "ch07/web"},
		{"no ports, one given", svc(), "80", "", MsgNoPorts, "ch07/web"},
		{"by name", svc(http, https), "https", "https", i18n.Message{}, ""},
		{"by number", svc(http, https), "443", "https", i18n.Message{}, ""},
		{"a UDP port by name", svc(dnsUDP, dnsTCP), "dns", "dns", i18n.Message{}, ""},
		{"a number TCP and UDP share: the TCP one", svc(dnsUDP, dnsTCP), "53", "dns-tcp", i18n.Message{}, ""},
		{"a UDP port by number", svc(dnsUDP, http), "53", "dns", i18n.Message{}, ""},
		{"an unnamed port by number", svc(unnamed, http), "8080", "8080", i18n.Message{}, ""},
		{"no such name", svc(http, https), "metrics", "", MsgNoSuchPort, "80 (http), 443 (https)"},
		{"no such number", svc(http), "8080", "", MsgNoSuchPort, "80 (http)"},
		{"a targetPort is not the Service's port", svc(corev1.ServicePort{Name: "http", Port: 80}), "9376", "", MsgNoSuchPort, "9376"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sp, err := Pick(tc.svc, tc.port)
			if tc.want != "" {
				if err != nil || Ref(sp) != tc.want {
					t.Fatalf("Pick(%q) = %v, %v; want %s", tc.port, sp, err, tc.want)
				}
				return
			}
			var le *i18n.Error
			if !errors.As(err, &le) || le.Msg.ID != tc.msg.ID {
				t.Fatalf("Pick(%q) = %v, %v; want message %s", tc.port, sp, err, tc.msg.ID)
			}
			if !errors.Is(err, ErrPort) {
				t.Errorf("%v is not marked ErrPort", err)
			}
			if !strings.Contains(err.Error(), tc.lists) {
				t.Errorf("%q does not say %q", err, tc.lists)
			}
			if ko := i18n.Localize(err, i18n.Ko); ko == err.Error() || !strings.Contains(ko, tc.lists) {
				t.Errorf("Korean: %q", ko)
			}
		})
	}
}

func TestMessages(t *testing.T) {
	if err := i18n.Validate([]i18n.Message{MsgNoPorts, MsgNoSuchPort, MsgWhichPort, MsgNoTCPPort}); err != nil {
		t.Fatal(err)
	}
}
