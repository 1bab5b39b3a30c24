package cli

import (
	"encoding/json"
	"io"
	"strings"
)

// outputFlag validates -o values.
func outputFlag(g *globals, value string, allowed ...string) error {
	for _, a := range allowed {
		if value == a {
			return nil
		}
	}
	return usageErrorf("-o %q: %s", value, g.t(msgWantOneOf, strings.Join(allowed, ", ")))
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
