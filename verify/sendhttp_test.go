package verify

import (
	"testing"

	"github.com/labctl/labctl/i18n"
)

// A request that got no answer is described with curl's reason.
func TestDescribeNoAnswer(t *testing.T) {
	r := HTTPResponse{Err: "Failed to connect to 10.96.100.10 port 80 after 1 ms: Couldn't connect to server"}
	if d := (&Env{Lang: i18n.En}).describe(r); d != "no answer: Failed to connect to 10.96.100.10 port 80 after 1 ms: Couldn't connect to server" {
		t.Errorf("describe: %s", d)
	}
}
