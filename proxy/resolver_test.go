package proxy

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/internal/svcport"
)

func TestEndpointsByPortNameAndNumber(t *testing.T) {
	svc := service("ch07", "web", svcPort{"http", 80, false}, svcPort{"dns", 53, true}, svcPort{"admin", 9000, false})
	c, _ := newTestCluster(t, nil, nil, svc,
		slice("ch07", "web", "web-1", "http", 8080,
			ep{pod: "web-b", node: "node2", ip: "10.244.2.5"},
			ep{pod: "web-a", node: "node1", ip: "10.244.1.4"},
			ep{pod: "web-c", node: "node1", ip: "10.244.1.9", notReady: true}),
		slice("ch07", "web", "web-2", "admin", 9090, ep{pod: "web-a", node: "node1", ip: "10.244.1.4"}),
		slice("ch07", "other", "other-1", "http", 1234, ep{pod: "x", ip: "10.244.3.3"}))
	ctx := ctxT(t)
	for _, port := range []string{"http", "80"} {
		got, err := c.Endpoints(ctx, "ch07", "web", port)
		if err != nil {
			t.Fatalf("port %s: %v", port, err)
		}
		want := []Endpoint{
			{Namespace: "ch07", Pod: "web-a", Node: "node1", IP: netip.MustParseAddr("10.244.1.4"), Port: 8080},
			{Namespace: "ch07", Pod: "web-b", Node: "node2", IP: netip.MustParseAddr("10.244.2.5"), Port: 8080},
		}
		if len(got) != len(want) {
			t.Fatalf("port %s: got %v, want %v", port, got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("port %s [%d]: got %+v, want %+v", port, i, got[i], want[i])
			}
		}
	}
	got, err := c.Endpoints(ctx, "ch07", "web", "admin")
	if err != nil || len(got) != 1 || got[0].Port != 9090 {
		t.Errorf("admin port: %v, %v", got, err)
	}
}

func TestResolveErrors(t *testing.T) {
	c, _ := newTestCluster(t, nil, nil,
		service("ch07", "web", svcPort{"http", 80, false}, svcPort{"dns", 53, true}),
		service("ch07", "two", svcPort{"a", 1, false}, svcPort{"b", 2, false}),
		service("ch07", "empty", svcPort{"", 80, false}),
		&corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: "ch07", Name: "ext"},
			Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName, ExternalName: "example.com"}})
	ctx := ctxT(t)
	cases := []struct {
		name, svc, port string
		msg             i18n.Message
		contains        string
	}{
		{"missing service", "nope", "80", msgServiceNotFound, "ch07/nope"},
		{"port number not in service", "web", "81", svcport.MsgNoSuchPort, "80 (http), 53/UDP (dns)"},
		{"udp port is not a tcp port", "web", "53", msgPortNotTCP, "port 53 of service ch07/web is not TCP"},
		{"port name not in service", "web", "https", svcport.MsgNoSuchPort, "no port https"},
		{"several ports, none given", "two", "", svcport.MsgWhichPort, "1 (a), 2 (b)"},
		{"external name", "ext", "80", msgExternalName, "example.com"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := c.DialService(ctx, "ch07", tc.svc, tc.port)
			var le *i18n.Error
			if !errors.As(err, &le) || le.Msg.ID != tc.msg.ID {
				t.Fatalf("got %v, want message %s", err, tc.msg.ID)
			}
			if !strings.Contains(err.Error(), tc.contains) {
				t.Errorf("%q does not mention %q", err, tc.contains)
			}
			if ko := i18n.Localize(err, i18n.Ko); ko == err.Error() {
				t.Errorf("no Korean rendering: %q", ko)
			}
		})
	}
	_, _, err := c.DialService(ctx, "ch07", "empty", "")
	var le *i18n.Error
	if !errors.As(err, &le) || le.Msg.ID != msgNoEndpoints.ID {
		t.Fatalf("service with no endpoints: %v", err)
	}
	if i18n.FixOf(err, i18n.Ko) == "" || i18n.FixOf(err, i18n.En) == "" {
		t.Error("no-endpoints error has no fix")
	}
}

// A Service created after the namespace is watched is found (by the GET
// fallback or the watch), and endpoints arriving later are picked up.
func TestResolverFollowsChanges(t *testing.T) {
	c, cs := newTestCluster(t, nil, nil, service("default", "seed", svcPort{"", 80, false}))
	ctx := ctxT(t)
	if _, err := c.Endpoints(ctx, "default", "seed", ""); err != nil {
		t.Fatal(err)
	}
	create(t, cs, service("default", "late", svcPort{"", 80, false}))
	if _, err := c.Endpoints(ctx, "default", "late", "80"); err != nil {
		t.Fatalf("new service: %v", err)
	}
	create(t, cs, slice("default", "late", "late-1", "", 8080, ep{pod: "p", ip: "10.0.0.1"}))
	eventually(t, "endpoint to appear", func() bool {
		eps, _ := c.Endpoints(ctx, "default", "late", "80")
		return len(eps) == 1
	})
	if err := cs.DiscoveryV1().EndpointSlices("default").Delete(ctx, "late-1", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "endpoint to go", func() bool {
		eps, _ := c.Endpoints(ctx, "default", "late", "80")
		return len(eps) == 0
	})
}

func TestHeadlessServiceWithoutPorts(t *testing.T) {
	svc := service("default", "db")
	svc.Spec.ClusterIP = corev1.ClusterIPNone
	c, _ := newTestCluster(t, nil, nil, svc,
		slice("default", "db", "db-1", "", 0, ep{pod: "db-0", ip: "10.0.0.7", hostname: "db-0"}))
	// A slice of a port-less Service has no ports either.
	eps, err := c.Endpoints(ctx0(t), "default", "db", "5432")
	if err != nil || len(eps) != 1 || eps[0].Port != 5432 {
		t.Fatalf("got %v, %v", eps, err)
	}
}

func ctx0(t *testing.T) context.Context { return ctxT(t) }

func TestClosedCluster(t *testing.T) {
	c, _ := newTestCluster(t, nil, nil, service("default", "web", svcPort{"", 80, false}))
	c.Close()
	if _, _, err := c.DialService(ctxT(t), "default", "web", ""); err == nil {
		t.Fatal("dial on a closed cluster worked")
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestEveryProxyMessageInBothLanguages(t *testing.T) {
	var mine []i18n.Message
	for _, m := range i18n.All() {
		if strings.HasPrefix(m.ID, "proxy.") {
			mine = append(mine, m)
		}
	}
	if len(mine) < 20 {
		t.Fatalf("only %d proxy messages registered", len(mine))
	}
	if err := i18n.Validate(mine); err != nil {
		t.Fatal(err)
	}
}
