package tui

import (
	"charm.land/bubbles/v2/key"

	"github.com/labctl/labctl/i18n"
)

// KeyMap is every key the TUI answers to, in one place, so the help screen
// lists exactly what works.
type KeyMap struct {
	// Moving around.
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	Open, Back, Focus, Next, Prev           key.Binding
	// Home.
	Cluster key.Binding
	// A step.
	Apply, ApplySolution, Check, Hint, Edit, Reset, Solution, Live, Trace key.Binding
	// Confirmations.
	Yes, No key.Binding
	// Everywhere.
	Lang, Help, Quit key.Binding
}

// DefaultKeyMap is the key map with English help text.
func DefaultKeyMap() KeyMap { return NewKeyMap(i18n.En) }

// NewKeyMap is the key map with help text in l.
func NewKeyMap(l i18n.Lang) KeyMap {
	b := func(label string, m i18n.Message, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(withHangul(keys)...), key.WithHelp(label, m.F(l)))
	}
	return KeyMap{
		Up:       b("↑/k", msgKeyUp, "up", "k"),
		Down:     b("↓/j", msgKeyDown, "down", "j"),
		PageUp:   b("pgup/b", msgKeyPageUp, "pgup", "b"),
		PageDown: b("pgdn/space", msgKeyPageDown, "pgdown", "space", "f"),
		Top:      b("home/g", msgKeyTop, "home", "g"),
		Bottom:   b("end/G", msgKeyBottom, "end", "G"),
		Open:     b("enter", msgKeyOpen, "enter", "right"),
		Back:     b("esc", msgKeyBack, "esc", "left", "backspace"),
		Focus:    b("tab", msgKeyFocus, "tab", "shift+tab"),
		Next:     b("n", msgKeyNext, "n"),
		Prev:     b("p", msgKeyPrev, "p"),
		Cluster:  b("u", msgKeyCluster, "u"),
		Apply:    b("a", msgKeyApply, "a"),
		// shifted on purpose: the answer is never one slip away
		ApplySolution: b("A", msgKeyApplySolution, "A"),
		Check:         b("c", msgKeyCheck, "c"),
		Hint:          b("h", msgKeyHint, "h"),
		Edit:          b("e", msgKeyEdit, "e"),
		Reset:         b("r", msgKeyReset, "r"),
		Solution:      b("s", msgKeySolution, "s"),
		Live:          b("v", msgKeyLive, "v"),
		Trace:         b("t", msgKeyTrace, "t"),
		Yes:           b("y", msgKeyYes, "y", "Y"),
		No:            b("n/esc", msgKeyNo, "n", "N", "esc"),
		Lang:          b("L", msgKeyLang, "L"),
		Help:          b("?", msgKeyHelp, "?"),
		Quit:          b("q", msgKeyQuit, "q", "ctrl+c"),
	}
}

// hangul is the letter each Latin key types on the standard Korean (2-set)
// layout. A Korean student who forgets to switch the input method off still
// gets "c" when they press the key labelled c.
var hangul = map[string]string{
	"a": "ㅁ", "b": "ㅠ", "c": "ㅊ", "e": "ㄷ", "f": "ㄹ", "g": "ㅎ", "h": "ㅗ",
	"j": "ㅓ", "k": "ㅏ", "n": "ㅜ", "p": "ㅔ", "q": "ㅂ", "r": "ㄱ", "s": "ㄴ", "t": "ㅅ",
	"u": "ㅕ", "v": "ㅍ", "y": "ㅛ", "L": "ㅣ", "N": "ㅜ", "Y": "ㅛ",
}

func withHangul(keys []string) []string {
	out := append([]string(nil), keys...)
	for _, k := range keys {
		if h, ok := hangul[k]; ok {
			out = append(out, h)
		}
	}
	return out
}

// Global is the group of keys every screen has.
func (k KeyMap) Global() []key.Binding { return []key.Binding{k.Lang, k.Help, k.Quit} }

// Scroll is the group of keys that scroll a long text.
func (k KeyMap) Scroll() []key.Binding {
	return []key.Binding{k.PageUp, k.PageDown, k.Top, k.Bottom}
}
