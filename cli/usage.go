package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/labctl/labctl/i18n"
)

// cobra and pflag write their own errors in English ("accepts 1 arg(s),
// received 0", "unknown flag: --x", "time: invalid duration"). labctl
// replaces every one of them with a message in the student's language that
// says what to type, and marks it as a usage error (exit 2). Nothing here
// reads the English text: flag errors are told apart by pflag's error types,
// argument errors by the command and the arguments it was given.

// usageFor wraps a usage error with the command whose help explains it.
func usageFor(g *globals, cmd *cobra.Command, format string, args ...any) error {
	err := usageErrorf(format, args...)
	if cmd != nil {
		err.(*usageError).path = cmd.CommandPath()
	}
	return err
}

// flagError is the root's FlagErrorFunc.
func flagError(g *globals, cmd *cobra.Command, err error) error {
	var notExist *pflag.NotExistError
	var invalid *pflag.InvalidValueError
	var needsValue *pflag.ValueRequiredError
	var syntax *pflag.InvalidSyntaxError
	switch {
	case errors.As(err, &notExist):
		return usageFor(g, cmd, "%s", g.t(msgUnknownFlag, dashed(notExist.GetSpecifiedName(), notExist.GetSpecifiedShortnames()), cmd.CommandPath()))
	case errors.As(err, &invalid):
		f := invalid.GetFlag()
		return usageFor(g, cmd, "%s", g.t(msgBadFlagValue, invalid.GetValue(), "--"+f.Name, wantFor(g, f)))
	case errors.As(err, &needsValue):
		f := needsValue.GetFlag()
		return usageFor(g, cmd, "%s", g.t(msgFlagNeedsValue, "--"+f.Name, wantFor(g, f)))
	case errors.As(err, &syntax):
		return usageFor(g, cmd, "%s", g.t(msgFlagSyntax, syntax.GetSpecifiedFlag()))
	}
	return usageFor(g, cmd, "%v", err)
}

func dashed(name, short string) string {
	if name != "" {
		return "--" + name
	}
	return "-" + short
}

// wantFor says what a flag's value should look like, by its type.
func wantFor(g *globals, f *pflag.Flag) string {
	switch f.Value.Type() {
	case "duration":
		return g.t(msgWantDuration)
	case "int", "int32", "int64", "uint", "uint16", "uint32":
		return g.t(msgWantNumber)
	case "bool":
		return g.t(msgWantBool)
	}
	return g.t(msgWantText)
}

// localizeArgs replaces cmd's argument validator with one whose errors say
// the command's usage line (and, for a CHAPTER argument, the chapters).
func localizeArgs(g *globals, cmd *cobra.Command) {
	if cmd.HasSubCommands() && !cmd.Runnable() {
		// A group (tls, images, completion): an unknown sub-command is a
		// mistake, not a request for help.
		cmd.Args = cobra.ArbitraryArgs
		cmd.RunE = func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return c.Help()
			}
			return unknownCommand(g, c, args[0])
		}
		return
	}
	orig := cmd.Args
	if orig == nil {
		return
	}
	cmd.Args = func(c *cobra.Command, args []string) error {
		if orig(c, args) == nil {
			return nil
		}
		if !c.HasParent() || c.HasSubCommands() && len(args) > 0 {
			return unknownCommand(g, c, args[0])
		}
		if len(args) > 0 && strings.Fields(c.Use)[0] == c.Use {
			return usageFor(g, c, "%s", g.t(msgNoArgs, c.CommandPath(), strings.Join(args, " ")))
		}
		msg := g.t(msgArgs, usageLine(c), len(args))
		if strings.Contains(c.Use, "CHAPTER") {
			if lib, err := g.library(); err == nil {
				msg += "; " + g.t(msgChapterList, strings.Join(lib.IDs(), ", "))
			}
		}
		return usageFor(g, c, "%s", msg)
	}
}

// usageLine is the command path with its arguments, as Use spells them.
func usageLine(c *cobra.Command) string {
	line := c.CommandPath()
	if _, rest, ok := strings.Cut(c.Use, " "); ok {
		line += " " + rest
	}
	return line
}

// unknownCommand names what the student typed, a suggestion when one is
// close, and the commands that exist.
func unknownCommand(g *globals, c *cobra.Command, typed string) error {
	msg := g.t(msgUnknownCommand, typed, c.CommandPath())
	if c.SuggestionsMinimumDistance <= 0 {
		c.SuggestionsMinimumDistance = 2
	}
	// cobra's suggestions are near in edit distance; one that does not even
	// start like what was typed (tcsh → bash) misleads more than it helps.
	if s := c.SuggestionsFor(typed); len(s) > 0 && typed != "" && s[0][0] == typed[0] {
		msg += "; " + g.t(msgDidYouMean, c.CommandPath()+" "+s[0])
	} else {
		var names []string
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() {
				names = append(names, sub.Name())
			}
		}
		msg += "; " + g.t(msgCommandList, strings.Join(names, ", "))
	}
	return usageFor(g, c, "%s", msg)
}

