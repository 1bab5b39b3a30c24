// Command loadgen sends HTTP GETs from several workers and prints
// requests/s and latency percentiles.
//
// One target:
//
//	loadgen -url URL [-via plain|core] [-c 8] [-d 10s]
//	rps=1234.5 p50_ms=1.234 p99_ms=5.678 ok=12345 errors=0
//
// Two targets compared (-b): the two take turns in short slices for a number
// of rounds, so a noisy machine's slow and fast moments fall on both alike,
// and the ratio is the median of each round's ratio. With -cpu the CPU time
// that processes with those names spent during each side's slices, less
// what they spend in an idle slice of the same length, is reported per
// request (µs), which says where the time goes:
//
//	loadgen -url URL_A -via core -b URL_B -rounds 10 -slice 2s -cpu kubectl,labctl,kube-apiserver
//
// With -via core the requests go through labctl's proxy core (its HTTP
// client, so Service names, ClusterIPs and LoadBalancer addresses are
// reached the way the verifier reaches them); otherwise through a plain
// net/http client. A URL may be a comma-separated list, taken in turn, and
// -loopback-sources spreads connections to a local listener over several
// source addresses: both keep many new connections a second clear of
// TIME_WAIT trouble (see run and spreadLoopback). hack/bench-proxy.sh
// drives it.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/labctl/labctl/proxy"
)

type side struct {
	label, url, via string
	client          *http.Client
	lat             []time.Duration
	rps             []float64
	errs            int
	cpu             map[string]float64 // process name → CPU seconds
	requests        int
	busy            float64 // seconds under load
}

func main() {
	urlA := flag.String("url", "", "URL to GET (or several, comma-separated, taken in turn)")
	via := flag.String("via", "plain", "plain or core")
	labelA := flag.String("label", "a", "name of -url in the output")
	urlB := flag.String("b", "", "a second URL (or list) to compare against (plain client unless -via-b)")
	viaB := flag.String("via-b", "plain", "plain or core, for -b")
	labelB := flag.String("label-b", "b", "name of -b in the output")
	workers := flag.Int("c", 8, "concurrent workers")
	dur := flag.Duration("d", 10*time.Second, "how long to measure (one target)")
	rounds := flag.Int("rounds", 10, "turns each side takes (with -b)")
	slice := flag.Duration("slice", 2*time.Second, "length of one turn (with -b)")
	warm := flag.Duration("warmup", time.Second, "unmeasured warm-up")
	keepalive := flag.Bool("keepalive", false, "reuse connections (default: one connection per request)")
	cpuNames := flag.String("cpu", "", "comma-separated process names whose CPU time to account (Linux)")
	sources := flag.Int("loopback-sources", 1, "connect to loopback targets from this many addresses, 127.0.0.1 up (Linux)")
	kubeconfig := flag.String("kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig, for -via core")
	flag.Parse()
	if *urlA == "" || *workers < 1 || *dur <= 0 || *rounds < 1 || *slice <= 0 {
		flag.Usage()
		os.Exit(2)
	}
	var closers []func()
	defer func() {
		for _, c := range closers {
			c()
		}
	}()
	newClient := func(via string) *http.Client {
		switch via {
		case "plain":
			return &http.Client{Transport: &http.Transport{DialContext: spreadLoopback(*sources),
				DisableKeepAlives: !*keepalive, MaxIdleConnsPerHost: *workers}}
		case "core":
			cfg, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
			if err != nil {
				fail(err)
			}
			cs, err := kubernetes.NewForConfig(cfg)
			if err != nil {
				fail(err)
			}
			core := proxy.NewCluster(cfg, cs)
			closers = append(closers, func() { core.Close() })
			return core.NewHTTPClient(proxy.HTTPOptions{DisableKeepAlives: !*keepalive})
		}
		fail(fmt.Errorf("-via %q: want plain or core", via))
		return nil
	}
	names := splitList(*cpuNames)
	a := &side{label: *labelA, url: *urlA, via: *via, client: newClient(*via), cpu: map[string]float64{}}
	if *urlB == "" {
		run(a.client, a.url, *workers, *warm) // warm-up: connections, informers, caches
		lat, errs, elapsed := run(a.client, a.url, *workers, *dur)
		if len(lat) == 0 {
			fail(fmt.Errorf("no request succeeded (%d errors)", errs))
		}
		sortDur(lat)
		fmt.Printf("rps=%.1f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f ok=%d errors=%d\n",
			float64(len(lat))/elapsed.Seconds(), q(lat, 0.50), q(lat, 0.99), q(lat, 1), len(lat), errs)
		return
	}
	b := &side{label: *labelB, url: *urlB, via: *viaB, client: newClient(*viaB), cpu: map[string]float64{}}
	sides := []*side{a, b}
	for _, s := range sides {
		run(s.client, s.url, *workers, *warm)
	}
	var ratios []float64
	idle := map[string]float64{} // CPU seconds per second with no load: the cluster's own background
	idleTime := 0.0
	for r := range *rounds {
		if len(names) > 0 {
			before, t := cpuTimes(names), time.Now()
			time.Sleep(*slice)
			after := cpuTimes(names)
			idleTime += time.Since(t).Seconds()
			for _, n := range names {
				idle[n] += after[n] - before[n]
			}
		}
		// Alternate who goes first, so neither always follows the other's
		// leftovers (TIME_WAIT sockets, a busy garbage collector).
		order := sides
		if r%2 == 1 {
			order = []*side{b, a}
		}
		for _, s := range order {
			before := cpuTimes(names)
			lat, errs, elapsed := run(s.client, s.url, *workers, *slice)
			after := cpuTimes(names)
			for _, n := range names {
				s.cpu[n] += after[n] - before[n]
			}
			s.busy += elapsed.Seconds()
			s.lat = append(s.lat, lat...)
			s.errs += errs
			s.requests += len(lat)
			s.rps = append(s.rps, float64(len(lat))/elapsed.Seconds())
		}
		if last := len(a.rps) - 1; b.rps[last] > 0 {
			ratios = append(ratios, a.rps[last]/b.rps[last])
		}
	}
	for _, s := range sides {
		if len(s.lat) == 0 {
			fail(fmt.Errorf("%s: no request succeeded (%d errors)", s.label, s.errs))
		}
		sortDur(s.lat)
		fmt.Printf("%s|%.1f|%.3f|%.3f|%d|%d", s.label, median(s.rps), q(s.lat, 0.50), q(s.lat, 0.99), len(s.lat), s.errs)
		for _, n := range names {
			// µs of CPU per request, less what the process spends idle.
			extra := s.cpu[n] - idle[n]/idleTime*s.busy
			fmt.Printf("|%s=%.0f", n, max(extra, 0)/float64(s.requests)*1e6)
		}
		fmt.Println()
	}
	sort.Float64s(ratios)
	fmt.Printf("ratio|%.2f|%.2f|%.2f\n", median(ratios), ratios[0], ratios[len(ratios)-1])
}

