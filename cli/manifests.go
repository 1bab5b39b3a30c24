package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
)

// newManifestsCommand writes a chapter's given manifests to disk, so a
// student working in exercise mode can edit them and kubectl apply -f them.
func newManifestsCommand(g *globals) *cobra.Command {
	var dir string
	var solution bool
	cmd := &cobra.Command{
		Use:   "manifests CHAPTER [-o DIR]",
		Short: g.t(helpManifests),
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			return runManifests(g.deps(), args[0], dir, solution)
		},
	}
	cmd.Flags().StringVarP(&dir, "output", "o", "", g.t(flagManifestsDir))
	cmd.Flags().BoolVar(&solution, "solution", false, g.t(flagWithSolution))
	return cmd
}

// runManifests writes the chapter's starters (and with solution its
// answers) under dir (the chapter's id when ""), keeping any file already
// there: it may be the student's work.
func runManifests(d deps, ref, dir string, solution bool) error {
	ch, err := d.chapter(ref)
	if err != nil {
		return err
	}
	if dir == "" {
		dir = ch.ID
	}
	seen := map[string]bool{}
	n := 0
	for _, s := range ch.Steps {
		files := s.Manifests
		if solution {
			files = append(append([]string{}, files...), s.Solution...)
		}
		for _, f := range files {
			if seen[f] {
				continue
			}
			seen[f] = true
			data, err := ch.ReadFile(f)
			if err != nil {
				return err
			}
			dst := filepath.Join(dir, filepath.FromSlash(f))
			if _, err := os.Stat(dst); err == nil {
				fmt.Fprintln(d.ErrOut, d.t(msgManifestKept, dst))
				continue
			}
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(dst, data, 0o644); err != nil {
				return err
			}
			n++
		}
	}
	fmt.Fprintln(d.Out, d.t(msgManifestsWritten, n, dir))
	fmt.Fprintf(d.Out, "  cd %s && kubectl apply -f manifests/...\n", dir)
	return nil
}
