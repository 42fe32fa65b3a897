package console

import (
	"context"
	"encoding/csv"
	"html"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

func TestCredentialReport(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	usrMkUser(t, e, "alice")
	k, err := e.IAM.CreateAccessKey(ctx, e.Root, "alice")
	if err != nil {
		t.Fatal(err)
	}
	b := e.rootBrowser()

	// Before any report: a page that says so and offers Generate, not an error.
	status, body := b.get("/console/iam/credential-report")
	if status != 200 || !strings.Contains(body, `id="no-report"`) || !strings.Contains(body, `id="generate-report"`) ||
		strings.Contains(body, `id="download-report"`) || strings.Contains(body, `data-testid="error"`) {
		t.Fatalf("no report yet: %d\n%s", status, body)
	}
	if status, body := b.get("/console/iam/credential-report.csv"); status != http.StatusNotFound || !strings.Contains(body, "ReportNotPresent") {
		t.Errorf("download before generating: %d", status)
	}

	status, loc, body := b.post("/console/iam/credential-report", nil)
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/console/iam/credential-report?flash=") {
		t.Fatalf("generate: %d %q\n%s", status, loc, body)
	}
	status, body = b.get(loc)
	if status != 200 || !strings.Contains(body, `id="credential-report-table"`) || !strings.Contains(body, `id="download-report"`) {
		t.Fatalf("report: %d\n%s", status, body)
	}
	rep, err := e.IAM.GetCredentialReport(ctx, e.Root)
	if err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(strings.NewReader(string(rep.Content))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// Every column, headed as in the CSV; every row.
	for _, col := range records[0] {
		if !strings.Contains(body, `<th scope="col">`+col+`</th>`) {
			t.Errorf("no column %s", col)
		}
	}
	if n := strings.Count(body, "<tr><td>"); n != len(records)-1 {
		t.Errorf("%d rows, want %d", n, len(records)-1)
	}
	if !strings.Contains(body, "<td>"+html.EscapeString("<root_account>")+"</td>") || !strings.Contains(body, "<td>alice</td>") {
		t.Error("the root and alice rows are missing")
	}
	if strings.Contains(body, k.ID) {
		t.Error("the report shows a key ID (AWS's does not)")
	}

	resp, err := b.client.Get(e.URL + "/console/iam/credential-report.csv")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/csv" || string(got) != string(rep.Content) {
		t.Errorf("download: %d %q\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), got)
	}
	cd := resp.Header.Get("Content-Disposition")
	if !regexp.MustCompile(`^attachment; filename="status_reports_\d{4}-\d\d-\d\dT\d\d_\d\d_\d\d\+00_00\.csv"$`).MatchString(cd) {
		t.Errorf("Content-Disposition %q", cd)
	}
	m := regexp.MustCompile(`id="download-report" href="[^"]*" download="([^"]*)"`).FindStringSubmatch(body)
	if want := reportFileName(rep.GeneratedTime); !strings.Contains(cd, want) || m == nil || html.UnescapeString(m[1]) != want {
		t.Errorf("file name %q is not the report's time (link %q)", want, m)
	}
}

func TestCredentialReportDenied(t *testing.T) {
	e := newTestEnv(t)
	usrMkUser(t, e, "mallory")
	if _, err := e.IAM.GenerateCredentialReport(context.Background(), e.Root); err != nil {
		t.Fatal(err)
	}
	m := e.browser()
	m.signIn("mallory", usrUserPw)
	for _, tc := range []struct {
		what string
		do   func() (int, string)
	}{
		{"page", func() (int, string) { return m.get("/console/iam/credential-report") }},
		{"download", func() (int, string) { return m.get("/console/iam/credential-report.csv") }},
		{"generate", func() (int, string) { s, _, b := m.post("/console/iam/credential-report", nil); return s, b }},
	} {
		status, body := tc.do()
		if status != http.StatusForbidden || !strings.Contains(body, "AccessDenied") || !strings.Contains(body, `data-testid="why"`) {
			t.Errorf("%s: %d, want 403 with the explanation\n%s", tc.what, status, body)
		}
		if strings.Contains(body, "arn:aws:iam::123456789012:root") || strings.Contains(body, `id="credential-report-table"`) {
			t.Errorf("%s: the report leaks", tc.what)
		}
	}
}
