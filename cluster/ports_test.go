package cluster

import (
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/labctl/labctl/i18n"
)

func TestCheckPortFree(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	err = checkPortFree(port, "--http-port")
	var le *i18n.Error
	if !errors.As(err, &le) || le.Msg.ID != msgPortTaken.ID {
		t.Fatalf("taken port: got %v", err)
	}
	for _, l := range []i18n.Lang{i18n.En, i18n.Ko} {
		s := le.Localize(l)
		if !strings.Contains(s, "--http-port") || !strings.Contains(s, strconv.Itoa(port)) {
			t.Errorf("%s message %q does not name the port and the flag", l, s)
		}
	}
	l.Close()
	if err := checkPortFree(port, "--http-port"); err != nil {
		t.Errorf("free port reported taken: %v", err)
	}
}
