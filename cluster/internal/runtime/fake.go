package runtime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Stand-ins for the runtime's CLI, for the tests of this package and of the
// packages that use it (cluster, doctor): one copy, not one per package.

// Fake plays the runtime's CLI: each command's answer by its first words
// ("ERR text" writes text to stderr and fails), a failure for the rest.
// Every command line, and what was written to its stdin, goes to calls.
func Fake(answers map[string]string, calls *[]string) Runtime {
	return Runtime{Name: "docker", Bin: "docker", Exec: func(_ context.Context, stdin io.Reader, stdout, stderr io.Writer, args ...string) error {
		line := strings.Join(args, " ")
		*calls = append(*calls, line)
		if stdin != nil {
			b, _ := io.ReadAll(stdin)
			*calls = append(*calls, "stdin:"+string(b))
		}
		for prefix, out := range answers {
			if strings.HasPrefix(line, prefix) {
				if strings.HasPrefix(out, "ERR ") {
					fmt.Fprint(stderr, strings.TrimPrefix(out, "ERR "))
					return errors.New("exit status 1")
				}
				fmt.Fprint(stdout, out)
				return nil
			}
		}
		return errors.New("exit status 125")
	}}
}

// FakeNodes answers `info`, `ps` and `inspect` like docker does for a lab's
// nodes (their states by name; a running node has an address).
func FakeNodes(states map[string]string) Runtime {
	return Runtime{Name: "docker", Bin: "docker", Exec: func(_ context.Context, _ io.Reader, stdout, _ io.Writer, args ...string) error {
		switch args[0] {
		case "info":
			fmt.Fprint(stdout, `{"ServerVersion":"28.2.2","CgroupVersion":"2"}`)
		case "ps":
			for n := range states {
				fmt.Fprintln(stdout, n)
			}
		case "inspect":
			for _, n := range args[3:] {
				role := "worker"
				if strings.HasSuffix(n, "control-plane") {
					role = "control-plane"
				}
				ip := ""
				if states[n] == "running" {
					ip = "172.18.0.9 "
				}
				fmt.Fprintf(stdout, "/%s\t%s\t%s\t%s\n", n, states[n], role, ip)
			}
		default:
			return fmt.Errorf("unexpected %v", args)
		}
		return nil
	}}
}
