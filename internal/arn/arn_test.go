package arn_test

import (
	"errors"
	"testing"

	"github.com/wharf-project/wharf/internal/arn"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in                         string
		service, region, acct, res string
		typ, name                  string
	}{
		{"arn:aws:ecr-public::123456789012:repository/team/app", "ecr-public", "", "123456789012", "repository/team/app", "repository", "team/app"},
		{"arn:aws:ecr:us-east-1:123456789012:repository/x", "ecr", "us-east-1", "123456789012", "repository/x", "repository", "x"},
		{"arn:aws:iam::123456789012:root", "iam", "", "123456789012", "root", "root", ""},
		{"arn:aws:iam::aws:policy/AdministratorAccess", "iam", "", "aws", "policy/AdministratorAccess", "policy", "AdministratorAccess"},
		{"arn:aws:sts::123456789012:assumed-role/pusher/build-42", "sts", "", "123456789012", "assumed-role/pusher/build-42", "assumed-role", "pusher/build-42"},
		{"arn:aws:logs:us-east-1:123456789012:log-group:my:group", "logs", "us-east-1", "123456789012", "log-group:my:group", "log-group", "my:group"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			a, err := arn.Parse(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if a.Service != tt.service || a.Region != tt.region || a.AccountID != tt.acct || a.Resource != tt.res {
				t.Errorf("Parse = %+v", a)
			}
			if a.ResourceType() != tt.typ || a.ResourceName() != tt.name {
				t.Errorf("type/name = %q/%q, want %q/%q", a.ResourceType(), a.ResourceName(), tt.typ, tt.name)
			}
			if a.String() != tt.in {
				t.Errorf("String = %q", a.String())
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, in := range []string{"", "*", "arn:aws:ecr-public", "arn:aws:ecr-public::123456789012", "urn:aws:iam::1:user/x", "arn::iam::123456789012:user/x", "arn:aws:::123456789012:x", "arn:aws:iam::123456789012:"} {
		t.Run(in, func(t *testing.T) {
			if _, err := arn.Parse(in); !errors.Is(err, arn.ErrMalformed) {
				t.Errorf("Parse(%q) error = %v, want ErrMalformed", in, err)
			}
		})
	}
}

func TestBuilders(t *testing.T) {
	if got := arn.Repository("aws", "123456789012", "a/b").String(); got != "arn:aws:ecr-public::123456789012:repository/a/b" {
		t.Error(got)
	}
	if got := arn.Registry("aws", "123456789012").String(); got != "arn:aws:ecr-public::123456789012:registry/123456789012" {
		t.Error(got)
	}
	if got := arn.IAM("aws", "123456789012", "user", "/ci/", "bot").String(); got != "arn:aws:iam::123456789012:user/ci/bot" {
		t.Error(got)
	}
	if got := arn.IAM("aws", "123456789012", "role", "", "r").String(); got != "arn:aws:iam::123456789012:role/r" {
		t.Error(got)
	}
	if !arn.IsAccountID("123456789012") || arn.IsAccountID("12345678901") || arn.IsAccountID("12345678901a") {
		t.Error("IsAccountID")
	}
}

// FuzzParse: whatever parses formats back to the same text.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"arn:aws:ecr-public::123456789012:repository/x", "arn:aws:iam::aws:policy/a", "arn:a:b:c:d:e:f:g", "arn:::::"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := arn.Parse(s)
		if err != nil {
			return
		}
		if a.String() != s {
			t.Fatalf("round trip %q -> %q", s, a.String())
		}
		b, err := arn.Parse(a.String())
		if err != nil || b != a {
			t.Fatalf("reparse %q: %v %+v", s, err, b)
		}
	})
}
