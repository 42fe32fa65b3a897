package iam

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/wharf-project/wharf/internal/authz"
	"github.com/wharf-project/wharf/internal/policy/catalog"
	"github.com/wharf-project/wharf/internal/secrets"
	"github.com/wharf-project/wharf/internal/store"
)

func readReport(t *testing.T, e *acctEnv) (CredentialReport, [][]string) {
	t.Helper()
	r, err := e.svc.GetCredentialReport(e.ctx, e.root)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(r.Content)).ReadAll()
	if err != nil {
		t.Fatalf("the report is not CSV: %v\n%s", err, r.Content)
	}
	return r, rows
}

func TestCredentialReport(t *testing.T) {
	e := newAcctEnv(t)
	t0 := e.now // the account and its root key were created at t0

	_, err := e.svc.GetCredentialReport(e.ctx, e.root)
	wantCode(t, err, "ReportNotPresent")

	e.now = t0.Add(time.Minute)
	e.user(t, "bob")
	e.now = t0.Add(2 * time.Minute)
	if _, err := e.svc.CreateLoginProfile(e.ctx, e.root, CreateLoginProfileInput{UserName: "bob", Password: "Corr3ct-horse"}); err != nil {
		t.Fatal(err)
	}
	e.now = t0.Add(3 * time.Minute)
	_, err = e.svc.CreateUser(e.ctx, e.root, CreateUserInput{UserName: "carol", Path: "/team/"})
	if err != nil {
		t.Fatal(err)
	}
	k1, err := e.svc.CreateAccessKey(e.ctx, e.root, "carol")
	if err != nil {
		t.Fatal(err)
	}
	e.now = t0.Add(4 * time.Minute)
	k2, err := e.svc.CreateAccessKey(e.ctx, e.root, "carol")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.UpdateAccessKey(e.ctx, e.root, "carol", k2.ID, "Inactive"); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.RecordKeyUse(e.ctx, k1.ID, "ecr-public", "us-east-1", t0.Add(5*time.Minute)); err != nil {
		t.Fatal(err)
	}
	// A password used once: the store records it at sign-in.
	u := e.storedUser(t, "bob")
	u.PasswordLastUsed = t0.Add(6 * time.Minute)
	if err := e.st.Tx(e.ctx, func(tx store.Tx) error { return tx.Users().Update("bob", u) }); err != nil {
		t.Fatal(err)
	}

	e.now = t0.Add(time.Hour)
	st, err := e.svc.GenerateCredentialReport(e.ctx, e.root)
	if err != nil || st.State != "COMPLETE" {
		t.Fatalf("GenerateCredentialReport = %+v, %v", st, err)
	}
	r, rows := readReport(t, e)
	if !r.GeneratedTime.Equal(e.now) {
		t.Errorf("GeneratedTime = %v, want %v", r.GeneratedTime, e.now)
	}
	want := [][]string{
		credentialReportColumns,
		{"<root_account>", "arn:aws:iam::123456789012:root", "2025-03-04T05:06:07+00:00", "not_supported", "no_information", "not_supported", "not_supported", "false",
			"true", "2025-03-04T05:06:07+00:00", "N/A", "N/A", "N/A", "false", "N/A", "N/A", "N/A", "N/A", "false", "N/A", "false", "N/A"},
		{"bob", "arn:aws:iam::123456789012:user/bob", "2025-03-04T05:07:07+00:00", "true", "2025-03-04T05:12:07+00:00", "2025-03-04T05:08:07+00:00", "N/A", "false",
			"false", "N/A", "N/A", "N/A", "N/A", "false", "N/A", "N/A", "N/A", "N/A", "false", "N/A", "false", "N/A"},
		{"carol", "arn:aws:iam::123456789012:user/team/carol", "2025-03-04T05:09:07+00:00", "false", "N/A", "N/A", "N/A", "false",
			"true", "2025-03-04T05:09:07+00:00", "2025-03-04T05:11:07+00:00", "us-east-1", "ecr-public",
			"false", "2025-03-04T05:10:07+00:00", "N/A", "N/A", "N/A", "false", "N/A", "false", "N/A"},
	}
	if len(rows) != len(want) {
		t.Fatalf("report has %d rows, want %d:\n%s", len(rows), len(want), r.Content)
	}
	for i := range want {
		if strings.Join(rows[i], ",") != strings.Join(want[i], ",") {
			t.Errorf("row %d:\n got %s\nwant %s", i, strings.Join(rows[i], ","), strings.Join(want[i], ","))
		}
	}
	if len(credentialReportColumns) != 22 {
		t.Fatalf("%d columns", len(credentialReportColumns))
	}

	// Within four hours, the report stays the one generated.
	e.user(t, "dave")
	e.now = t0.Add(time.Hour + credentialReportReuse - time.Second)
	if _, err := e.svc.GenerateCredentialReport(e.ctx, e.root); err != nil {
		t.Fatal(err)
	}
	r2, rows2 := readReport(t, e)
	if !r2.GeneratedTime.Equal(r.GeneratedTime) || len(rows2) != len(want) {
		t.Fatalf("a report was regenerated within four hours: %v\n%s", r2.GeneratedTime, r2.Content)
	}
	// After them, a new one is made.
	e.now = t0.Add(time.Hour + credentialReportReuse)
	if _, err := e.svc.GenerateCredentialReport(e.ctx, e.root); err != nil {
		t.Fatal(err)
	}
	r3, rows3 := readReport(t, e)
	if !r3.GeneratedTime.Equal(e.now) || len(rows3) != len(want)+1 || rows3[len(rows3)-1][0] != "dave" {
		t.Fatalf("regenerated report at %v:\n%s", r3.GeneratedTime, r3.Content)
	}
	if row := rows3[len(rows3)-1]; row[3] != "false" || row[4] != "N/A" || row[5] != "N/A" {
		t.Errorf("dave without a password: %v", row)
	}
}

