package cli

import (
	"context"
	"io"
	"strings"

	"github.com/miekg/dns"

	"github.com/labctl/labctl/apply"
	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/labs"
	"github.com/labctl/labctl/proxy"
	"github.com/labctl/labctl/session"
	"github.com/labctl/labctl/verify"
)

// deps are what a command's work needs from outside itself: where to write,
// in which language, the chapters, and how to reach the lab. RunE builds
// them from the command line (globals.deps); tests pass fakes, so each
// command's run function is tested without a cluster.
type deps struct {
	Out, ErrOut io.Writer
	Lang        i18n.Lang
	// Cluster makes, stops, removes and describes the lab (up, start,
	// stop, down, status, doctor, images); its errors carry the marks
	// exitCode reads.
	Cluster labCluster
	// Library loads the chapters (the embedded ones, or --labs DIR).
	Library func() (*labs.Library, error)
	// OpenSession opens the target lab for chapter work (apply, reset,
	// check); its errors carry the marks exitCode reads.
	OpenSession func(ctx context.Context) (labSession, error)
	// In is what a live view reads keys from (labctl proxy's q).
	In io.Reader
	// OpenCore opens the proxy core on the target lab (labctl proxy, dig),
	// after the API server answered; its errors carry the marks exitCode
	// reads.
	OpenCore func(ctx context.Context, t proxy.Transport) (proxyCore, error)
}

// labSession is what the chapter commands do with an open lab: the part of
// session.Session they use, so a test can stand in for the cluster.
type labSession interface {
	Close()
	Guard(ctx context.Context) (context.Context, func() error)
	Check(ctx context.Context, ch *labs.Chapter, steps []int, o verify.Options) verify.Report
	ApplySolution(ctx context.Context, ch *labs.Chapter, steps []int, recreate bool, applied func(apply.Object)) error
	ApplyObjects(ctx context.Context, ch *labs.Chapter, objs []apply.Object, recreate bool, applied func(apply.Object)) error
	ApplyStarter(ctx context.Context, ch *labs.Chapter, step int, mine []apply.Object, recreate bool, prereq func(session.Prerequisite), applied func(apply.Object)) error
	Reset(ctx context.Context, ch *labs.Chapter) (int, error)
}

// proxyCore is what labctl proxy and dig do with the proxy core: the part
// of *proxy.Cluster they use, so a test can stand in for the cluster.
type proxyCore interface {
	Close() error
	Endpoints(ctx context.Context, namespace, name, port string) ([]proxy.Endpoint, error)
	NewProxy(namespace, service, port string, opts ...proxy.ProxyOption) (*proxy.Proxy, error)
	QueryDNS(ctx context.Context, m *dns.Msg) (*proxy.DNSResult, error)
	ClusterDomain() string
}

// deps are the command line's real dependencies; call it in RunE, after
// the flags (--lang) are parsed.
func (g *globals) deps() deps {
	return deps{
		Out: g.streams.Out, ErrOut: g.streams.ErrOut, Lang: g.lang,
		Library: g.library,
		Cluster: &kindCluster{target: g.target(), lang: g.lang, library: g.library},
		OpenSession: func(ctx context.Context) (labSession, error) {
			s, err := session.Open(ctx, g.target(), g.lang, g.store())
			if err != nil {
				return nil, err // not a typed nil in the interface
			}
			return s, nil
		},
		In: g.streams.In,
		OpenCore: func(ctx context.Context, t proxy.Transport) (proxyCore, error) {
			c, err := session.OpenCore(ctx, g.target(), t)
			if err != nil {
				return nil, err // not a typed nil in the interface
			}
			return c, nil
		},
	}
}

// t localizes a message in the command's language.
func (d deps) t(m i18n.Message, args ...any) string { return m.F(d.Lang, args...) }

// chapter finds a chapter by ID or number, or fails with the list.
func (d deps) chapter(ref string) (*labs.Chapter, error) {
	lib, err := d.Library()
	if err != nil {
		return nil, err
	}
	ch, ok := lib.Chapter(ref)
	if !ok {
		return nil, usageErrorf("%s: %s", d.t(msgNoChapter, ref), strings.Join(lib.IDs(), ", "))
	}
	return ch, nil
}

// chapterSteps resolves a chapter argument and its --step values.
func (d deps) chapterSteps(ref string, steps []string) (*labs.Chapter, []int, error) {
	ch, err := d.chapter(ref)
	if err != nil {
		return nil, nil, err
	}
	idx, err := d.steps(ch, steps)
	return ch, idx, err
}

// steps resolves --step values (IDs or numbers, comma separated) to indexes.
func (d deps) steps(ch *labs.Chapter, refs []string) ([]int, error) {
	var out []int
	for _, r := range refs {
		for _, part := range strings.Split(r, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			_, i, ok := ch.Step(part)
			if !ok {
				return nil, usageErrorf("%s: %s", d.t(msgNoStep, part, ch.ID), strings.Join(ch.StepIDs(), ", "))
			}
			out = append(out, i)
		}
	}
	return out, nil
}
