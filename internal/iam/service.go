// Package iam is Wharf's IAM service: users, groups, roles, managed and
// inline policies, access keys and policy simulation, with AWS's validation
// rules, quotas and error kinds. It never imports net/http: the Query-protocol
// adapter (internal/api/iamquery) decodes requests into the typed inputs here
// and renders the results.
//
// Every operation is authorized first, as AWS authorizes IAM's own API
// (iam:CreateUser on arn:aws:iam::ACCOUNT:user/PATH/NAME, …): the account's
// root user may do anything in its account; everyone else needs a policy.
package iam

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/wharf-project/wharf/internal/authz"
	"github.com/wharf-project/wharf/internal/errs"
	"github.com/wharf-project/wharf/internal/policy"
	"github.com/wharf-project/wharf/internal/policy/catalog"
	"github.com/wharf-project/wharf/internal/secrets"
	"github.com/wharf-project/wharf/internal/store"
)

// Service implements IAM.
type Service struct {
	store     store.Store
	authz     *authz.Authorizer
	box       *secrets.Box
	catalog   *catalog.Catalog
	now       func() time.Time
	partition string
}

// New returns the IAM service.
func New(st store.Store, az *authz.Authorizer, box *secrets.Box, cat *catalog.Catalog, now func() time.Time) *Service {
	return &Service{store: st, authz: az, box: box, catalog: cat, now: now, partition: "aws"}
}

// AWS quotas (IAM User Guide, reference_iam-quotas).
const (
	maxAccessKeysPerUser     = 2
	maxManagedPerEntity      = 10
	maxGroupsPerUser         = 10
	maxPolicyVersions        = 5
	maxManagedPolicyChars    = 6144
	maxInlineUserChars       = 2048
	maxInlineGroupChars      = 5120
	maxInlineRoleChars       = 10240
	maxTrustPolicyChars      = 2048
	maxTags                  = 50
	defaultMaxSessionSeconds = 3600
)

var (
	userNameRE   = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	groupNameRE  = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)
	roleNameRE   = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	policyNameRE = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)
	pathRE       = regexp.MustCompile(`^(/|/[\x21-\x7E]+/)$`)
	versionIDRE  = regexp.MustCompile(`^v[1-9][0-9]*(\.[A-Za-z0-9-]*)?$`)
	tagKeyRE     = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$`)
	tagValueRE   = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$`)
)

func validName(kind, name string, re *regexp.Regexp, member string) error {
	if !re.MatchString(name) {
		return errs.Coded(errs.Invalid, "ValidationError", "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+ (and be 1 to %d characters)", name, member, maxLen(re))
	}
	return nil
}

func maxLen(re *regexp.Regexp) int {
	if re == userNameRE || re == roleNameRE {
		return 64
	}
	return 128
}

func validPath(path string) (string, error) {
	if path == "" {
		return "/", nil
	}
	if len(path) > 512 || !pathRE.MatchString(path) {
		return "", errs.Coded(errs.Invalid, "ValidationError", "1 validation error detected: Value '%s' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)", path)
	}
	return path, nil
}

