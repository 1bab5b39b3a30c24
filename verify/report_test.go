package verify

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/labctl/labctl/i18n"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// fixedReport is a ch07 run with a pass, a fail after waiting, a final fail
// and an error, in lang, with fixed times. Messages are the checks' own.
func fixedReport(l i18n.Lang) Report {
	t := func(en, ko string) string { return i18n.Text{En: en, Ko: ko}.In(l) }
	r := Report{
		Schema:  ReportSchema,
		Chapter: "ch07",
		Title:   t("Services", "서비스"),
		Cluster: "labctl",
		Lang:    l,
		Started: time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC),
		Elapsed: Seconds(61250 * time.Millisecond),
		Verdict: Fail,
		Steps: []StepResult{{
			ID: "clusterip", Number: 1, Title: t("A ClusterIP Service", "ClusterIP 서비스"), Verdict: Pass,
			Checks: []CheckResult{{
				Step: "clusterip", ID: "endpoints", Kind: "serviceEndpoints", Title: t("three ready pods behind http-go-svc", "http-go-svc 뒤에 준비된 파드 3개"),
				Verdict: Pass, Message: msgEndpointsReady.F(l, "http-go-svc", 3),
				Evidence: []string{"endpoints: 10.244.1.10, 10.244.1.11, 10.244.1.12"},
				Elapsed:  Seconds(12 * time.Millisecond), Attempts: 1,
			}, {
				Step: "clusterip", ID: "from-node", Kind: "serviceReachable", Title: t("the ClusterIP answers from a node", "노드에서 ClusterIP로 접속"),
				Verdict: Pass, Message: msgAnswerFromNode.F(l, "http://10.96.100.10:80", "http-go-7d9f6c-abcde"),
				Elapsed: Seconds(1500 * time.Millisecond), Attempts: 3,
			}},
		}, {
			ID: "loadbalancer", Number: 5, Title: t("LoadBalancer with MetalLB", "LoadBalancer와 MetalLB"), Verdict: Fail,
			Checks: []CheckResult{{
				Step: "loadbalancer", ID: "external-ip", Kind: "loadBalancerIP", Title: t("answers on an EXTERNAL-IP from the pool", "주소 풀의 EXTERNAL-IP로 응답"),
				Verdict: Fail, Message: msgLBPending.F(l, "http-go-lb"),
				Evidence: []string{"MetalLB IPAddressPools: (none found)"},
				Hint:     t(`If EXTERNAL-IP stays <pending>, check MetalLB with "labctl status" & retry.`, `EXTERNAL-IP가 <pending>이면 "labctl status"로 MetalLB 상태를 확인하세요 & 다시 시도.`),
				Elapsed:  Seconds(60 * time.Second), Attempts: 32, Waited: true,
			}},
		}, {
			ID: "externalname", Number: 6, Title: t("ExternalName", "ExternalName"), Verdict: Fail,
			Checks: []CheckResult{{
				Step: "externalname", ID: "cname", Kind: "dnsRecords", Title: t("the cluster DNS answers with a CNAME to google.com", "클러스터 DNS가 google.com으로 CNAME 응답"),
				Verdict: Fail, Message: msgDNSWrongCNAME.F(l, "externalname-service.default.svc.cluster.local.", "naver.com.", "google.com."),
				Evidence: []string{"CNAME externalname-service.default.svc.cluster.local. -> naver.com."},
				Hint:     t("Check type: ExternalName and externalName: google.com.", "type: ExternalName과 externalName: google.com을 확인하세요."),
				Elapsed:  Seconds(40 * time.Millisecond), Attempts: 1,
			}},
		}, {
			ID: "headless", Number: 8, Title: t("A headless Service and DNS", "헤드리스 Service와 DNS"), Verdict: Error,
			Checks: []CheckResult{{
				Step: "headless", ID: "a-records", Kind: "dnsRecords", Title: t("DNS answers with exactly the ready pods' IPs", "DNS가 준비된 파드 IP를 모두, 그리고 그것만 답함"),
				Verdict: Error, Message: `Get "https://127.0.0.1:40123/api/v1/namespaces/default/services/http-go-headless": dial tcp 127.0.0.1:40123: connect: connection refused`,
				Elapsed: Seconds(60 * time.Second), Attempts: 30,
			}},
		}},
	}
	r.Summary.Pass, r.Summary.Fail, r.Summary.Error = 2, 2, 1
	return r
}

func TestReportGolden(t *testing.T) {
	writers := map[string]func(Report, io.Writer) error{
		"text":  Report.WriteText,
		"json":  Report.WriteJSON,
		"junit": Report.WriteJUnit,
	}
	for _, l := range i18n.Langs {
		for format, write := range writers {
			t.Run(string(l)+"/"+format, func(t *testing.T) {
				var b bytes.Buffer
				if err := write(fixedReport(l), &b); err != nil {
					t.Fatal(err)
				}
				golden(t, filepath.Join("testdata", "report."+string(l)+"."+format+".golden"), b.Bytes())
			})
		}
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./verify -run Golden -update writes it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test ./verify -run Golden -update rewrites it); got:\n%s", path, got)
	}
}

