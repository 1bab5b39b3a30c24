package runtime

import (
	"errors"
	"fmt"
	"net"
	"syscall"
	"time"

	"github.com/labctl/labctl/i18n"
)

// ListenAddress is where the control-plane container publishes the ingress
// ports on the host: loopback only, so a student's lab is not exposed on
// the café Wi-Fi.
const ListenAddress = "127.0.0.1"

// CheckPortFree fails with the port and the flag that changes it when
// something on the host already holds port.
func CheckPortFree(port int, flag string) error {
	addr := net.JoinHostPort(ListenAddress, fmt.Sprint(port))
	l, err := net.Listen("tcp", addr)
	if err == nil {
		l.Close()
		return nil
	}
	if errors.Is(err, syscall.EADDRINUSE) {
		return i18n.Errorf(msgPortTaken, port, flag).WithFix(fixPortTaken)
	}
	// Not allowed to bind (a low port without privileges): the runtime can,
	// so only refuse when something already answers there.
	c, derr := net.DialTimeout("tcp", addr, 500*time.Millisecond)
	if derr == nil {
		c.Close()
		return i18n.Errorf(msgPortTaken, port, flag).WithFix(fixPortTaken)
	}
	return nil
}
