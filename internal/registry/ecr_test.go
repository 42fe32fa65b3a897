package registry

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/wharf-project/wharf/internal/errs"
	"github.com/wharf-project/wharf/internal/store"
)

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var e *errs.Error
	if code == "" {
		if err != nil {
			t.Fatalf("error = %v, want none", err)
		}
		return
	}
	if !errors.As(err, &e) || e.Code != code {
		t.Fatalf("error = %v, want code %s", err, code)
	}
}

func TestValidateTags(t *testing.T) {
	var fifty, fiftyOne []store.Tag
	for i := range 51 {
		tag := store.Tag{Key: fmt.Sprint("k", i)}
		if i < 50 {
			fifty = append(fifty, tag)
		}
		fiftyOne = append(fiftyOne, tag)
	}
	for _, c := range []struct {
		name string
		tags []store.Tag
		code string
	}{
		{"none", nil, ""},
		{"fifty", fifty, ""},
		{"fifty-one", fiftyOne, CodeTooManyTags},
		{"empty key", []store.Tag{{Key: ""}}, CodeInvalidTagParameter},
		{"long key", []store.Tag{{Key: strings.Repeat("k", 129)}}, CodeInvalidTagParameter},
		{"128-character key", []store.Tag{{Key: strings.Repeat("k", 128), Value: strings.Repeat("v", 256)}}, ""},
		{"long value", []store.Tag{{Key: "k", Value: strings.Repeat("v", 257)}}, CodeInvalidTagParameter},
		{"reserved prefix", []store.Tag{{Key: "AWS:x"}}, CodeInvalidTagParameter},
		{"twice", []store.Tag{{Key: "k"}, {Key: "k"}}, CodeInvalidTagParameter},
		{"case-sensitive keys", []store.Tag{{Key: "k"}, {Key: "K"}}, ""},
	} {
		t.Run(c.name, func(t *testing.T) { wantCode(t, ValidateTags(c.tags), c.code) })
	}
}

func TestCatalogDataValidate(t *testing.T) {
	for _, c := range []struct {
		name string
		in   CatalogDataInput
		code string
	}{
		{"empty", CatalogDataInput{}, ""},
		{"limits", CatalogDataInput{Description: strings.Repeat("é", 1024), AboutText: strings.Repeat("a", 25600), Logo: make([]byte, 512000),
			Architectures: []string{strings.Repeat("a", 50)}}, ""},
		{"description", CatalogDataInput{Description: strings.Repeat("d", 1025)}, CodeInvalidParameter},
		{"usage", CatalogDataInput{UsageText: strings.Repeat("u", 25601)}, CodeInvalidParameter},
		{"logo", CatalogDataInput{Logo: make([]byte, 512001)}, CodeInvalidParameter},
		{"empty architecture", CatalogDataInput{Architectures: []string{""}}, CodeInvalidParameter},
		{"51 systems", CatalogDataInput{OperatingSystems: make([]string, 51)}, CodeInvalidParameter},
	} {
		t.Run(c.name, func(t *testing.T) { wantCode(t, c.in.Validate(), c.code) })
	}
}

func TestRepositoryRef(t *testing.T) {
	s := New(nil, nil, nil, "h", nil)
	ref, err := s.repositoryRef("arn:aws:ecr-public::123456789012:repository/team/app")
	if err != nil || ref != (Ref{Account: "123456789012", Name: "team/app"}) {
		t.Fatalf("repositoryRef = %+v, %v", ref, err)
	}
	for _, bad := range []string{
		"arn:aws:ecr:us-east-1:123456789012:repository/app",
		"arn:aws:ecr-public:us-east-1:123456789012:repository/app",
		"arn:aws:ecr-public::123456789012:registry/123456789012",
		"arn:aws:ecr-public::12345:repository/app",
		"arn:aws:ecr-public::123456789012:repository/UPPER",
		"arn:aws-cn:ecr-public::123456789012:repository/app",
		"not an arn",
	} {
		if _, err := s.repositoryRef(bad); !errs.Is(err, errs.Invalid) {
			t.Errorf("repositoryRef(%q) = %v, want Invalid", bad, err)
		}
	}
}
