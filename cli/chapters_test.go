package cli

import (
	"bytes"
	"fmt"
	"testing"
)

// The chapters table lines Korean titles up by their width on screen.
func TestChaptersTableByDisplayWidth(t *testing.T) {
	var b bytes.Buffer
	tw := newTable(&b)
	fmt.Fprintln(tw, "ch04\t컨트롤러\t0/8\t요약")
	fmt.Fprintln(tw, "ch07\t서비스\t0/9\t요약")
	fmt.Fprintln(tw, "ch08\tIngress\t10/6\tsummary")
	if err := tw.Flush(); err != nil {
		t.Fatal(err)
	}
	// 컨트롤러 and 서비스 take 8 and 6 columns on screen (4 and 3 runes)
	want := "ch04  컨트롤러  0/8   요약\nch07  서비스    0/9   요약\nch08  Ingress   10/6  summary\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}
