package verify

import "testing"

// A selector with a typo names the pods it probably meant first.
func TestClosenessPrefersTheNearestLabels(t *testing.T) {
	sel := map[string]string{"app": "http-og"}
	near := closeness(sel, map[string]string{"app": "http-go", "pod-template-hash": "x"})
	far := closeness(sel, map[string]string{"app": "book-web"})
	none := closeness(sel, map[string]string{"run": "http-go"})
	if !(near > far && far > none) {
		t.Errorf("near %d, far %d, none %d", near, far, none)
	}
	if editDistance("http-og", "http-go") != 2 || editDistance("", "abc") != 3 || editDistance("same", "same") != 0 {
		t.Error("edit distance")
	}
}

// A pass right after an Ingress changed is held: its controller may still
// route by the old rules (the rule without host the student just applied
// is not served yet, and the old host rule passes).
func TestARecentRoutingChangeHoldsAPass(t *testing.T) {
	if !(Motion{Routing: []string{"Ingress default/x changed 0.5s ago"}}).HoldsPass() {
		t.Error("a routing change does not hold a pass")
	}
	if (Motion{CatchingUp: []string{"Service default/x changed 1s ago"}}).HoldsPass() {
		t.Error("catching up holds a pass (only failures wait for it)")
	}
}
