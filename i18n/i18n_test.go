package i18n

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for in, want := range map[string]Lang{
		"ko": Ko, "ko_KR.UTF-8": Ko, "KO-kr": Ko, "en_US.UTF-8": En, "C": En, "C.UTF-8": En, "POSIX": En,
	} {
		if got, ok := Parse(in); !ok || got != want {
			t.Errorf("Parse(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "fr_FR", "de"} {
		if _, ok := Parse(in); ok {
			t.Errorf("Parse(%q) accepted", in)
		}
	}
}

func TestDetect(t *testing.T) {
	t.Setenv("LABCTL_LANG", "")
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	t.Setenv("LANG", "ko_KR.UTF-8")
	if got := Detect(""); got != Ko {
		t.Errorf("LANG=ko_KR: got %s", got)
	}
	if got := Detect("en"); got != En {
		t.Errorf("explicit en: got %s", got)
	}
	t.Setenv("LC_ALL", "en_US.UTF-8")
	if got := Detect(""); got != En {
		t.Errorf("LC_ALL wins over LANG: got %s", got)
	}
	t.Setenv("LABCTL_LANG", "ko")
	if got := Detect(""); got != Ko {
		t.Errorf("LABCTL_LANG wins: got %s", got)
	}
}

func TestValidate(t *testing.T) {
	good := []Message{
		{ID: "reordered", Text: Text{En: "port %d is taken by %s", Ko: "%[2]s 가 포트 %[1]d 를 쓰고 있습니다"}},
		{ID: "indexed both", Text: Text{En: "unknown flag %[1]s for %[2]s", Ko: "%[2]s 에는 %[1]s 플래그가 없습니다"}},
		{ID: "flags and width", Text: Text{En: "%-8s %5.1f%% %q", Ko: "%s %.1f%% %q"}},
		{ID: "star", Text: Text{En: "%*s|%s", Ko: "%[1]*[2]s|%[3]s"}},
		{ID: "twice", Text: Text{En: "%[1]s or %[1]s", Ko: "%s 또는 %[1]s"}},
	}
	if err := Validate(good); err != nil {
		t.Errorf("correct translations rejected: %v", err)
	}
	for _, bad := range []Message{
		{ID: "missing", Text: Text{En: "x"}},
		{ID: "verbs", Text: Text{En: "%d nodes", Ko: "노드"}},
		{ID: "swapped", Text: Text{En: "port %d is taken by %s", Ko: "%s 가 포트 %d 를 쓰고 있습니다"}},
		{ID: "swapped index", Text: Text{En: "%[1]s has %[2]d", Ko: "%[2]s 에 %[1]d"}},
		{ID: "another argument", Text: Text{En: "%[1]s", Ko: "%[2]s"}},
		{ID: "another verb", Text: Text{En: "%q", Ko: "%s"}},
	} {
		if err := Validate([]Message{bad}); err == nil {
			t.Errorf("Validate accepted %s: %q / %q", bad.ID, bad.En, bad.Ko)
		}
	}
}

// The validator before issue 10 compared the verbs sorted, so a Korean
// translation that swapped %s and %d passed, and fmt printed
// "%!s(int=80) 가 포트 %!d(string=web) 를": this is the proof, and the
// check that the new one catches it.
func TestValidateCatchesSwappedVerbs(t *testing.T) {
	sortedVerbs := func(s string) string { // the old rule
		v := regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]`).FindAllString(s, -1)
		sort.Strings(v)
		return strings.Join(v, " ")
	}
	m := Message{ID: "swapped", Text: Text{En: "port %d is taken by %s", Ko: "%s 가 포트 %d 를 쓰고 있습니다"}}
	if sortedVerbs(m.En) != sortedVerbs(m.Ko) {
		t.Fatal("the old rule would have caught it: the proof is wrong")
	}
	if got := m.F(Ko, 80, "web"); !strings.Contains(got, "%!") {
		t.Fatalf("fmt did not garble the swapped translation: %q", got)
	}
	if err := Validate([]Message{m}); err == nil || !strings.Contains(err.Error(), "1:%d 2:%s") {
		t.Errorf("the swapped translation passes: %v", err)
	}
}

func TestErrorLocalize(t *testing.T) {
	m := Message{ID: "t", Text: Text{En: "cluster %q not found", Ko: "클러스터 %q 가 없습니다"}}
	e := Errorf(m, "lab").Wrap(errors.New("exit status 1"))
	if got, want := e.Localize(Ko), `클러스터 "lab" 가 없습니다: exit status 1`; got != want {
		t.Errorf("got %q want %q", got, want)
	}
	wrapped := fmt.Errorf("status: %w", e)
	if got, want := Localize(wrapped, Ko), `status: 클러스터 "lab" 가 없습니다: exit status 1`; got != want {
		t.Errorf("got %q want %q", got, want)
	}
	if got := Localize(errors.New("plain"), Ko); got != "plain" {
		t.Errorf("plain error changed: %q", got)
	}
}
