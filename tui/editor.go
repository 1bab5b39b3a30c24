package tui

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/labctl/labctl/apply"
	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/labs"
)

// Editor is the command that edits a file: $VISUAL, then $EDITOR (which may
// carry arguments, "code -w"), then the platform's usual one.
func Editor() []string {
	for _, v := range []string{"VISUAL", "EDITOR"} {
		if f := strings.Fields(os.Getenv(v)); len(f) > 0 {
			return f
		}
	}
	if runtime.GOOS == "windows" {
		return []string{"notepad"}
	}
	return []string{"vi"}
}

type (
	// editReadyMsg: the student's copy of the manifests is on disk.
	editReadyMsg struct {
		edit editSession
		err  error
	}
	// editedMsg: the editor exited.
	editedMsg struct {
		edit editSession
		err  error
	}
)

// editSession is one run of the editor on the student's copy: what the
// file held before, to tell "saved" from "quit without saving".
type editSession struct {
	path    string
	fresh   bool // the copy was made for this run
	before  []byte
	modTime time.Time
}

// saved reports whether the editor wrote the file. An editor quit without
// saving leaves it as it was, content and modification time; saving, even
// unchanged (vi's :wq), is asking for it to be applied.
func (e editSession) saved() bool {
	after, err := os.ReadFile(e.path)
	if err != nil {
		return false
	}
	st, err := os.Stat(e.path)
	return !bytes.Equal(after, e.before) || (err == nil && !st.ModTime().Equal(e.modTime))
}

// newEditSession remembers what the copy at path holds now.
func newEditSession(path string, fresh bool) (editSession, error) {
	before, err := os.ReadFile(path)
	if err != nil {
		return editSession{}, err
	}
	st, err := os.Stat(path)
	if err != nil {
		return editSession{}, err
	}
	return editSession{path: path, fresh: fresh, before: before, modTime: st.ModTime()}, nil
}

// discard removes a copy made for a run that saved nothing, so quitting
// the first edit leaves no trace; an older copy holds the student's work
// and stays.
func (e editSession) discard() bool {
	if !e.fresh {
		return false
	}
	_ = os.Remove(e.path)
	return true
}

// editKey names a step's edited copy in common.edits.
func editKey(ch *labs.Chapter, st *labs.Step) string { return ch.ID + "/" + st.ID }

// prepareEdit writes the step's starter into one temporary file the first
// time; later edits reopen the student's own copy (kept per step for the
// whole session), so their work is never replaced by the original.
func prepareEdit(c *common, ch *labs.Chapter, st *labs.Step, existing string) tea.Cmd {
	dir, lang := c.tempDir, c.lang
	return func() tea.Msg {
		if existing != "" {
			if e, err := newEditSession(existing, false); err == nil {
				return editReadyMsg{edit: e}
			}
		}
		var b bytes.Buffer
		fmt.Fprintln(&b, msgEditHeader.F(lang, ch.ID, st.ID))
		for i, f := range st.Manifests {
			data, err := ch.ReadFile(f)
			if err != nil {
				return editReadyMsg{err: err}
			}
			if i > 0 {
				b.WriteString("---\n")
			}
			fmt.Fprintf(&b, "# %s\n", f)
			b.Write(bytes.TrimRight(data, "\n"))
			b.WriteString("\n")
		}
		f, err := os.CreateTemp(dir, fmt.Sprintf("labctl-%s-%s-*.yaml", ch.ID, st.ID))
		if err != nil {
			return editReadyMsg{err: err}
		}
		_, err = f.Write(b.Bytes())
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return editReadyMsg{err: err}
		}
		e, err := newEditSession(f.Name(), true)
		return editReadyMsg{edit: e, err: err}
	}
}

// discardEdits removes the chapter's edited copies (reset starts over).
func discardEdits(c *common, ch *labs.Chapter) {
	for i := range ch.Steps {
		k := editKey(ch, &ch.Steps[i])
		if p, ok := c.edits[k]; ok {
			_ = os.Remove(p)
			delete(c.edits, k)
		}
	}
}

// hasEdits reports whether the student has an edited copy in the chapter.
func hasEdits(c *common, ch *labs.Chapter) bool {
	for i := range ch.Steps {
		if _, ok := c.edits[editKey(ch, &ch.Steps[i])]; ok {
			return true
		}
	}
	return false
}

// openEditor hands the terminal to the editor; Bubble Tea gives it back
// when the editor exits.
func openEditor(c *common, e editSession) tea.Cmd {
	args := append(append([]string(nil), c.editor[1:]...), e.path)
	cmd := exec.Command(c.editor[0], args...)
	return c.exec(cmd, func(err error) tea.Msg { return editedMsg{edit: e, err: err} })
}

// readEdited decodes the student's copy, with an error that points at the
// line when the YAML is malformed.
func readEdited(path string) ([]apply.Object, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	objs, err := apply.Decode(filepath.Base(path), data)
	if err != nil {
		var de *apply.DecodeError
		if errors.As(err, &de) {
			return nil, i18n.Errorf(msgEditBadYAML, de.Line, de.Err)
		}
		return nil, err
	}
	if len(objs) == 0 {
		return nil, i18n.Errorf(msgEditEmpty)
	}
	return objs, nil
}
