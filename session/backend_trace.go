package session

import (
	"context"

	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/labs"
	"github.com/labctl/labctl/trace"
)

// Trace is the TUI's trace view (t): labctl trace TARGET -n NAMESPACE from
// this computer, through the backend's session.
func (b *Backend) Trace(ctx context.Context, lang i18n.Lang, ch *labs.Chapter, target string) (*trace.Trace, error) {
	tg, err := trace.ParseTarget(target, ch.Namespace)
	if err != nil {
		return nil, err
	}
	s, err := b.session(ctx, lang)
	if err != nil {
		return nil, err
	}
	tr, done := s.Tracer()
	defer done()
	return tr.Run(ctx, tg, trace.Vantage{Kind: trace.FromHost})
}
