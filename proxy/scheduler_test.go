package proxy

import (
	"fmt"
	"net/netip"
	"testing"
	"time"
)

func mustScheduler(t testing.TB, name string, bs []*backend) scheduler {
	t.Helper()
	s, err := newScheduler(name)
	if err != nil {
		t.Fatal(err)
	}
	s.update(bs)
	return s
}

func TestUnknownScheduler(t *testing.T) {
	if _, err := newScheduler("wrr"); err == nil {
		t.Fatal("wrr accepted")
	}
	for _, n := range Schedulers() {
		if _, err := newScheduler(n); err != nil {
			t.Errorf("%s: %v", n, err)
		}
	}
}

// rr cycles through the backends in order, each getting exactly its share.
func TestRoundRobinCyclesEvenly(t *testing.T) {
	for _, n := range []int{1, 2, 3, 7} {
		bs := backends(n)
		s := mustScheduler(t, RoundRobin, bs)
		count := map[*backend]int{}
		for i := range 100 * n {
			b := s.pick(clientIP(0))
			if b != bs[i%n] {
				t.Fatalf("n=%d pick %d: got %s, want %s", n, i, b.info.Pod, bs[i%n].info.Pod)
			}
			count[b]++
		}
		for _, b := range bs {
			if count[b] != 100 {
				t.Errorf("n=%d: %s got %d picks, want 100", n, b.info.Pod, count[b])
			}
		}
	}
}

func TestRoundRobinSkipsQuiescedAndKeepsPlace(t *testing.T) {
	bs := backends(3)
	bs[1].weight = 0
	s := mustScheduler(t, RoundRobin, bs)
	for i, want := range []string{"b0", "b2", "b0"} {
		if got := s.pick(clientIP(0)).info.Pod; got != want {
			t.Fatalf("pick %d: %s, want %s", i, got, want)
		}
	}
	// b0 was picked last; after b1 comes back rr continues after b0.
	bs[1].weight = 1
	s.update(bs)
	if got := s.pick(clientIP(0)).info.Pod; got != "b1" {
		t.Errorf("after update: %s, want b1", got)
	}
	s.(*roundRobin).startAt(2)
	if got := s.pick(clientIP(0)).info.Pod; got != "b2" {
		t.Errorf("after startAt(2): %s", got)
	}
	s.update(nil)
	if s.pick(clientIP(0)) != nil {
		t.Error("empty backend list picked something")
	}
}

// sh sends a client to the same backend every time and spreads many
// clients over all backends.
func TestSourceHashStableAndSpread(t *testing.T) {
	bs := backends(4)
	s := mustScheduler(t, SourceHashing, bs)
	first := map[netip.Addr]*backend{}
	count := map[*backend]int{}
	const clients = 4096
	for i := range clients {
		c := clientIP(i)
		b := s.pick(c)
		first[c] = b
		count[b]++
	}
	for round := range 3 {
		for c, want := range first {
			if got := s.pick(c); got != want {
				t.Fatalf("round %d: client %s moved from %s to %s", round, c, want.info.Pod, got.info.Pod)
			}
		}
	}
	for _, b := range bs {
		// An even spread is 1024 each; the hash is deterministic, so this
		// bound is not flaky, it just allows for the hash's unevenness.
		if count[b] < clients/4/2 {
			t.Errorf("%s got %d of %d clients", b.info.Pod, count[b], clients)
		}
	}
	v6 := netip.MustParseAddr("fd00::1")
	if first, again := s.pick(v6), s.pick(v6); first != again {
		t.Error("IPv6 client not stable")
	}
	if s.pick(netip.MustParseAddr("::ffff:192.168.0.7")) != s.pick(clientIP(7)) {
		t.Error("IPv4-mapped client hashed differently from IPv4")
	}
}

func TestSourceHashWeights(t *testing.T) {
	bs := backends(2)
	bs[0].weight = 3
	s := mustScheduler(t, SourceHashing, bs).(*sourceHash)
	n := map[*backend]int{}
	for _, b := range s.table {
		n[b]++
	}
	if n[bs[0]] != 192 || n[bs[1]] != 64 {
		t.Errorf("buckets: b0 %d, b1 %d; want 192, 64", n[bs[0]], n[bs[1]])
	}
}

// lc prefers the backend with the least (active<<8 + inactive).
func TestLeastConnection(t *testing.T) {
	bs := backends(3)
	s := mustScheduler(t, LeastConnection, bs)
	bs[0].active.Store(2)
	bs[1].active.Store(1)
	bs[2].active.Store(1)
	bs[2].inactive.Store(1)
	if got := s.pick(clientIP(0)); got != bs[1] {
		t.Errorf("picked %s, want b1 (1 active, 0 inactive)", got.info.Pod)
	}
	// 255 half-closed connections still weigh less than one open one.
	bs[1].active.Store(2)
	bs[2].active.Store(1)
	bs[2].inactive.Store(255)
	if got := s.pick(clientIP(0)); got != bs[2] {
		t.Errorf("picked %s, want b2", got.info.Pod)
	}
	// Connections that stay open spread evenly, like rr.
	for _, b := range bs {
		b.active.Store(0)
		b.inactive.Store(0)
	}
	for range 30 {
		s.pick(clientIP(0)).active.Add(1)
	}
	for _, b := range bs {
		if b.active.Load() != 10 {
			t.Errorf("%s holds %d, want 10", b.info.Pod, b.active.Load())
		}
	}
}

