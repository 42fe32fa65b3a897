package e2e

// The IAM credential report in scale-out: a report generated through one
// replica is the report every replica serves, and IAM's "once every four
// hours" counts across all of them (the report is a row in PostgreSQL, not
// a replica's memory).

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// TestCredentialReportScaleOut generates the report through replica 1 and
// reads it through replica 2, as root and as an IAM user allowed to.
func TestCredentialReportScaleOut(t *testing.T) {
	d := newScaleOut(t)
	Binary(t)
	rs := d.start(t, 2)
	r1, r2 := rs[0], rs[1]
	ctx := context.Background()

	// Through replica 1: an auditor who may read the report, with a key.
	admin := rootIAM(r1)
	must[*iam.CreateUserOutput](t, "CreateUser via replica 1")(admin.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("auditor")}))
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy via replica 1")(admin.PutUserPolicy(ctx, &iam.PutUserPolicyInput{
		UserName:       aws.String("auditor"),
		PolicyName:     aws.String("read-report"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetCredentialReport","Resource":"*"}]}`),
	}))
	key := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey via replica 1")(admin.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("auditor")}))
	keyID, secret := aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey)
	root2, auditor2 := iamClient(r2, r2.RootKeyID, r2.RootKey, ""), iamClient(r2, keyID, secret, "")

	// None generated yet, on either replica.
	for i, c := range []*iam.Client{admin, root2} {
		_, err := c.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
		wantCode(t, fmt.Sprintf("GetCredentialReport before any was generated, via replica %d", i+1), err, "ReportNotPresent")
	}

	gen := must[*iam.GenerateCredentialReportOutput](t, "GenerateCredentialReport via replica 1")(admin.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{}))
	if gen.State != types.ReportStateTypeComplete {
		t.Fatalf("GenerateCredentialReport via replica 1: State %q, want COMPLETE", gen.State)
	}
	want := must[*iam.GetCredentialReportOutput](t, "GetCredentialReport via replica 1")(admin.GetCredentialReport(ctx, &iam.GetCredentialReportInput{}))
	rows, err := csv.NewReader(bytes.NewReader(want.Content)).ReadAll()
	if err != nil || len(rows) != 3 || rows[1][0] != "<root_account>" || rows[2][0] != "auditor" || rows[2][8] != "true" {
		t.Fatalf("report via replica 1 (%v):\n%s", err, want.Content)
	}

	// Replica 2 serves the same report, to root and to the auditor.
	for _, c := range []struct {
		who    string
		client *iam.Client
	}{{"root", root2}, {"auditor", auditor2}} {
		got := must[*iam.GetCredentialReportOutput](t, "GetCredentialReport via replica 2 as "+c.who)(c.client.GetCredentialReport(ctx, &iam.GetCredentialReportInput{}))
		if !bytes.Equal(got.Content, want.Content) || !aws.ToTime(got.GeneratedTime).Equal(aws.ToTime(want.GeneratedTime)) || got.ReportFormat != types.ReportFormatTypeTextCsv {
			t.Errorf("GetCredentialReport via replica 2 as %s: %s report of %v:\n%s\nwant, of %v:\n%s",
				c.who, got.ReportFormat, aws.ToTime(got.GeneratedTime), got.Content, aws.ToTime(want.GeneratedTime), want.Content)
		}
	}
	// Authorization holds on replica 2 as well: the auditor may not generate.
	_, err = auditor2.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{})
	wantCode(t, "GenerateCredentialReport via replica 2 as the auditor", err, "AccessDenied")

	// Within four hours, generating through replica 2 keeps replica 1's
	// report, even with a new user to report on.
	must[*iam.CreateUserOutput](t, "CreateUser via replica 2")(root2.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("latecomer")}))
	gen = must[*iam.GenerateCredentialReportOutput](t, "GenerateCredentialReport via replica 2")(root2.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{}))
	if gen.State != types.ReportStateTypeComplete {
		t.Errorf("GenerateCredentialReport via replica 2: State %q, want COMPLETE", gen.State)
	}
	for i, c := range []*iam.Client{admin, root2} {
		got := must[*iam.GetCredentialReportOutput](t, fmt.Sprintf("GetCredentialReport via replica %d after generating via replica 2", i+1))(c.GetCredentialReport(ctx, &iam.GetCredentialReportInput{}))
		if !bytes.Equal(got.Content, want.Content) || !aws.ToTime(got.GeneratedTime).Equal(aws.ToTime(want.GeneratedTime)) {
			t.Errorf("via replica %d: the report was regenerated within four hours (of %v):\n%s", i+1, aws.ToTime(got.GeneratedTime), got.Content)
		}
	}
}