// newHelpCommand replaces cobra's help command, which prints the root's
// help and exits 0 for a topic that does not exist.
func newHelpCommand(g *globals, root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:   "help [command]",
		Short: g.t(helpHelp),
		RunE: func(c *cobra.Command, args []string) error {
			target, rest, err := root.Find(args)
			if err != nil || target == nil || len(rest) > 0 {
				parent := root
				if target != nil {
					parent = target
				}
				typed := strings.Join(args, " ")
				if len(rest) > 0 {
					typed = rest[0]
				}
				return unknownCommand(g, parent, typed)
			}
			return target.Help()
		},
		ValidArgsFunction: func(c *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			var names []string
			for _, sub := range root.Commands() {
				if sub.IsAvailableCommand() && strings.HasPrefix(sub.Name(), toComplete) {
					names = append(names, sub.Name())
				}
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
	}
}

// localizeCompletion gives cobra's completion command Korean help text.
func localizeCompletion(g *globals, c *cobra.Command) {
	c.Short = g.t(helpCompletion)
	c.Long = g.t(helpCompletionLong)
	for _, sub := range c.Commands() {
		sub.Short = g.t(helpCompletionShell, sub.Name())
	}
}

// completeChapters offers chapter ids for a CHAPTER argument.
func completeChapters(g *globals) cobra.CompletionFunc {
	return func(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		lib, err := g.library()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []string
		for _, ch := range lib.Chapters {
			out = append(out, ch.ID+"\t"+ch.Title.In(g.lang))
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// completeSteps offers the step ids of the chapter already typed.
func completeSteps(g *globals) cobra.CompletionFunc {
	return func(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		if len(args) == 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		ch, err := g.chapter(args[0])
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []string
		for i, s := range ch.Steps {
			out = append(out, fmt.Sprintf("%s\t%d. %s", s.ID, i+1, s.Title.In(g.lang)))
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// completeWords offers fixed values (an -o flag's formats).
func completeWords(words ...string) cobra.CompletionFunc {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return words, cobra.ShellCompDirectiveNoFileComp
	}
}

// outputFormats are the -o values each command accepts; completion offers
// them.
var outputFormats = map[string][]string{
	"check":    {"text", "json", "junit"},
	"chapters": {"text", "json"},
	"status":   {"text", "json"},
	"doctor":   {"text", "json"},
}

// addCompletions registers what a command's arguments and flags complete to.
func addCompletions(g *globals, c *cobra.Command) {
	if strings.Contains(c.Use, "CHAPTER") && c.ValidArgsFunction == nil {
		c.ValidArgsFunction = completeChapters(g)
	}
	if c.Flags().Lookup("step") != nil {
		_ = c.RegisterFlagCompletionFunc("step", completeSteps(g))
	}
	if words, ok := outputFormats[c.Name()]; ok && c.Flags().Lookup("output") != nil {
		_ = c.RegisterFlagCompletionFunc("output", completeWords(words...))
	}
}

var (
	msgUnknownFlag      = i18n.M("cli.flag.unknown", "unknown flag %[1]s for %[2]s", "%[2]s 에는 %[1]s 플래그가 없습니다")
	msgBadFlagValue     = i18n.M("cli.flag.invalid", "%[2]s %[1]q: want %[3]s", "%[2]s %[1]q: 필요한 값은 %[3]s")
	msgFlagNeedsValue   = i18n.M("cli.flag.needs-value", "%s needs a value: %s", "%s 에는 값이 필요합니다: %s")
	msgFlagSyntax       = i18n.M("cli.flag.syntax", "bad flag syntax: %s", "플래그 형식이 잘못되었습니다: %s")
	msgWantDuration     = i18n.M("cli.want.duration", "a duration such as 30s, 2m or 1m30s", "30s, 2m, 1m30s 같은 시간")
	msgWantNumber       = i18n.M("cli.want.number", "a whole number", "정수")
	msgWantBool         = i18n.M("cli.want.bool", "true or false", "true 또는 false")
	msgWantText         = i18n.M("cli.want.text", "a value", "값")
	msgNoArgs           = i18n.M("cli.args.none", "%s takes no arguments (got %q)", "%s 에는 인자를 주지 않습니다 (받은 인자: %q)")
	msgArgs             = i18n.M("cli.args.count", "usage: %s (arguments given: %d)", "사용법: %s (받은 인자 수: %d)")
	msgChapterList      = i18n.M("cli.args.chapters", "chapters: %s", "챕터: %s")
	msgUnknownCommand   = i18n.M("cli.unknown-command", "%[2]s has no command %[1]q", "%[2]s 에 %[1]q 라는 명령은 없습니다")
	msgDidYouMean       = i18n.M("cli.did-you-mean", "did you mean %s?", "혹시 %s 인가요?")
	msgCommandList      = i18n.M("cli.command-list", "commands: %s", "명령: %s")
	helpCompletionLong  = i18n.M("help.completion.long", "Writes the completion script for a shell to standard output; see labctl completion SHELL --help for how to load it. Completes commands, flags, chapter ids, step ids and -o formats.", "셸 자동 완성 스크립트를 표준 출력으로 씁니다. 불러오는 방법은 labctl completion SHELL --help 에 있습니다. 명령, 플래그, 챕터 id, 단계 id, -o 형식을 완성합니다.")
	helpCompletionShell = i18n.M("help.completion.shell", "generate the completion script for %s", "%s 용 자동 완성 스크립트를 만듭니다")
)
