// Package cli is labctl's command line: one cobra command per file, each
// built by a constructor with its own flag struct and listed once in
// newRoot. RunE builds the real dependencies (globals.deps: streams,
// language, chapters, the session opener) and calls the command's run
// function, which tests call with fakes; exitCode (exit.go) turns any error
// into the exit code.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"k8s.io/client-go/rest"

	"github.com/labctl/labctl/cluster"
	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/internal/settings"
	"github.com/labctl/labctl/labs"
)

// Streams are the command's standard streams.
type Streams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
}

// globals are the flags every command shares.
type globals struct {
	lang       i18n.Lang
	langErr    error // LABCTL_LANG names no language labctl speaks
	langFlag   string
	name       string
	kubeconfig string
	context    string
	runtime    string
	labsDir    string
	streams    Streams
	lib        *labs.Library
}

func (g *globals) target() cluster.Target {
	return cluster.Target{Name: g.name, Kubeconfig: g.kubeconfig, Context: g.context, Runtime: g.runtime}
}

// t localizes a message in the session's language.
func (g *globals) t(m i18n.Message, args ...any) string { return m.F(g.lang, args...) }

// Main runs labctl with args and returns the process exit code. Ctrl-C
// cancels the context the commands run under; a second Ctrl-C exits at once.
func Main(args []string, streams Streams) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C gets the default behaviour: exit now
	}()
	defer stop()
	g := &globals{streams: streams}
	g.lang, g.langErr = detectLang(langFromArgs(args))
	defer startProfile(g)()

	// API server warnings (a deprecated API in a student's manifest) are
	// worth reading: print them plainly, once each, instead of as klog lines.
	rest.SetDefaultWarningHandler(rest.NewWarningWriter(streams.ErrOut, rest.WarningWriterOptions{Deduplicate: true}))
	root := newRoot(g)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return 0
	}
	var usage *usageError
	if errors.As(err, &usage) && usage.path == "" && cmd != nil {
		usage.path = cmd.CommandPath() // its --help explains what went wrong
	}
	code := exitCode(ctx, err)
	var silent *silentError
	if !errors.As(err, &silent) {
		printError(streams.ErrOut, g.lang, err)
	}
	return code
}

// detectLang is the one rule for the language, the same for the commands and
// the TUI: --lang, then LABCTL_LANG, then the language last chosen in the
// TUI (L), then the locale. A LABCTL_LANG labctl cannot speak is an error,
// as --lang xx is, reported once the command line is parsed.
func detectLang(explicit string) (i18n.Lang, error) {
	if l, ok := i18n.Parse(explicit); ok {
		return l, nil
	}
	var err error
	if v := os.Getenv("LABCTL_LANG"); v != "" {
		if l, ok := i18n.Parse(v); ok {
			return l, nil
		}
		err = &usageError{err: i18n.Errorf(msgBadLangEnv, v)}
	}
	if s, e := settings.Load(); e == nil && s.Lang != "" {
		return s.Lang, err
	}
	return i18n.Detect(""), err
}

// langFromArgs finds --lang before flags are parsed, so help text and flag
// errors are already in the student's language.
func langFromArgs(args []string) string {
	for i, a := range args {
		if a == "--" {
			break
		}
		if v, ok := strings.CutPrefix(a, "--lang="); ok {
			return v
		}
		if a == "--lang" && i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

func newRoot(g *globals) *cobra.Command {
	root := &cobra.Command{
		Use:           "labctl",
		Short:         g.t(helpRoot),
		Long:          g.t(helpRootLong),
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       versionString(),
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if g.langErr != nil && g.langFlag == "" {
				return g.langErr
			}
			if g.runtime != "" && !slices.Contains(cluster.Runtimes, g.runtime) {
				return usageErrorf("--runtime %q: %s", g.runtime, g.t(msgWantOneOf, strings.Join(cluster.Runtimes, ", ")))
			}
			if g.langFlag != "" {
				l, ok := i18n.Parse(g.langFlag)
				if !ok {
					return usageErrorf("--lang %q", g.langFlag)
				}
				g.lang = l
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runInteractive(cmd.Context(), g)
		},
		Args: cobra.NoArgs,
	}
	pf := root.PersistentFlags()
	pf.StringVar(&g.langFlag, "lang", "", g.t(flagLang))
	pf.StringVar(&g.name, "name", cluster.DefaultOptions().Name, g.t(flagName))
	pf.StringVar(&g.kubeconfig, "kubeconfig", "", g.t(flagKubeconfig))
	pf.StringVar(&g.context, "context", "", g.t(flagContext))
	pf.StringVar(&g.runtime, "runtime", "", g.t(flagRuntime))
	pf.StringVar(&g.labsDir, "labs", "", g.t(flagLabs))
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error { return flagError(g, cmd, err) })
	// cobra's completion command takes its writer when it is made: set the
	// streams first, so `labctl completion bash` writes where Main was told.
	root.SetIn(g.streams.In)
	root.SetOut(g.streams.Out)
	root.SetErr(g.streams.ErrOut)
	// Every command labctl has, in one list.
	root.AddCommand(
		newUpCommand(g), newStartCommand(g), newStopCommand(g), newDownCommand(g), newStatusCommand(g), newDoctorCommand(g),
		newEnvCommand(g), newImagesCommand(g), newVersionCommand(g),
		newApplyCommand(g), newResetCommand(g), newChaptersCommand(g), newCheckCommand(g), newHintCommand(g),
		newCurlCommand(g), newDigCommand(g), newManCommand(g), newManifestsCommand(g), newProxyCommand(g),
		newShowCommand(g), newTLSCommand(g), newTraceCommand(g),
	)
	localizeHelp(root, g)
	return root
}

func printError(w io.Writer, l i18n.Lang, err error) {
	label := "ERROR"
	if l == i18n.Ko {
		label = "오류"
	}
	fmt.Fprintf(w, "%s: %s\n", label, i18n.Localize(err, l))
	if fix := i18n.FixOf(err, l); fix != "" {
		fmt.Fprintf(w, "  → %s\n", fix)
	}
	var usage *usageError
	if errors.As(err, &usage) && !cluster.Gone(err) {
		path := usage.path
		if path == "" {
			path = "labctl"
		}
		fmt.Fprintf(w, "  → %s\n", msgSeeHelp.F(l, path))
	}
}

// startProfile writes a CPU profile to $LABCTL_CPUPROFILE while labctl runs,
// for measuring the proxy core and the verifier under load; it returns the
// function that ends it. Unset (always, for students), it does nothing; a
// profile that cannot be written is said on stderr and the command runs.
func startProfile(g *globals) func() {
	path := os.Getenv("LABCTL_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err == nil {
		if err = pprof.StartCPUProfile(f); err != nil {
			f.Close()
		}
	}
	if err != nil {
		fmt.Fprintln(g.streams.ErrOut, g.t(msgNoProfile, err))
		return func() {}
	}
	return func() { pprof.StopCPUProfile(); f.Close() }
}