func TestCredentialReportPasswordNeverUsed(t *testing.T) {
	e := newAcctEnv(t)
	e.user(t, "erin")
	if _, err := e.svc.CreateLoginProfile(e.ctx, e.root, CreateLoginProfileInput{UserName: "erin", Password: "Corr3ct-horse"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.GenerateCredentialReport(e.ctx, e.root); err != nil {
		t.Fatal(err)
	}
	_, rows := readReport(t, e)
	if got := rows[2][:7]; strings.Join(got, ",") != "erin,arn:aws:iam::123456789012:user/erin,2025-03-04T05:06:07+00:00,true,no_information,2025-03-04T05:06:07+00:00,N/A" {
		t.Errorf("erin = %v", got)
	}
}

// TestCredentialReportIsShared: the report lives in the store, so another
// server (Service) on the same store — a replica — serves the report one
// generated, and the four hours count across both.
func TestCredentialReportIsShared(t *testing.T) {
	e := newAcctEnv(t)
	box, err := secrets.NewBox(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	replica := New(e.st, authz.New(), box, catalog.MustLoad(), func() time.Time { return e.now })
	_, err = replica.GetCredentialReport(e.ctx, e.root)
	wantCode(t, err, "ReportNotPresent")

	t0 := e.now
	if st, err := e.svc.GenerateCredentialReport(e.ctx, e.root); err != nil || st.Description != "Credential report generated." {
		t.Fatalf("GenerateCredentialReport = %+v, %v", st, err)
	}
	r, _ := readReport(t, e)
	got, err := replica.GetCredentialReport(e.ctx, e.root)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Content, r.Content) || !got.GeneratedTime.Equal(t0) {
		t.Fatalf("the replica's report, of %v:\n%s\nwant, of %v:\n%s", got.GeneratedTime, got.Content, t0, r.Content)
	}

	// Within four hours, the replica keeps the report the first generated.
	e.user(t, "gina")
	e.now = t0.Add(credentialReportReuse - time.Second)
	if st, err := replica.GenerateCredentialReport(e.ctx, e.root); err != nil || st.State != "COMPLETE" || st.Description != "A credential report generated less than four hours ago is available." {
		t.Fatalf("GenerateCredentialReport on the replica within four hours = %+v, %v", st, err)
	}
	if r2, _ := readReport(t, e); !r2.GeneratedTime.Equal(t0) || !bytes.Equal(r2.Content, r.Content) {
		t.Fatalf("the replica regenerated the report within four hours, at %v", r2.GeneratedTime)
	}
	// After them, the replica's new report is the first's too.
	e.now = t0.Add(credentialReportReuse)
	if st, err := replica.GenerateCredentialReport(e.ctx, e.root); err != nil || st.Description != "Credential report generated." {
		t.Fatalf("GenerateCredentialReport on the replica after four hours = %+v, %v", st, err)
	}
	r3, rows := readReport(t, e)
	if !r3.GeneratedTime.Equal(e.now) || rows[len(rows)-1][0] != "gina" {
		t.Fatalf("report after the replica regenerated it, of %v:\n%s", r3.GeneratedTime, r3.Content)
	}
}

func TestCredentialReportIsPerStoreAndAuthorized(t *testing.T) {
	e := newAcctEnv(t)
	if _, err := e.svc.GenerateCredentialReport(e.ctx, e.root); err != nil {
		t.Fatal(err)
	}
	// Another server (Service) on another store has generated nothing.
	other := newAcctEnv(t)
	_, err := other.svc.GetCredentialReport(other.ctx, other.root)
	wantCode(t, err, "ReportNotPresent")

	frank := e.user(t, "frank")
	_, err = e.svc.GenerateCredentialReport(e.ctx, e.as(frank))
	wantCode(t, err, "AccessDenied")
	_, err = e.svc.GetCredentialReport(e.ctx, e.as(frank))
	wantCode(t, err, "AccessDenied")
	e.allow(t, frank, "iam:GetCredentialReport", "*")
	if _, err := e.svc.GetCredentialReport(e.ctx, e.as(frank)); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.GenerateCredentialReport(e.ctx, e.as(frank))
	wantCode(t, err, "AccessDenied")
}
