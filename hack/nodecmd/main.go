// Command nodecmd runs one read-only command line in a lab node through
// labctl's node shells (cluster/nodeshell) and prints its output; it is how
// the testdata of trace/iptables was recorded:
//
//	go run ./hack/nodecmd -name trace -node trace-worker 'iptables-save -c -t nat'
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/labctl/labctl/cluster"
	"github.com/labctl/labctl/cluster/nodeshell"
)

func main() {
	name := flag.String("name", cluster.DefaultOptions().Name, "kind cluster name")
	node := flag.String("node", "", "node name")
	flag.Parse()
	if err := run(*name, *node, strings.Join(flag.Args(), " ")); err != nil {
		fmt.Fprintln(os.Stderr, "nodecmd:", err)
		os.Exit(1)
	}
}

func run(name, node, line string) error {
	ctx := context.Background()
	lab, err := cluster.Open(ctx, cluster.Target{Name: name})
	if err != nil {
		return err
	}
	nd, err := lab.Node(node)
	if err != nil {
		return err
	}
	p := nodeshell.NewPool(nd, 1)
	defer p.Close()
	out, err := p.Run(ctx, line, 20*time.Second)
	if err != nil {
		return err
	}
	fmt.Println(out)
	return nil
}