// sed minimises (active+1)/weight; nq takes an idle backend first, even a
// light one, and otherwise behaves as sed. With weights 1 and 3 and nothing
// open, sed picks the heavy backend and nq the first idle one: the
// difference the IPVS docs describe.
func TestSedAndNeverQueue(t *testing.T) {
	bs := backends(2)
	bs[1].weight = 3
	sed := mustScheduler(t, ShortestExpectedDelay, bs)
	nq := mustScheduler(t, NeverQueue, bs)
	if got := sed.pick(clientIP(0)); got != bs[1] {
		t.Errorf("sed picked %s with nothing open, want b1 (weight 3)", got.info.Pod)
	}
	if got := nq.pick(clientIP(0)); got != bs[0] {
		t.Errorf("nq picked %s with nothing open, want idle b0", got.info.Pod)
	}
	// Open connections one by one under sed: b1 takes 3 for each of b0's 1.
	for range 8 {
		sed.pick(clientIP(0)).active.Add(1)
	}
	if a, b := bs[0].active.Load(), bs[1].active.Load(); a != 2 || b != 6 {
		t.Errorf("sed spread %d:%d, want 2:6", a, b)
	}
	// With both busy, nq is sed: (2+1)/1 vs (6+1)/3 → b1.
	if got := nq.pick(clientIP(0)); got != bs[1] {
		t.Errorf("nq with both busy picked %s, want b1", got.info.Pod)
	}
	// An idle backend anywhere in the list wins at once.
	bs2 := backends(3)
	for _, b := range bs2[:2] {
		b.active.Store(1)
	}
	bs2[0].weight = 100
	nq.update(bs2)
	if got := nq.pick(clientIP(0)); got != bs2[2] {
		t.Errorf("nq picked %s, want the idle b2", got.info.Pod)
	}
}

func TestQuiescedBackendsNeverPicked(t *testing.T) {
	for _, name := range Schedulers() {
		bs := backends(2)
		bs[0].weight, bs[1].weight = 0, 0
		s := mustScheduler(t, name, bs)
		if b := s.pick(clientIP(1)); b != nil {
			t.Errorf("%s picked quiesced %s", name, b.info.Pod)
		}
	}
}

// Affinity sticks while the client keeps coming back within the timeout,
// then lets the scheduler choose again.
func TestAffinitySticksUntilTimeout(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1000, 0)}
	bs := backends(3)
	a := newAffinity(mustScheduler(t, RoundRobin, nil), 10*time.Second, clk)
	a.update(bs)
	c := clientIP(1)
	first := a.pick(c)
	for range 20 {
		clk.Advance(9 * time.Second) // each use restarts the timer
		if got := a.pick(c); got != first {
			t.Fatalf("moved to %s before the timeout", got.info.Pod)
		}
	}
	// Another client is scheduled by rr meanwhile, not pinned to first.
	if other := a.pick(clientIP(2)); other == first {
		t.Errorf("second client got the same backend under rr")
	}
	clk.Advance(10 * time.Second)
	if got := a.pick(c); got == first {
		t.Errorf("still on %s after the timeout", got.info.Pod)
	}
}

func TestAffinityDropsGoneBackend(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1000, 0)}
	bs := backends(2)
	a := newAffinity(mustScheduler(t, RoundRobin, nil), time.Hour, clk)
	a.update(bs)
	c := clientIP(1)
	first := a.pick(c)
	first.ready.Store(false)
	var rest []*backend
	for _, b := range bs {
		if b != first {
			rest = append(rest, b)
		}
	}
	a.update(rest)
	if got := a.pick(c); got == first || got == nil {
		t.Errorf("after its backend left, client got %v", got)
	}
	if len(a.clients) != 1 {
		t.Errorf("affinity table has %d entries, want 1", len(a.clients))
	}
}

func TestAffinitySweepsExpired(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1000, 0)}
	a := newAffinity(mustScheduler(t, RoundRobin, nil), time.Second, clk)
	a.update(backends(2))
	for i := range 5000 {
		a.pick(clientIP(i))
		clk.Advance(time.Millisecond)
	}
	if len(a.clients) > 3000 {
		t.Errorf("%d entries kept; expired ones should be swept", len(a.clients))
	}
}

func TestHistogramQuantiles(t *testing.T) {
	var h histogram
	if h.quantile(0.5) != 0 {
		t.Error("empty histogram has a median")
	}
	for i := 1; i <= 100; i++ {
		h.record(time.Duration(i) * time.Millisecond)
	}
	for _, c := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 50 * time.Millisecond}, {0.99, 99 * time.Millisecond}} {
		got := h.quantile(c.q)
		if got < c.want || float64(got) > 1.25*float64(c.want) {
			t.Errorf("q%.2f = %s, want about %s", c.q, got, c.want)
		}
	}
	for i := range histBuckets {
		if i > 0 && histUpper(i) <= histUpper(i-1) {
			t.Fatalf("bucket bounds not increasing at %d", i)
		}
		if histIndex(histUpper(i)) != i && i < histBuckets-1 {
			t.Fatalf("bucket %d upper bound %s maps to %d", i, histUpper(i), histIndex(histUpper(i)))
		}
	}
}

func BenchmarkPick(b *testing.B) {
	for _, name := range Schedulers() {
		for _, n := range []int{3, 10} {
			b.Run(fmt.Sprintf("%s/%d", name, n), func(b *testing.B) {
				bs := backends(n)
				for i, be := range bs {
					be.active.Store(int64(1 + i%3)) // all busy: nq scans the whole list
				}
				s := mustScheduler(b, name, bs)
				c := clientIP(42)
				b.ReportAllocs()
				for b.Loop() {
					if s.pick(c) == nil {
						b.Fatal("no pick")
					}
				}
			})
		}
	}
	b.Run("rr+affinity/10", func(b *testing.B) {
		a := newAffinity(mustScheduler(b, RoundRobin, nil), time.Hour, realClock{})
		a.update(backends(10))
		c := clientIP(42)
		b.ReportAllocs()
		for b.Loop() {
			a.pick(c)
		}
	})
}