func validTags(tags []store.Tag) error {
	if len(tags) > maxTags {
		return errs.Coded(errs.LimitExceeded, "LimitExceeded", "Cannot exceed quota for TagsPerEntity: %d", maxTags)
	}
	seen := map[string]bool{}
	for _, t := range tags {
		if !tagKeyRE.MatchString(t.Key) || !tagValueRE.MatchString(t.Value) {
			return errs.Coded(errs.Invalid, "InvalidInput", "Tag key %q or value %q is not valid: keys are 1 to 128 and values 0 to 256 letters, digits, spaces and _.:/=+-@", t.Key, t.Value)
		}
		if seen[strings.ToLower(t.Key)] {
			return errs.Coded(errs.Invalid, "InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		seen[strings.ToLower(t.Key)] = true
	}
	return nil
}

// account returns the caller's account.
func account(call *authz.Call) string { return call.Subject.Caller.Account }

func (s *Service) arn(account, kind, path, name string) string {
	if path == "" {
		path = "/"
	}
	return "arn:" + s.partition + ":iam::" + account + ":" + kind + path + name
}

// authorize asks the engine whether the call may perform action on resource.
func (s *Service) authorize(tx store.Tx, call *authz.Call, action, resource string) error {
	if call == nil || call.Subject == nil {
		return errs.Coded(errs.Unauthenticated, "MissingAuthenticationToken", "Request is missing Authentication Token")
	}
	return s.authz.Authorize(tx, call, action, resource, nil, nil)
}

// tx runs fn in a transaction.
func (s *Service) tx(ctx context.Context, fn func(store.Tx) error) error {
	return s.store.Tx(ctx, fn)
}

// notFound turns store.ErrNotFound into IAM's NoSuchEntity with AWS's wording.
func notFound(err error, what, name string) error {
	if errors.Is(err, store.ErrNotFound) {
		return errs.Coded(errs.NotFound, "NoSuchEntity", "The %s with name %s cannot be found.", what, name)
	}
	return err
}

func alreadyExists(err error, what, name string) error {
	if errors.Is(err, store.ErrAlreadyExists) {
		return errs.Coded(errs.AlreadyExists, "EntityAlreadyExists", "%s with name %s already exists.", what, name)
	}
	return err
}

// parsePolicy checks a policy document as IAM does before storing it.
func parsePolicy(doc string, kind policy.Kind, maxChars int, what string) (*policy.Policy, error) {
	if strings.TrimSpace(doc) == "" {
		return nil, errs.Coded(errs.Invalid, "MalformedPolicyDocument", "Syntax errors in policy: the %s document is empty.", what)
	}
	if len(doc) > 131072 {
		return nil, errs.Coded(errs.Invalid, "ValidationError", "1 validation error detected: Value at 'policyDocument' failed to satisfy constraint: Member must have length less than or equal to 131072")
	}
	if maxChars > 0 {
		if n := nonSpace(doc); n > maxChars {
			return nil, errs.Coded(errs.LimitExceeded, "LimitExceeded", "Cannot exceed quota for PolicySize: %d", maxChars)
		}
	}
	p, err := policy.ParseString(doc, kind)
	if err != nil {
		return nil, errs.Coded(errs.Invalid, "MalformedPolicyDocument", "%s", err.Error())
	}
	return p, nil
}

func nonSpace(s string) int {
	n := 0
	for _, r := range s {
		if r != ' ' && r != '\t' && r != '\n' && r != '\r' {
			n++
		}
	}
	return n
}

// Page is the input of a listing: IAM's Marker and MaxItems.
type Page struct {
	Marker   string
	MaxItems int
}

func (p Page) store() (store.Page, error) {
	if p.MaxItems < 0 || p.MaxItems > 1000 {
		return store.Page{}, errs.Coded(errs.Invalid, "ValidationError", "1 validation error detected: Value '%d' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000", p.MaxItems)
	}
	return store.Page{Marker: p.Marker, Max: p.MaxItems}, nil
}

func newID(prefix string) string {
	id, err := secrets.NewID(prefix)
	if err != nil {
		panic(fmt.Sprintf("crypto/rand failed: %v", err))
	}
	return id
}

func (s *Service) rootARN(account string) string {
	return "arn:" + s.partition + ":iam::" + account + ":root"
}

// policiesConflict is IAM's DeleteConflict for an entity that still has
// inline or attached policies.
func policiesConflict(tx store.Tx, e store.Entity) error {
	inline, err := tx.Policies().ListInline(e)
	if err != nil {
		return err
	}
	if len(inline) > 0 {
		return errs.Coded(errs.Conflict, "DeleteConflict", "Cannot delete entity, must delete policies first.")
	}
	attached, err := tx.Policies().Attached(e)
	if err != nil {
		return err
	}
	if len(attached) > 0 {
		return errs.Coded(errs.Conflict, "DeleteConflict", "Cannot delete entity, must detach all policies first.")
	}
	return nil
}
