// Package arn parses and formats Amazon Resource Names:
//
//	arn:partition:service:region:account-id:resource
//
// Wharf names every entity with an ARN in AWS's formats, e.g.
// arn:aws:ecr-public::123456789012:repository/team/app (no region: ECR Public
// resources are global), arn:aws:iam::123456789012:user/alice,
// arn:aws:sts::123456789012:assumed-role/pusher/build-42.
// Matching ARNs against policy patterns, with wildcards and policy variables,
// is internal/policy/pattern's job; this package knows concrete ARNs only.
// It imports nothing but the standard library.
package arn

import (
	"errors"
	"fmt"
	"strings"
)

// ARN is a parsed Amazon Resource Name.
type ARN struct {
	Partition string // "aws"
	Service   string // "ecr-public", "iam", "sts"
	Region    string // empty for global services
	AccountID string // 12 digits, "aws" for AWS-managed IAM policies, or empty
	Resource  string // "repository/name", "user/path/name"; may contain ':' and '/'
}

// ErrMalformed is the error kind of every Parse failure.
var ErrMalformed = errors.New("malformed ARN")

// Parse parses s. It requires the "arn" prefix, a partition, a service and a
// resource; region and account may be empty, as they are for global resources.
func Parse(s string) (ARN, error) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 {
		return ARN{}, fmt.Errorf("%w: %q has %d of the 6 colon-separated parts arn:partition:service:region:account:resource", ErrMalformed, s, len(parts))
	}
	if parts[0] != "arn" {
		return ARN{}, fmt.Errorf("%w: %q does not start with \"arn:\"", ErrMalformed, s)
	}
	a := ARN{Partition: parts[1], Service: parts[2], Region: parts[3], AccountID: parts[4], Resource: parts[5]}
	switch {
	case a.Partition == "":
		return ARN{}, fmt.Errorf("%w: %q has no partition", ErrMalformed, s)
	case a.Service == "":
		return ARN{}, fmt.Errorf("%w: %q has no service", ErrMalformed, s)
	case a.Resource == "":
		return ARN{}, fmt.Errorf("%w: %q has no resource", ErrMalformed, s)
	}
	return a, nil
}

// String formats the ARN.
func (a ARN) String() string {
	return "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.AccountID + ":" + a.Resource
}

// ResourceType returns the resource's type: the text before the first '/' or
// ':' of the resource part ("repository", "user", "assumed-role"), or the whole
// resource part when it has neither ("root").
func (a ARN) ResourceType() string {
	if i := strings.IndexAny(a.Resource, "/:"); i >= 0 {
		return a.Resource[:i]
	}
	return a.Resource
}

// ResourceName returns the resource part after its type and separator
// ("team/app" for repository/team/app).
func (a ARN) ResourceName() string {
	if i := strings.IndexAny(a.Resource, "/:"); i >= 0 {
		return a.Resource[i+1:]
	}
	return ""
}

// IsAccountID reports whether s is a 12-digit AWS account ID.
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Repository returns the ARN of an ECR Public repository.
func Repository(partition, account, name string) ARN {
	return ARN{Partition: partition, Service: "ecr-public", AccountID: account, Resource: "repository/" + name}
}

// Registry returns the ARN of an account's ECR Public registry.
func Registry(partition, account string) ARN {
	return ARN{Partition: partition, Service: "ecr-public", AccountID: account, Resource: "registry/" + account}
}

// IAM returns the ARN of an IAM entity: kind is "user", "group", "role" or
// "policy"; path is "/" or "/division/…/".
func IAM(partition, account, kind, path, name string) ARN {
	if path == "" {
		path = "/"
	}
	return ARN{Partition: partition, Service: "iam", AccountID: account, Resource: kind + path + name}
}
