package labnet

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labctl/labctl/cluster"
	"github.com/labctl/labctl/verify"

	"github.com/miekg/dns"
)

// curlOut is what one curl in a node prints for one URL: the body, then the
// write-out of nodeRequests.
func curlOut(body, status, exit, errmsg string) string {
	return body + marker + status + " " + exit + " " + errmsg + "\n"
}

func TestParseCurl(t *testing.T) {
	t.Run("several responses, bodies with newlines", func(t *testing.T) {
		out := curlOut("http-go-a\n", "200", "0", "") +
			curlOut("line one\nline two\n\nline four", "404", "0", "") +
			curlOut("", "204", "0", "")
		rs := parseCurl(out, 3)
		want := []verify.HTTPResponse{{Status: 200, Body: "http-go-a\n"}, {Status: 404, Body: "line one\nline two\n\nline four"}, {Status: 204}}
		if len(rs) != 3 {
			t.Fatalf("%d responses: %+v", len(rs), rs)
		}
		for i := range want {
			if rs[i].Status != want[i].Status || rs[i].Body != want[i].Body || rs[i].Err != "" {
				t.Errorf("response %d: %+v, want %+v", i, rs[i], want[i])
			}
		}
	})
	t.Run("connection failures keep curl's message", func(t *testing.T) {
		out := curlOut("http-go-a\n", "200", "0", "") +
			curlOut("", "000", "7", "Failed to connect to 10.96.100.10 port 80 after 1 ms: Couldn't connect to server") +
			curlOut("", "000", "28", "Connection timed out after 3001 milliseconds") +
			curlOut("http-go-b\n", "200", "0", "")
		rs := parseCurl(out, 4)
		if rs[0].Status != 200 || rs[3].Status != 200 || rs[3].Body != "http-go-b\n" {
			t.Errorf("%+v", rs)
		}
		if rs[1].Status != 0 || rs[1].Body != "" || rs[1].Err != "Failed to connect to 10.96.100.10 port 80 after 1 ms: Couldn't connect to server" {
			t.Errorf("%+v", rs[1])
		}
		if rs[2].Status != 0 || rs[2].Err != "Connection timed out after 3001 milliseconds" {
			t.Errorf("%+v", rs[2])
		}
	})
	t.Run("no answer always says why", func(t *testing.T) {
		rs := parseCurl(curlOut("", "000", "28", ""), 1)
		if rs[0].Status != 0 || rs[0].Err == "" {
			t.Errorf("%+v", rs[0])
		}
		rs = parseCurl(marker+"garbage\n", 1)
		if rs[0].Status != 0 || !strings.Contains(rs[0].Err, "garbage") {
			t.Errorf("%+v", rs[0])
		}
	})
	t.Run("fewer responses than asked", func(t *testing.T) {
		rs := parseCurl(curlOut("http-go-a\n", "200", "0", ""), 3)
		if len(rs) != 3 || rs[0].Status != 200 || rs[1].Status != 0 || rs[1].Err != "no answer" || rs[2].Err != "no answer" {
			t.Errorf("%+v", rs)
		}
		rs = parseCurl("", 2)
		if len(rs) != 2 || rs[0].Err != "no answer" {
			t.Errorf("%+v", rs)
		}
	})
}

func TestSplitURL(t *testing.T) {
	for raw, want := range map[string]urlParts{
		"http://10.96.100.10:80/":           {false, "10.96.100.10", "80", "/"},
		"https://127.0.0.1:8443/main/x?y=1": {true, "127.0.0.1", "8443", "/main/x?y=1"},
		"http://[fd00::1]/":                 {false, "fd00::1", "80", "/"},
		"http://[fd00::1]:8080":             {false, "fd00::1", "8080", "/"},
		"https://kube-book.com":             {true, "kube-book.com", "443", "/"},
	} {
		got, err := splitURL(raw)
		if err != nil || got != want {
			t.Errorf("splitURL(%s) = %+v, %v; want %+v", raw, got, err, want)
		}
	}
	if _, err := splitURL("ftp://x/"); err == nil {
		t.Error("ftp accepted")
	}
}

func TestNetworkDNS(t *testing.T) {
	n := &Network{}
	if _, err := n.DNS(context.Background(), "x.", dns.TypeA); err == nil {
		t.Error("no DNS client, no error")
	}
	n.DNSFunc = func(_ context.Context, name string, qtype uint16) (*dns.Msg, error) {
		if name != "x.default.svc.cluster.local." || qtype != dns.TypeCNAME {
			return nil, errors.New("wrong question")
		}
		return new(dns.Msg), nil
	}
	if _, err := n.DNS(context.Background(), "x.default.svc.cluster.local.", dns.TypeCNAME); err != nil {
		t.Error(err)
	}
}

// The host side sends each request on its own connection from this
// computer (verify's tests cover SendOnce in depth).
func TestHostSide(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprintf(w, "host=%s", r.Host) }))
	defer srv.Close()
	n := &Network{Timeout: 5 * time.Second, Lab: &cluster.Lab{Name: "elsewhere"}}
	rs, err := n.HTTP(context.Background(), verify.FromHost, "", verify.HTTPRequest{URL: srv.URL, Host: "kube-book.com"}, 2)
	if err != nil || len(rs) != 2 || rs[1].Status != 200 || rs[1].Body != "host=kube-book.com" {
		t.Errorf("%+v, %v", rs, err)
	}
	if _, _, err := n.IngressURLs(context.Background()); err == nil {
		t.Error("ingress URLs without a lab")
	}
}
