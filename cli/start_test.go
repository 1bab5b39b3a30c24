package cli

import "testing"

func TestStopCommandNamesTheLab(t *testing.T) {
	if got := stopCommand("lab"); got != "labctl stop" {
		t.Errorf("default lab: %q", got)
	}
	if got := stopCommand("rs"); got != "labctl stop --name rs" {
		t.Errorf("named lab: %q", got)
	}
}