func TestReportJSON(t *testing.T) {
	var doc struct {
		Schema  string  `json:"schema"`
		Lang    string  `json:"lang"`
		Started string  `json:"started"`
		Elapsed float64 `json:"elapsedSeconds"`
		Verdict string  `json:"verdict"`
		Steps   []struct {
			Verdict string `json:"verdict"`
			Checks  []struct {
				Verdict  string   `json:"verdict"`
				Message  string   `json:"message"`
				Evidence []string `json:"evidence"`
				Elapsed  float64  `json:"elapsedSeconds"`
				Waited   bool     `json:"waitedForDeadline"`
			} `json:"checks"`
		} `json:"steps"`
		Summary map[string]int `json:"summary"`
	}
	if err := json.Unmarshal(mustJSON(t, fixedReport(i18n.Ko)), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Schema != "labctl/check/v1" || doc.Lang != "ko" || doc.Started != "2025-03-01T09:30:00Z" || doc.Elapsed != 61.25 || doc.Verdict != "fail" {
		t.Errorf("%+v", doc)
	}
	if c := doc.Steps[1].Checks[0]; c.Verdict != "fail" || !c.Waited || c.Elapsed != 60 || !strings.Contains(c.Message, "<pending>") {
		t.Errorf("%+v", c)
	}
	if doc.Summary["pass"] != 2 || doc.Summary["fail"] != 2 || doc.Summary["error"] != 1 {
		t.Errorf("summary %v", doc.Summary)
	}
}

func mustJSON(t *testing.T, r Report) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestReportJUnitIsValidXML(t *testing.T) {
	for _, l := range i18n.Langs {
		var b bytes.Buffer
		if err := fixedReport(l).WriteJUnit(&b); err != nil {
			t.Fatal(err)
		}
		// well-formed from the first token to the last
		dec := xml.NewDecoder(bytes.NewReader(b.Bytes()))
		for {
			if _, err := dec.Token(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("%s: %v\n%s", l, err, b.String())
			}
		}
		var s junitSuites
		if err := xml.Unmarshal(b.Bytes(), &s); err != nil {
			t.Fatal(err)
		}
		if s.Name != "labctl ch07" || s.Tests != 5 || s.Failures != 2 || s.Errors != 1 || s.Time != "61.250" || len(s.Suites) != 4 {
			t.Errorf("%s: %+v", l, s)
		}
		lb := s.Suites[1]
		if lb.Name != "ch07/05-loadbalancer" || lb.Failures != 1 || lb.Time != "60.000" || lb.Cases[0].Failure == nil ||
			lb.Cases[0].Failure.Type != "loadBalancerIP" || !strings.Contains(lb.Cases[0].Failure.Message, "<pending>") ||
			!strings.Contains(lb.Cases[0].Failure.Text, `"labctl status"`) ||
			!strings.HasSuffix(lb.Cases[0].Failure.Text, "& "+map[i18n.Lang]string{i18n.En: "retry.", i18n.Ko: "다시 시도."}[l]) {
			t.Errorf("%s: %+v", l, lb)
		}
		if e := s.Suites[3].Cases[0]; e.Error == nil || e.Failure != nil || !strings.Contains(e.Error.Message, "connection refused") ||
			e.Error.Text != e.Error.Message {
			t.Errorf("%s: %+v", l, e)
		}
		if p := s.Suites[0]; p.Time != "1.512" || p.Cases[0].Failure != nil || p.Cases[0].Error != nil || p.Cases[0].ClassName != "ch07.clusterip" {
			t.Errorf("%s: %+v", l, p)
		}
	}
}

func TestSeconds(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0ms", 999 * time.Millisecond: "999ms", time.Second: "1.0s", 61250 * time.Millisecond: "61.2s",
	} {
		if got := Seconds(d).String(); got != want {
			t.Errorf("%v: %s, want %s", d, got, want)
		}
	}
	b, _ := json.Marshal(Seconds(1234567 * time.Microsecond))
	if string(b) != "1.235" {
		t.Errorf("json %s", b)
	}
}

func TestErrorReportIsADocument(t *testing.T) {
	r := ErrorReport("ch07", i18n.En, "there is no lab cluster named \"lab\"")
	var js, ju strings.Builder
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal([]byte(js.String()), &back); err != nil {
		t.Fatal(err)
	}
	if back["verdict"] != "error" || back["message"] != `there is no lab cluster named "lab"` || back["schema"] != ReportSchema {
		t.Errorf("%s", js.String())
	}
	if steps, ok := back["steps"].([]any); !ok || len(steps) != 0 {
		t.Errorf("steps must be an empty list, not null: %s", js.String())
	}
	if err := r.WriteJUnit(&ju); err != nil {
		t.Fatal(err)
	}
	var suites junitSuites
	if err := xml.Unmarshal([]byte(ju.String()), &suites); err != nil {
		t.Fatal(err)
	}
	if suites.Errors != 1 || len(suites.Suites) != 1 || suites.Suites[0].Cases[0].Error == nil ||
		!strings.Contains(suites.Suites[0].Cases[0].Error.Message, "no lab cluster") {
		t.Errorf("%s", ju.String())
	}
}
