package verify

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/labctl/labctl/i18n"
)

// ReportSchema versions the JSON form of a report. Fields are only ever
// added within a version; a change of meaning bumps it.
const ReportSchema = "labctl/check/v1"

// Seconds is a duration that marshals as fractional seconds.
type Seconds time.Duration

// MarshalJSON writes seconds with millisecond precision.
func (s Seconds) MarshalJSON() ([]byte, error) {
	return []byte(strconv.FormatFloat(time.Duration(s).Seconds(), 'f', 3, 64)), nil
}

func (s Seconds) String() string {
	d := time.Duration(s)
	if d < time.Second {
		return fmt.Sprintf("%dms", d.Milliseconds())
	}
	return fmt.Sprintf("%.1fs", d.Seconds())
}

// CheckResult is the verdict of one check.
type CheckResult struct {
	Step     string   `json:"step"`
	ID       string   `json:"id"`
	Kind     string   `json:"kind"`
	Title    string   `json:"title"`
	Verdict  Verdict  `json:"verdict"`
	Message  string   `json:"message"`
	Evidence []string `json:"evidence,omitempty"`
	Hint     string   `json:"hint,omitempty"`
	Elapsed  Seconds  `json:"elapsedSeconds"`
	Attempts int      `json:"attempts"`
	// Waited is true when the check polled until its deadline.
	Waited bool `json:"waitedForDeadline,omitempty"`
	// Settled is true when a failure came before the deadline because
	// nothing the check depends on was changing; Note says so.
	Settled bool   `json:"settled,omitempty"`
	Note    string `json:"note,omitempty"`
}

// StepResult is the verdict of one step: pass only when every check passes.
type StepResult struct {
	ID      string        `json:"id"`
	Number  int           `json:"number"`
	Title   string        `json:"title"`
	Verdict Verdict       `json:"verdict"`
	Checks  []CheckResult `json:"checks"`
}

// Report is the result of `labctl check`.
type Report struct {
	Schema  string    `json:"schema"`
	Chapter string    `json:"chapter"`
	Title   string    `json:"title"`
	Cluster string    `json:"cluster,omitempty"`
	Lang    i18n.Lang `json:"lang"`
	Started time.Time `json:"started"`
	Elapsed Seconds   `json:"elapsedSeconds"`
	Verdict Verdict   `json:"verdict"`
	// Message says why a run could not happen at all (the cluster did not
	// answer, the chapter has an error); the verdict is then error.
	Message string       `json:"message,omitempty"`
	Steps   []StepResult `json:"steps"`
	Summary struct {
		Pass  int `json:"pass"`
		Fail  int `json:"fail"`
		Error int `json:"error"`
	} `json:"summary"`
}

// ErrorReport is the report of a run that could not check anything: a
// complete document whose verdict is error, so that a grading script
// reading -o json or -o junit always gets one.
func ErrorReport(chapter string, lang i18n.Lang, msg string) Report {
	r := Report{Schema: ReportSchema, Chapter: chapter, Lang: lang, Started: time.Now().UTC(),
		Verdict: Error, Message: msg, Steps: []StepResult{}}
	r.Summary.Error = 1
	return r
}

// WriteJSON writes the report as indented JSON.
func (r Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

var marks = map[Verdict]string{Pass: "✓", Fail: "✗", Error: "!"}

// WriteText writes the report for a student: each step, each check with
// its message, and for those that did not pass the evidence and a hint.
func (r Report) WriteText(w io.Writer) error {
	l := r.Lang
	passed := 0
	for _, s := range r.Steps {
		if s.Verdict == Pass {
			passed++
		}
	}
	fmt.Fprintf(w, "%s %s — %s\n", r.Chapter, r.Title, txtSteps.F(l, passed, len(r.Steps)))
	for _, s := range r.Steps {
		fmt.Fprintf(w, "%s %d. %s (%s)\n", marks[s.Verdict], s.Number, s.Title, s.ID)
		for _, c := range s.Checks {
			fmt.Fprintf(w, "    %s %s: %s (%s)\n", marks[c.Verdict], c.Title, c.Message, waitNote(l, c))
			if c.Verdict == Pass {
				continue
			}
			for _, e := range c.Evidence {
				fmt.Fprintf(w, "        %s %s\n", txtEvidence.F(l), e)
			}
			if c.Hint != "" {
				fmt.Fprintf(w, "        %s %s\n", txtHint.F(l), c.Hint)
			}
		}
	}
	fmt.Fprintln(w, txtSummary.F(l, r.Summary.Pass, r.Summary.Fail, r.Summary.Error, r.Elapsed.String()))
	return nil
}

func waitNote(l i18n.Lang, c CheckResult) string {
	if c.Waited {
		return txtWaited.F(l, c.Elapsed.String())
	}
	if c.Note != "" {
		return c.Elapsed.String() + "; " + c.Note
	}
	return c.Elapsed.String()
}

// JUnit XML, the shape CI systems read.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	ClassName string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Error     *junitFailure `xml:"error,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

func secs(s Seconds) string { return strconv.FormatFloat(time.Duration(s).Seconds(), 'f', 3, 64) }

// WriteJUnit writes one test suite per step and one test case per check.
func (r Report) WriteJUnit(w io.Writer) error {
	out := junitSuites{Name: "labctl " + r.Chapter, Time: secs(r.Elapsed)}
	if r.Message != "" {
		out.Tests, out.Errors = 1, 1
		out.Suites = append(out.Suites, junitSuite{Name: r.Chapter, Tests: 1, Errors: 1, Time: secs(r.Elapsed), Cases: []junitCase{{
			Name: r.Chapter, ClassName: r.Chapter, Time: secs(r.Elapsed),
			Error: &junitFailure{Message: r.Message, Type: "labctl", Text: r.Message}}}})
	}
	for _, s := range r.Steps {
		suite := junitSuite{Name: fmt.Sprintf("%s/%02d-%s", r.Chapter, s.Number, s.ID)}
		var total time.Duration
		for _, c := range s.Checks {
			total += time.Duration(c.Elapsed)
			tc := junitCase{Name: c.ID + ": " + c.Title, ClassName: r.Chapter + "." + s.ID, Time: secs(c.Elapsed), SystemOut: c.Message}
			lines := append([]string{c.Message}, c.Evidence...)
			if c.Note != "" {
				lines = append(lines, c.Note)
			}
			if c.Hint != "" {
				lines = append(lines, c.Hint)
			}
			detail := strings.Join(lines, "\n")
			switch c.Verdict {
			case Fail:
				tc.Failure = &junitFailure{Message: c.Message, Type: c.Kind, Text: detail}
				suite.Failures++
			case Error:
				tc.Error = &junitFailure{Message: c.Message, Type: c.Kind, Text: detail}
				suite.Errors++
			}
			suite.Tests++
			suite.Cases = append(suite.Cases, tc)
		}
		suite.Time = secs(Seconds(total))
		out.Tests += suite.Tests
		out.Failures += suite.Failures
		out.Errors += suite.Errors
		out.Suites = append(out.Suites, suite)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

var (
	txtSteps    = i18n.M("report.steps", "%d/%d steps pass", "%d/%d 단계 통과")
	txtEvidence = i18n.M("report.evidence", "seen:", "관찰:")
	txtHint     = i18n.M("report.hint", "hint:", "힌트:")
	txtWaited   = i18n.M("report.waited", "waited %s", "%s 기다림")
	txtSummary  = i18n.M("report.summary", "%d passed, %d failed, %d could not run (%s)", "통과 %d, 실패 %d, 실행 불가 %d (%s)")
)
