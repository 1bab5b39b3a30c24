package cli

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/labctl/labctl/i18n"
)

// localizeHelp translates cobra's own help text (headings, the help flag,
// the completion command) for Korean sessions. It runs after every command
// is added.
func localizeHelp(root *cobra.Command, g *globals) {
	root.InitDefaultCompletionCmd()
	root.SetHelpCommand(newHelpCommand(g, root))
	root.InitDefaultVersionFlag()
	// -v prints what `labctl version` prints (a template, so braces are escaped).
	root.SetVersionTemplate(strings.NewReplacer("{{", `{{"{{"}}`).Replace(versionText()))
	if f := root.Flags().Lookup("version"); f != nil {
		f.Usage = g.t(flagVersion)
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.InitDefaultHelpFlag()
		if f := c.Flags().Lookup("help"); f != nil {
			f.Usage = g.t(flagHelp, c.Name())
		}
		if c.Name() == "completion" && c.HasParent() && !c.Parent().HasParent() {
			localizeCompletion(g, c)
		}
		localizeArgs(g, c)
		addCompletions(g, c)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	defer walk(root)
	if g.lang != i18n.Ko {
		return
	}
	t := root.UsageTemplate()
	for _, r := range [][2]string{
		{"Usage:", "사용법:"},
		{"Aliases:", "별칭:"},
		{"Examples:", "예:"},
		{"Available Commands:", "명령:"},
		{"Additional Commands:", "추가 명령:"},
		{"Global Flags:", "공통 플래그:"},
		{"Flags:", "플래그:"},
		{"Additional help topics:", "추가 도움말:"},
		{`Use "{{.CommandPath}} [command] --help" for more information about a command.`, `명령별 도움말: "{{.CommandPath}} [command] --help"`},
	} {
		t = strings.ReplaceAll(t, r[0], r[1])
	}
	t = strings.ReplaceAll(t, "FlagUsages | trimTrailingWhitespaces", "FlagUsages | koDefaults | trimTrailingWhitespaces")
	cobra.AddTemplateFunc("koDefaults", func(s string) string { return strings.ReplaceAll(s, "(default ", "(기본값 ") })
	root.SetUsageTemplate(t)
}
