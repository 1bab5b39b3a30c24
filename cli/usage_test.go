package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/internal/settings"
)

// run runs labctl in-process as a student would, in a temporary home.
func run(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	t.Setenv("LABCTL_HOME", t.TempDir())
	t.Setenv("KUBECONFIG", filepath.Join(t.TempDir(), "none"))
	var out, errb bytes.Buffer
	code = Main(args, Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errb})
	return out.String(), errb.String(), code
}

// Every verb with bad input, in Korean: a usage error (exit 2) whose every
// line is Korean — cobra's and pflag's English must not leak through — and
// which says what to type.
func TestBadInputInKorean(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		says []string
	}{
		{[]string{"frobnicate"}, []string{`"frobnicate"`, "명령: apply"}},
		{[]string{"chek", "ch07"}, []string{"혹시 labctl check 인가요?"}},
		{[]string{"check"}, []string{"labctl check CHAPTER", "ch07", "ch08", "labctl check --help"}},
		{[]string{"check", "ch07", "--timeout", "x"}, []string{"--timeout", "30s"}},
		{[]string{"check", "ch07", "--timeout"}, []string{"--timeout", "값이 필요"}},
		{[]string{"check", "ch07", "--bogus"}, []string{"--bogus", "labctl check --help"}},
		{[]string{"check", "ch07", "-x"}, []string{"-x"}},
		{[]string{"check", "ch07", "extra"}, []string{"labctl check CHAPTER"}},
		{[]string{"apply"}, []string{"labctl apply CHAPTER"}},
		{[]string{"reset"}, []string{"labctl reset CHAPTER"}},
		{[]string{"trace"}, []string{"labctl trace TARGET"}},
		{[]string{"trace", "web"}, []string{`"web"`, "svc/NAME", "대상이 아닙니다"}},
		{[]string{"trace", "svc/web", "--from", "nowhere"}, []string{"--from", "host, node/NAME"}},
		{[]string{"trace", "svc/web", "-o", "yaml"}, []string{"-o", "json"}},
		{[]string{"show"}, []string{"labctl show CHAPTER"}},
		{[]string{"manifests"}, []string{"labctl manifests CHAPTER"}},
		{[]string{"hint", "ch07", "--step", "1,2"}, []string{"한 단계씩", "labctl hint --help"}},
		{[]string{"status", "extra"}, []string{"labctl status", `"extra"`}},
		{[]string{"version", "extra"}, []string{"labctl version"}},
		{[]string{"help", "foo"}, []string{`"foo"`}},
		{[]string{"tls", "bogus"}, []string{`"bogus"`, "cert"}},
		{[]string{"images", "bogus"}, []string{"list, load, save"}},
		{[]string{"completion", "tcsh"}, []string{`"tcsh"`, "bash"}},
		{[]string{"env", "--shell", "bogus"}, []string{"--shell", "powershell"}},
		{[]string{"doctor", "--http-port", "-1"}, []string{"--http-port -1", "1-65535"}},
		{[]string{"doctor", "--http-port", "70000"}, []string{"70000"}},
		{[]string{"doctor", "--http-port", "8080", "--https-port", "8080"}, []string{"8080"}},
		{[]string{"up", "--workers", "-1"}, []string{"--workers"}},
		{[]string{"up", "--http-port", "8443", "--https-port", "8443"}, []string{"8443"}},
		{[]string{"tls", "cert"}, []string{"--cn"}},
		{[]string{"tls", "cert", "--cn", "a", "--san", ",,,", "-o", dir}, []string{"--san", "쉼표"}},
		{[]string{"tls", "cert", "--cn", "a b", "-o", dir}, []string{`"a b"`}},
		{[]string{"tls", "cert", "--cn", "https://kube-book.com", "-o", dir}, []string{"스킴"}},
		{[]string{"check", "ch99"}, []string{`"ch99"`, "ch07"}},
		{[]string{"check", "ch07", "--step", "nope"}, []string{`"nope"`, "clusterip"}},
		{[]string{"check", "ch07", "-o", "yaml"}, []string{"yaml"}},
	} {
		name := strings.Join(tc.args, " ")
		t.Run(name, func(t *testing.T) {
			_, stderr, code := run(t, append([]string{"--lang", "ko"}, tc.args...)...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d\n%s", code, exitUsage, stderr)
			}
			for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
				if !hasHangul(line) {
					t.Errorf("an English line in a Korean session: %q", line)
				}
			}
			for _, s := range tc.says {
				if !strings.Contains(stderr, s) {
					t.Errorf("does not say %q:\n%s", s, stderr)
				}
			}
			if strings.Contains(stderr, "arg(s)") || strings.Contains(stderr, "invalid argument") || strings.Contains(stderr, "unknown command") {
				t.Errorf("cobra's English leaks through:\n%s", stderr)
			}
		})
	}
}

// The same mistakes in English give the same exit code and English text.
func TestBadInputInEnglish(t *testing.T) {
	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"chek", "ch07"}, "did you mean labctl check?"},
		{[]string{"check"}, "usage: labctl check CHAPTER [--step N] (arguments given: 0); chapters: ch03, ch04, ch07, ch08"},
		{[]string{"check", "ch07", "--timeout", "x"}, `--timeout "x": want a duration such as 30s, 2m or 1m30s`},
		{[]string{"help", "foo"}, `labctl has no command "foo"`},
	} {
		_, stderr, code := run(t, append([]string{"--lang", "en"}, tc.args...)...)
		if code != exitUsage || !strings.Contains(stderr, tc.says) {
			t.Errorf("labctl %s: exit %d, want 2 saying %q:\n%s", strings.Join(tc.args, " "), code, tc.says, stderr)
		}
	}
}

