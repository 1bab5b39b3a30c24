package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/labctl/labctl/cluster"
	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/internal/view"
)

// The situations every command is tried in.
const (
	noCluster   = "no cluster"      // a container runtime that has no lab
	unreachable = "unreachable API" // --kubeconfig at a port nothing listens on
	badFlag     = "bad flag"
	badArg      = "bad argument"
	success     = "success" // where it can succeed without a cluster
)

var situations = []string{noCluster, unreachable, badFlag, badArg, success}

// exitCase is what one command does in one situation: its arguments, exit
// code, and a part of its message (stderr, or stdout on success) in each
// language. na says why the situation cannot happen for the command.
type exitCase struct {
	args   []string
	code   int
	en, ko string
	na     string
}

// fakeRuntime puts a `docker` on PATH that answers `info` and lists no
// containers: a working runtime without a lab, with no Docker.
func fakeRuntime(t *testing.T) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the fake runtime is a shell script")
	}
	dir := t.TempDir()
	script := `#!/bin/sh
case "$1" in
info) echo '{"ServerVersion":"27.0.0","CgroupVersion":"2","MemTotal":8000000000,"NCPU":2,"OperatingSystem":"fake"}' ;;
ps|images|network|container) exit 0 ;;
*) echo "fake docker: $*" >&2; exit 1 ;;
esac
`
	if err := os.WriteFile(filepath.Join(dir, "docker"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("LABCTL_RUNTIME", "docker")
}

func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// runIn runs labctl in-process in a temporary home.
func runIn(t *testing.T, lang string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(append(append([]string{}, args...), "--lang", lang), Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errb})
	return out.String(), errb.String(), code
}

// leafCommands are the command paths a student can run, found in the root.
func leafCommands() []string {
	var out []string
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if sub.Name() == "help" && !sub.HasSubCommands() || sub.HasSubCommands() {
				if sub.HasSubCommands() {
					walk(sub)
				} else {
					out = append(out, strings.TrimPrefix(sub.CommandPath(), "labctl "))
				}
				continue
			}
			out = append(out, strings.TrimPrefix(sub.CommandPath(), "labctl "))
		}
	}
	g := &globals{lang: i18n.En}
	walk(newRoot(g))
	slices.Sort(out)
	return out
}

