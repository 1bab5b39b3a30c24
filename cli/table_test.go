package cli

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/labctl/labctl/cluster/doctor"
)

// Columns start at the same terminal column whatever the script: a Hangul
// syllable is two columns wide.
func TestTableAlignsByDisplayWidth(t *testing.T) {
	var b bytes.Buffer
	tb := newTable(&b)
	fmt.Fprintln(tb, "노드\t역할\t버전")
	fmt.Fprintln(tb, "✓ lab-control-plane\tcontrol-plane\tv1.34.4")
	fmt.Fprintln(tb, "✓ 워커\t워커\tv1.34.4")
	if err := tb.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "" +
		"노드                 역할           버전\n" +
		"✓ lab-control-plane  control-plane  v1.34.4\n" +
		"✓ 워커               워커           v1.34.4\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	for _, line := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		if col := width(line[:strings.LastIndex(line, "  ")+2]); col != width("✓ lab-control-plane  control-plane  ") {
			t.Errorf("last column of %q starts at %d", line, col)
		}
	}
}

func TestDoctorFindingsAlignInKorean(t *testing.T) {
	var b bytes.Buffer
	printFindings(&b, []doctor.Finding{
		{State: doctor.OK, Title: "컨테이너 런타임", Detail: "docker 28"},
		{State: doctor.Warn, Title: "cgroup", Detail: "v1"},
		{State: doctor.Info, Title: "ingress-nginx", Detail: "retired", Fix: "--ingress traefik"},
	})
	want := "" +
		"✓ 컨테이너 런타임  docker 28\n" +
		"! cgroup           v1\n" +
		"ℹ ingress-nginx    retired\n" +
		"                   → --ingress traefik\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestPagerCommand(t *testing.T) {
	have := func(string) (string, error) { return "/usr/bin/less", nil }
	none := func(string) (string, error) { return "", errors.New("not found") }
	for _, tc := range []struct {
		labctl, pager string
		look          func(string) (string, error)
		want          string
	}{
		{"", "", have, "less"},
		{"", "", none, ""},
		{"", "most -s", have, "most -s"},
		{"less -S", "most", have, "less -S"},
		{"", "cat", have, ""},
		{"cat", "less", have, ""},
	} {
		if got := strings.Join(pagerCommand(tc.labctl, tc.pager, tc.look), " "); got != tc.want {
			t.Errorf("LABCTL_PAGER=%q PAGER=%q: %q, want %q", tc.labctl, tc.pager, got, tc.want)
		}
	}
}

// Sizes read as the runtime writes them; the start and stop commands name
// the lab only when it is not the default one.
func TestFormatBytesAndLabCommands(t *testing.T) {
	for n, want := range map[int64]string{512 << 10: "512 KiB", 300 << 20: "300 MiB", 3 << 29: "1.5 GiB"} {
		if got := formatBytes(n); got != want {
			t.Errorf("formatBytes(%d) = %q, want %q", n, got, want)
		}
	}
	if startCommand("lab") != "labctl start" || startCommand("rs") != "labctl start --name rs" || stopCommand("rs") != "labctl stop --name rs" {
		t.Errorf("commands: %q %q %q", startCommand("lab"), startCommand("rs"), stopCommand("rs"))
	}
}