// run sends requests from n workers for d and returns each success's
// latency, the error count and the time it took.
//
// urls may list several (comma-separated), taken in turn. New connections
// to one address and port at a thousand a second use up the 28,000 local
// ports in TIME_WAIT within half a minute, after which every connect()
// searches for a free one (or reuses one the far side's NAT still
// remembers, and waits a second for a retransmitted SYN); spreading them
// over several ports of the same server keeps a comparison out of that.
func run(client *http.Client, urls string, n int, d time.Duration) ([]time.Duration, int, time.Duration) {
	list := splitList(urls)
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var mu sync.Mutex
	var all []time.Duration
	errs := 0
	var wg sync.WaitGroup
	start := time.Now()
	for w := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			bad := 0
			for i := w; ctx.Err() == nil; i++ {
				t := time.Now()
				if err := get(ctx, client, list[i%len(list)]); err != nil {
					if ctx.Err() == nil {
						bad++
					}
					continue
				}
				mine = append(mine, time.Since(t))
			}
			mu.Lock()
			all, errs = append(all, mine...), errs+bad
			mu.Unlock()
		}()
	}
	wg.Wait()
	return all, errs, time.Since(start)
}

func get(ctx context.Context, client *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode >= 500 {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}

// spreadLoopback dials loopback targets from n source addresses in turn
// (127.0.0.1 to 127.0.0.n; Linux answers on all of 127/8). A proxy that
// passes on the server's close closes first, so TIME_WAIT is on its
// listener's side; at a few hundred connections a second the client soon
// picks a local port whose old connection is still there, the listener's
// side answers its SYN with a stale ACK, and the connection waits a second
// for the SYN to be sent again. Any proxy would see it, kubectl's too, and
// it says nothing about either; more source addresses make it rare.
func spreadLoopback(n int) func(ctx context.Context, network, addr string) (net.Conn, error) {
	var next atomic.Uint32
	plain := &net.Dialer{KeepAlive: 30 * time.Second}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(addr)
		ip, perr := netip.ParseAddr(host)
		if n <= 1 || err != nil || perr != nil || !ip.Is4() || !ip.IsLoopback() {
			return plain.DialContext(ctx, network, addr)
		}
		src := netip.AddrFrom4([4]byte{127, 0, 0, byte(1 + next.Add(1)%uint32(min(n, 254)))})
		d := &net.Dialer{KeepAlive: 30 * time.Second, LocalAddr: net.TCPAddrFromAddrPort(netip.AddrPortFrom(src, 0)),
			Control: bindNoPort}
		return d.DialContext(ctx, network, addr)
	}
}

// cpuTimes sums user+system CPU seconds of every process whose name
// (/proc/PID/comm, or the start of it: the kernel cuts names at 15 bytes)
// is one of names. Processes in kind's node containers are visible from
// the host, so this covers the API server, kubelet and containerd too.
func cpuTimes(names []string) map[string]float64 {
	out := map[string]float64{}
	if len(names) == 0 {
		return out
	}
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		comm, err := os.ReadFile(d + "/comm")
		if err != nil {
			continue
		}
		c := strings.TrimSpace(string(comm))
		for _, n := range names {
			if c == n || (len(c) == 15 && strings.HasPrefix(n, c)) {
				out[n] += procCPU(d)
			}
		}
	}
	return out
}

// procCPU reads utime+stime (fields 14 and 15 of /proc/PID/stat) in
// seconds, assuming the usual 100 clock ticks per second.
func procCPU(dir string) float64 {
	b, err := os.ReadFile(dir + "/stat")
	if err != nil {
		return 0
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')') // the name may contain spaces
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (u + st) / 100
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func sortDur(d []time.Duration) { sort.Slice(d, func(i, j int) bool { return d[i] < d[j] }) }

func q(lat []time.Duration, p float64) float64 {
	return float64(lat[int(p*float64(len(lat)-1))]) / 1e6
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "loadgen:", err)
	os.Exit(1)
}