func hasHangul(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Hangul, r) {
			return true
		}
	}
	return false
}

// A file system error reads in Korean too, naming the path.
func TestOSErrorsInKorean(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no", "such")
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"chapters", "--labs", missing}, "그런 파일이나 디렉터리가 없습니다"},
		{[]string{"manifests", "ch07", "-o", filepath.Join(file, "x")}, "디렉터리가 아닌 파일"},
	} {
		_, stderr, code := run(t, append(tc.args, "--lang", "ko")...)
		if code == 0 || !strings.Contains(stderr, tc.says) || !hasHangul(stderr) {
			t.Errorf("labctl %s: exit %d\n%s", strings.Join(tc.args, " "), code, stderr)
		}
	}
	empty := t.TempDir()
	_, stderr, _ := run(t, "chapters", "--labs", empty, "--lang", "ko")
	if !strings.Contains(stderr, "챕터가 없습니다") {
		t.Errorf("empty --labs directory:\n%s", stderr)
	}
}

// `labctl -v` and `labctl version` say the same.
func TestVersionFlagMatchesCommand(t *testing.T) {
	a, _, _ := run(t, "version")
	b, _, _ := run(t, "-v")
	if a != b || !strings.Contains(a, "node image") {
		t.Errorf("version:\n%s\n-v:\n%s", a, b)
	}
}

// Completion offers chapter ids, step ids and -o formats.
func TestCompletions(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"__complete", "check", ""}, []string{"ch07", "ch08"}},
		{[]string{"__complete", "check", "ch07", "--step", ""}, []string{"clusterip", "headless"}},
		{[]string{"__complete", "check", "ch07", "-o", ""}, []string{"json", "junit"}},
		{[]string{"__complete", "help", "ch"}, []string{"chapters", "check"}},
	} {
		out, _, _ := run(t, tc.args...)
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: no %q in\n%s", tc.args, w, out)
			}
		}
	}
}

// A key the student made is never overwritten without --force.
func TestTLSCertKeepsAnExistingKey(t *testing.T) {
	dir := t.TempDir()
	if _, stderr, code := run(t, "tls", "cert", "--cn", "kube-book.com", "-o", dir); code != 0 {
		t.Fatalf("first cert: exit %d\n%s", code, stderr)
	}
	before, _ := os.ReadFile(filepath.Join(dir, "tls.key"))
	_, stderr, code := run(t, "tls", "cert", "--cn", "kube-book.com", "-o", dir)
	after, _ := os.ReadFile(filepath.Join(dir, "tls.key"))
	if code == 0 || !bytes.Equal(before, after) || !strings.Contains(stderr, "--force") {
		t.Errorf("second cert without --force: exit %d, key changed %v\n%s", code, !bytes.Equal(before, after), stderr)
	}
	if _, _, code := run(t, "tls", "cert", "--cn", "kube-book.com", "-o", dir, "--force"); code != 0 {
		t.Errorf("--force: exit %d", code)
	}
	after, _ = os.ReadFile(filepath.Join(dir, "tls.key"))
	if bytes.Equal(before, after) {
		t.Error("--force kept the old key")
	}
}

func TestCertNames(t *testing.T) {
	g := &globals{}
	cn, sans, err := certNames(g.deps(), "한국.kr", []string{"*.kube-book.com", "10.0.0.1", " www.kube-book.com "})
	if err != nil {
		t.Fatal(err)
	}
	if cn != "xn--3e0b707e.kr" || strings.Join(sans, ",") != "*.kube-book.com,10.0.0.1,www.kube-book.com" {
		t.Errorf("got %q %q", cn, sans)
	}
	for _, bad := range [][2]string{{"", ""}, {"a b", ""}, {"a", ""}, {"kube-book.com/x", ""}} {
		var s []string
		if bad[0] == "a" {
			s = []string{""}
		}
		if _, _, err := certNames(g.deps(), bad[0], s); err == nil {
			t.Errorf("certNames(%q, %q) accepted", bad[0], s)
		}
	}
}

// One language rule for the commands and the TUI: --lang, LABCTL_LANG, the
// language chosen in the TUI, the locale.
func TestLanguageRule(t *testing.T) {
	home := t.TempDir()
	t.Setenv("LABCTL_HOME", home)
	t.Setenv("LANG", "en_US.UTF-8")
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	if err := settings.Save(settings.Settings{Schema: settings.Schema, Lang: i18n.Ko}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		env, flag string
		korean    bool
		code      int
	}{
		{"", "", true, exitUsage},     // the TUI's choice reaches the commands
		{"en", "", false, exitUsage},  // LABCTL_LANG is above it
		{"", "en", false, exitUsage},  // --lang above all
		{"xx", "", true, exitUsage},   // LABCTL_LANG=xx is an error, as --lang xx is, said in the TUI's language
		{"xx", "ko", true, exitUsage}, // unless --lang decides
	} {
		t.Setenv("LABCTL_LANG", tc.env)
		args := []string{"check", "ch99"}
		if tc.flag != "" {
			args = append(args, "--lang", tc.flag)
		}
		var out, errb bytes.Buffer
		code := Main(args, Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errb})
		if code != tc.code || hasHangul(errb.String()) != tc.korean {
			t.Errorf("LABCTL_LANG=%q --lang %q: exit %d, Korean %v, want %v:\n%s", tc.env, tc.flag, code, hasHangul(errb.String()), tc.korean, errb.String())
		}
		if tc.env == "xx" && tc.flag == "" && !strings.Contains(errb.String(), `LABCTL_LANG="xx"`) {
			t.Errorf("LABCTL_LANG=xx not named:\n%s", errb.String())
		}
	}
}