// exitTable is every command in every situation. A command labctl gains
// without a row here fails TestExitCodes.
func exitTable(kc string) map[string]map[string]exitCase {
	needsNoCluster := exitCase{na: "works without a cluster"}
	noArgs := func(cmd ...string) exitCase {
		return exitCase{args: append(cmd, "extra"), code: exitUsage, en: "takes no arguments", ko: "인자를 주지 않습니다"}
	}
	unknownFlag := func(cmd ...string) exitCase {
		return exitCase{args: append(cmd, "--bogus"), code: exitUsage, en: "unknown flag --bogus", ko: "--bogus 플래그가 없습니다"}
	}
	noLab := func(cmd ...string) exitCase {
		return exitCase{args: cmd, code: exitUsage, en: `there is no lab cluster named "lab"`, ko: `"lab" 라는 실습 클러스터가 없습니다`}
	}
	api := func(cmd ...string) exitCase {
		return exitCase{args: append(cmd, "--kubeconfig", kc), code: exitUsage, en: "the cluster's API server does not answer", ko: "클러스터 API 서버가 응답하지 않습니다"}
	}
	external := func(cmd ...string) exitCase {
		return exitCase{args: append(cmd, "--kubeconfig", kc), code: exitUsage, en: "labctl's own kind cluster", ko: "labctl 이 만든 kind 클러스터"}
	}
	noChapter := func(cmd ...string) exitCase {
		return exitCase{args: append(cmd, "ch99"), code: exitUsage, en: `no chapter "ch99"; chapters: ch03`, ko: `"ch99" 챕터가 없습니다. 챕터 목록: ch03`}
	}
	return map[string]map[string]exitCase{
		"up": {noCluster: {na: "creates the lab"}, unreachable: external("up"), badFlag: {args: []string{"up", "--workers", "x"}, code: exitUsage, en: "want a whole number", ko: "필요한 값은 정수"},
			badArg: noArgs("up"), success: {na: "needs a container runtime that runs kind"}},
		"start": {noCluster: {args: []string{"start"}, code: exitUsage, en: `there is no lab cluster named "lab" to start`, ko: `시작할 "lab" 실습 클러스터가 없습니다`}, unreachable: external("start"), badFlag: {args: []string{"start", "--wait", "soon"}, code: exitUsage, en: "a duration such as 30s", ko: "30s, 2m, 1m30s 같은 시간"},
			badArg: noArgs("start"), success: {na: "needs a stopped lab"}},
		"stop": {noCluster: noLab("stop"), unreachable: external("stop"), badFlag: unknownFlag("stop"), badArg: noArgs("stop"), success: {na: "needs a lab"}},
		"down": {noCluster: {args: []string{"down"}, code: exitOK}, // nothing to delete is what down wants
			unreachable: external("down"), badFlag: unknownFlag("down"), badArg: noArgs("down"), success: {na: "needs a lab"}},
		"status": {noCluster: noLab("status"), unreachable: api("status"), badFlag: {args: []string{"status", "-o", "yaml"}, code: exitUsage, en: "text, json", ko: "text, json"},
			badArg: noArgs("status"), success: {na: "needs a lab"}},
		"doctor": {noCluster: needsNoCluster, unreachable: needsNoCluster, badFlag: {args: []string{"doctor", "--http-port", "0"}, code: exitUsage, en: "1-65535", ko: "1-65535"},
			badArg: noArgs("doctor"), success: {na: "depends on this computer's memory and ports"}},
		"env":                   {noCluster: needsNoCluster, unreachable: needsNoCluster, badFlag: {args: []string{"env", "--shell", "tcsh"}, code: exitUsage, en: "--shell", ko: "--shell"}, badArg: noArgs("env"), success: {args: []string{"env", "--shell", "fish"}, code: exitOK, en: "set -gx KUBECONFIG", ko: "set -gx KUBECONFIG"}},
		"images list":           {noCluster: needsNoCluster, unreachable: needsNoCluster, badFlag: unknownFlag("images", "list"), badArg: noArgs("images", "list"), success: {args: []string{"images", "list"}, code: exitOK, en: "traefik", ko: "traefik"}},
		"images save":           {noCluster: needsNoCluster, unreachable: needsNoCluster, badFlag: unknownFlag("images", "save"), badArg: {args: []string{"images", "save", "a", "b"}, code: exitUsage, en: "usage", ko: "사용법"}, success: {na: "pulls images"}},
		"images load":           {noCluster: needsNoCluster, unreachable: needsNoCluster, badFlag: unknownFlag("images", "load", "x.tar"), badArg: {args: []string{"images", "load"}, code: exitUsage, en: "usage: labctl images load", ko: "사용법: labctl images load"}, success: {na: "loads into a runtime"}},
		"version":               {noCluster: needsNoCluster, unreachable: needsNoCluster, badFlag: unknownFlag("version"), badArg: noArgs("version"), success: {args: []string{"version"}, code: exitOK, en: "labctl", ko: "labctl"}},
		"chapters":              {noCluster: needsNoCluster, unreachable: needsNoCluster, badFlag: {args: []string{"chapters", "-o", "yaml"}, code: exitUsage, en: "text, json", ko: "text, json"}, badArg: noArgs("chapters"), success: {args: []string{"chapters"}, code: exitOK, en: "ch07", ko: "ch07"}},
		"show":                  {noCluster: needsNoCluster, unreachable: needsNoCluster, badFlag: unknownFlag("show", "ch07"), badArg: noChapter("show"), success: {args: []string{"show", "ch07"}, code: exitOK, en: "Service", ko: "서비스"}},
		"hint":                  {noCluster: needsNoCluster, unreachable: needsNoCluster, badFlag: {args: []string{"hint", "ch07", "--step", "1", "-n", "x"}, code: exitUsage, en: "whole number", ko: "정수"}, badArg: noChapter("hint"), success: {args: []string{"hint", "ch07", "--step", "1"}, code: exitOK, en: "1/", ko: "1/"}},
		"manifests":             {noCluster: needsNoCluster, unreachable: needsNoCluster, badFlag: unknownFlag("manifests", "ch07"), badArg: noChapter("manifests"), success: {args: []string{"manifests", "ch07", "-o", "DIR/m"}, code: exitOK, en: "wrote 10 files", ko: "파일 10 개를 썼습니다"}},
		"man":                   {noCluster: needsNoCluster, unreachable: needsNoCluster, badFlag: unknownFlag("man"), badArg: noArgs("man"), success: {args: []string{"man", "-o", "DIR/man"}, code: exitOK}},
		"tls cert":              {noCluster: needsNoCluster, unreachable: needsNoCluster, badFlag: {args: []string{"tls", "cert", "--days", "x"}, code: exitUsage, en: "whole number", ko: "정수"}, badArg: {args: []string{"tls", "cert", "extra"}, code: exitUsage, en: "usage: labctl tls cert --cn NAME -o DIR", ko: "사용법: labctl tls cert --cn NAME -o DIR"}, success: {args: []string{"tls", "cert", "--cn", "kube-book.com", "-o", "DIR/tls"}, code: exitOK}},
		"completion bash":       {noCluster: needsNoCluster, unreachable: needsNoCluster, badFlag: unknownFlag("completion", "bash"), badArg: noArgs("completion", "bash"), success: {args: []string{"completion", "bash"}, code: exitOK, en: "labctl", ko: "labctl"}},
		"completion zsh":        {noCluster: needsNoCluster, unreachable: needsNoCluster, badFlag: unknownFlag("completion", "zsh"), badArg: noArgs("completion", "zsh"), success: {args: []string{"completion", "zsh"}, code: exitOK, en: "labctl", ko: "labctl"}},
		"completion fish":       {noCluster: needsNoCluster, unreachable: needsNoCluster, badFlag: unknownFlag("completion", "fish"), badArg: noArgs("completion", "fish"), success: {args: []string{"completion", "fish"}, code: exitOK, en: "labctl", ko: "labctl"}},
		"completion powershell": {noCluster: needsNoCluster, unreachable: needsNoCluster, badFlag: unknownFlag("completion", "powershell"), badArg: noArgs("completion", "powershell"), success: {args: []string{"completion", "powershell"}, code: exitOK, en: "labctl", ko: "labctl"}},
		"help":                  {noCluster: needsNoCluster, unreachable: needsNoCluster, badFlag: unknownFlag("help"), badArg: {args: []string{"help", "nosuch"}, code: exitUsage, en: "no command \"nosuch\"", ko: "\"nosuch\" 라는 명령은 없습니다"}, success: {args: []string{"help", "check"}, code: exitOK, en: "check", ko: "check"}},
		"apply":                 {noCluster: noLab("apply", "ch07", "--step", "1"), unreachable: api("apply", "ch07", "--step", "1"), badFlag: {args: []string{"apply", "ch07", "--wait", "x"}, code: exitUsage, en: "duration", ko: "시간"}, badArg: noChapter("apply"), success: {na: "needs a lab"}},
		"reset":                 {noCluster: noLab("reset", "ch07"), unreachable: api("reset", "ch07"), badFlag: unknownFlag("reset", "ch07"), badArg: noChapter("reset"), success: {na: "needs a lab"}},
		"check":                 {noCluster: noLab("check", "ch07", "--step", "1"), unreachable: api("check", "ch07", "--step", "1"), badFlag: {args: []string{"check", "ch07", "-o", "yaml"}, code: exitUsage, en: "junit", ko: "junit"}, badArg: noChapter("check"), success: {na: "needs a lab"}},
		"curl":                  {noCluster: noLab("curl", "http://http-go-svc/"), unreachable: api("curl", "http://http-go-svc/"), badFlag: {args: []string{"curl", "-m", "x", "http://a/"}, code: exitUsage, en: "duration", ko: "시간"}, badArg: {args: []string{"curl"}, code: exitUsage, en: "usage", ko: "사용법"}, success: {na: "needs a lab"}},
		"dig":                   {noCluster: noLab("dig", "http-go-svc"), unreachable: api("dig", "http-go-svc"), badFlag: unknownFlag("dig", "x"), badArg: {args: []string{"dig"}, code: exitUsage, en: "want NAME [TYPE]", ko: "NAME [TYPE] 형식이어야"}, success: {na: "needs a lab"}},
		"trace":                 {noCluster: noLab("trace", "svc/http-go-svc"), unreachable: api("trace", "svc/http-go-svc"), badFlag: {args: []string{"trace", "svc/x", "-o", "yaml"}, code: exitUsage, en: "text, json", ko: "text, json"}, badArg: {args: []string{"trace"}, code: exitUsage, en: "usage", ko: "사용법"}, success: {na: "needs a lab"}},
		"proxy":                 {noCluster: noLab("proxy", "svc/http-go-svc"), unreachable: api("proxy", "svc/http-go-svc"), badFlag: unknownFlag("proxy", "svc/x"), badArg: {args: []string{"proxy"}, code: exitUsage, en: "usage", ko: "사용법"}, success: {na: "needs a lab"}},
	}
}

