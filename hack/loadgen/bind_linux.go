package main

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// bindNoPort lets a socket bound to a source address take its port only
// when it connects, so the port need only be unused for that destination:
// a plain bind to port 0 reserves the port for every destination, and
// thousands of such ports in TIME_WAIT would leave other connections from
// this computer (the direct side of a comparison) short of ports.
func bindNoPort(_, _ string, c syscall.RawConn) error {
	var serr error
	err := c.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_BIND_ADDRESS_NO_PORT, 1)
	})
	if err != nil {
		return err
	}
	return serr
}
