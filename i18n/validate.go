package i18n

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// argVerbs maps each argument a format string reads (0-based, as fmt
// resolves it: in order, or %[n] explicitly) to the verbs that read it,
// sorted; a * width or precision reads an int ("*"). Comparing these
// between languages lets a translation reorder words with %[n] while a
// swapped %s/%d, which makes fmt print %!d(string=...), is caught.
func argVerbs(s string) map[int][]string {
	out := map[int][]string{}
	arg := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			continue
		}
		i++
		// flags
		for i < len(s) && strings.IndexByte("+-# 0", s[i]) >= 0 {
			i++
		}
		// an explicit index, then width; a * reads an argument
		index := func() {
			if i < len(s) && s[i] == '[' {
				if end := strings.IndexByte(s[i:], ']'); end > 0 {
					if n, err := strconv.Atoi(s[i+1 : i+end]); err == nil && n > 0 {
						arg = n - 1
					}
					i += end + 1
				}
			}
		}
		number := func() {
			index()
			if i < len(s) && s[i] == '*' {
				out[arg] = append(out[arg], "*")
				arg++
				i++
				return
			}
			for i < len(s) && s[i] >= '0' && s[i] <= '9' {
				i++
			}
		}
		number() // width
		if i < len(s) && s[i] == '.' {
			i++
			number() // precision
		}
		index()
		if i >= len(s) {
			break
		}
		if s[i] == '%' {
			continue // %% prints a percent sign and reads nothing
		}
		out[arg] = append(out[arg], string(s[i]))
		arg++
	}
	for _, v := range out {
		sort.Strings(v)
	}
	return out
}

// describe renders argVerbs for a message: "1:%s 2:%d".
func describe(m map[int][]string) string {
	var keys []int
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d:%%%s", k+1, strings.Join(m[k], ",%")))
	}
	return strings.Join(parts, " ")
}

// Validate reports every message missing a language or whose languages
// read their arguments differently: another argument, or the same argument
// with another verb.
func Validate(ms []Message) error {
	var problems []string
	for _, m := range ms {
		if miss := m.Missing(); len(miss) > 0 {
			problems = append(problems, fmt.Sprintf("%s: missing %v", m.ID, miss))
			continue
		}
		if a, b := describe(argVerbs(m.En)), describe(argVerbs(m.Ko)); a != b {
			problems = append(problems, fmt.Sprintf("%s: English reads [%s], Korean reads [%s]", m.ID, a, b))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%d message(s) need work:\n  %s", len(problems), strings.Join(problems, "\n  "))
	}
	return nil
}