// TestExitCodes runs every command in every situation, in English and
// Korean, and checks the exit code and the message: the exit-code table of
// the README, command by command.
func TestExitCodes(t *testing.T) {
	fakeRuntime(t)
	t.Setenv("LABCTL_HOME", t.TempDir())
	t.Setenv("KUBECONFIG", filepath.Join(t.TempDir(), "none"))
	t.Setenv("LABCTL_LANG", "")
	kc := kubeconfigFor(t, closedPort(t))
	table := exitTable(kc)
	documented := map[int]bool{}
	for _, row := range exitCodes {
		documented[row.code] = true
	}
	for _, c := range leafCommands() {
		if _, ok := table[c]; !ok {
			t.Errorf("labctl %s has no row in the exit-code table", c)
		}
	}
	for c, row := range table {
		for _, s := range situations {
			ec, ok := row[s]
			if !ok {
				t.Errorf("labctl %s: no %q case", c, s)
				continue
			}
			if ec.args == nil {
				if ec.na == "" {
					t.Errorf("labctl %s %s: neither arguments nor a reason it cannot happen", c, s)
				}
				continue
			}
			if !documented[ec.code] {
				t.Errorf("labctl %s %s: exit %d is not in the README's table", c, s, ec.code)
			}
			for _, l := range []i18n.Lang{i18n.En, i18n.Ko} {
				t.Run(c+"/"+s+"/"+string(l), func(t *testing.T) {
					dir := t.TempDir()
					args := make([]string, len(ec.args))
					for i, a := range ec.args {
						args[i] = strings.Replace(a, "DIR", dir, 1)
					}
					out, errOut, code := runIn(t, string(l), args...)
					if code != ec.code {
						t.Fatalf("labctl %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, ec.code, out, errOut)
					}
					text, want := errOut, ec.en
					if l == i18n.Ko {
						want = ec.ko
					}
					if code == exitOK {
						text = out
					} else {
						label := map[i18n.Lang]string{i18n.En: "ERROR: ", i18n.Ko: "오류: "}[l]
						if !strings.Contains(errOut, label) {
							t.Errorf("stderr does not say %q:\n%s", label, errOut)
						}
					}
					if !strings.Contains(text, want) {
						t.Errorf("labctl %s: output does not contain %q:\n%s", strings.Join(args, " "), want, text)
					}
					if strings.Contains(out+errOut, "goroutine ") {
						t.Errorf("a stack trace:\n%s", errOut)
					}
				})
			}
		}
	}
}

// The README's exit-code table is exitCodes, row for row: a code added or
// reworded on one side only fails here. (Read rather than generated: the
// README stays hand-written prose, and there is no generator to forget.)
func TestREADMEExitCodes(t *testing.T) {
	var want []string
	for _, r := range exitCodes {
		want = append(want, fmt.Sprintf("| %d | %s |", r.code, r.meaning))
	}
	for _, file := range []string{"../README.md", "../docs/design.md"} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		_, rest, ok := strings.Cut(string(b), "<!-- exit-codes: begin -->")
		block, _, ok2 := strings.Cut(rest, "<!-- exit-codes: end -->")
		if !ok || !ok2 {
			t.Fatalf("%s has no <!-- exit-codes: begin/end --> table", file)
		}
		var rows []string
		for _, line := range strings.Split(strings.TrimSpace(block), "\n")[2:] {
			rows = append(rows, strings.TrimSpace(line))
		}
		if !slices.Equal(rows, want) {
			t.Errorf("%s's exit-code table:\n%s\nwant (cli/exit.go):\n%s", file, strings.Join(rows, "\n"), strings.Join(want, "\n"))
		}
	}
}

