package cli

import "testing"

func TestAlignColumnsByDisplayWidth(t *testing.T) {
	lines := alignColumns([][]string{
		{"ch04", "컨트롤러", "0/8", "요약"},
		{"ch07", "서비스", "0/9", "요약"},
		{"ch08", "Ingress", "10/6", "summary"},
	})
	// 컨트롤러 and 서비스 take 8 and 6 columns on screen (4 and 3 runes)
	if want := "ch04  컨트롤러  0/8   요약"; lines[0] != want {
		t.Errorf("%q, want %q", lines[0], want)
	}
	if want := "ch07  서비스    0/9   요약"; lines[1] != want {
		t.Errorf("%q, want %q", lines[1], want)
	}
}
