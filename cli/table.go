package cli

import (
	"bytes"
	"io"
	"strings"

	"github.com/mattn/go-runewidth"
)

// table lines up tab-separated columns by their width on the terminal, as
// text/tabwriter does by bytes: a Hangul syllable takes two columns, so
// Korean tables padded by byte or rune count come out crooked. It is used
// like a tabwriter: write lines with \t between cells, then Flush.
type table struct {
	w   io.Writer
	buf bytes.Buffer
}

// displayWidth is fixed rather than taken from the locale: terminals draw
// East Asian "ambiguous" characters (→, ✓) narrow by default, whatever the
// language, and the marks labctl prints are of that kind.
var displayWidth = &runewidth.Condition{EastAsianWidth: false}

// width is how many terminal columns s takes.
func width(s string) int { return displayWidth.StringWidth(s) }

func newTable(w io.Writer) *table { return &table{w: w} }

func (t *table) Write(p []byte) (int, error) { return t.buf.Write(p) }

// Flush pads every cell but a line's last to its column's widest cell plus
// two spaces, and writes the table.
func (t *table) Flush() error {
	text := strings.TrimSuffix(t.buf.String(), "\n")
	t.buf.Reset()
	if text == "" {
		return nil
	}
	var rows [][]string
	var widths []int
	for _, line := range strings.Split(text, "\n") {
		cells := strings.Split(line, "\t")
		rows = append(rows, cells)
		for i, c := range cells[:len(cells)-1] {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], width(c))
		}
	}
	var out strings.Builder
	for _, cells := range rows {
		for i, c := range cells {
			out.WriteString(c)
			if i < len(cells)-1 {
				out.WriteString(strings.Repeat(" ", widths[i]-width(c)+2))
			}
		}
		out.WriteString("\n")
	}
	_, err := io.WriteString(t.w, out.String())
	return err
}