// Each row of the table, from an error marked where it arises.
func TestExitCodeClasses(t *testing.T) {
	mark := func(sentinel error) error {
		return i18n.Errorf(i18n.M("test.mark", "x", "x")).Marked(sentinel)
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name string
		ctx  context.Context
		err  error
		want int
	}{
		{"success", context.Background(), nil, exitOK},
		{"a failure", context.Background(), errors.New("boom"), exitFailure},
		{"a failed check", context.Background(), &silentError{code: exitFailure}, exitFailure},
		{"usage", context.Background(), &usageError{err: errors.New("bad flag")}, exitUsage},
		{"no cluster", context.Background(), fmt.Errorf("open: %w", mark(cluster.ErrNoCluster)), exitUsage},
		{"API unreachable", context.Background(), mark(cluster.ErrUnreachable), exitUsage},
		{"kubeconfig", context.Background(), mark(cluster.ErrKubeconfig), exitUsage},
		{"no runtime", context.Background(), mark(cluster.ErrRuntime), exitUsage},
		{"runtime down", context.Background(), mark(cluster.ErrRuntimeDown), exitUsage},
		{"stopped", context.Background(), mark(cluster.ErrStopped), exitStopped},
		{"stopped, found by a usage check", context.Background(), &usageError{err: mark(cluster.ErrStopped)}, exitStopped},
		{"timeout", context.Background(), fmt.Errorf("wait: %w", context.DeadlineExceeded), exitTimeout},
		{"Ctrl-C during up", context.Background(), mark(view.ErrInterrupted), exitInterrupted},
		{"Ctrl-C", cancelled, fmt.Errorf("list: %w", context.Canceled), exitInterrupted},
		{"a cancel that was not Ctrl-C", context.Background(), context.Canceled, exitFailure},
	} {
		if got := exitCode(tc.ctx, tc.err); got != tc.want {
			t.Errorf("%s: exit %d, want %d", tc.name, got, tc.want)
		}
	}
}

// --runtime names a runtime labctl cannot drive: a usage error, before
// anything asks the runtime.
func TestUnknownRuntimeIsUsage(t *testing.T) {
	t.Setenv("LABCTL_HOME", t.TempDir())
	_, errOut, code := runIn(t, "en", "status", "--runtime", "rkt")
	if code != exitUsage || !strings.Contains(errOut, `--runtime "rkt"`) {
		t.Errorf("exit %d:\n%s", code, errOut)
	}
}
