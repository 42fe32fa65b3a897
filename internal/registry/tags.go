package registry

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/wharf-project/wharf/internal/arn"
	"github.com/wharf-project/wharf/internal/authz"
	"github.com/wharf-project/wharf/internal/errs"
	"github.com/wharf-project/wharf/internal/store"
)

// Resource tags of repositories (ECR Public's ListTagsForResource,
// TagResource, UntagResource). Keys are case-sensitive, as ECR's are.

const (
	maxTagKeyChars   = 128
	maxTagValueChars = 256
)

// ValidateTags checks tags as ECR Public does: keys of 1–128 characters not
// starting with the reserved "aws:", values of at most 256, no key twice
// (InvalidTagParameter), and at most 50 (TooManyTags).
func ValidateTags(tags []store.Tag) error {
	seen := make(map[string]bool, len(tags))
	for _, t := range tags {
		if err := validTagKey(t.Key); err != nil {
			return err
		}
		if utf8.RuneCountInString(t.Value) > maxTagValueChars {
			return coded(errs.Invalid, CodeInvalidTagParameter, "The value of tag '%s' has more than %d characters.", t.Key, maxTagValueChars)
		}
		if seen[t.Key] {
			return coded(errs.Invalid, CodeInvalidTagParameter, "The tag key '%s' is given more than once.", t.Key)
		}
		seen[t.Key] = true
	}
	if len(tags) > maxRepoTags {
		return coded(errs.Invalid, CodeTooManyTags, "A repository can have at most %d tags.", maxRepoTags)
	}
	return nil
}

func validTagKey(k string) error {
	if n := utf8.RuneCountInString(k); n < 1 || n > maxTagKeyChars {
		return coded(errs.Invalid, CodeInvalidTagParameter, "The tag key '%s' must have 1 to %d characters.", k, maxTagKeyChars)
	}
	if strings.HasPrefix(strings.ToLower(k), "aws:") {
		return coded(errs.Invalid, CodeInvalidTagParameter, "The tag key '%s' uses the reserved prefix 'aws:'.", k)
	}
	return nil
}

// repositoryRef parses a repository ARN, arn:aws:ecr-public::<account>:repository/<name>.
func (s *Service) repositoryRef(resourceARN string) (Ref, error) {
	bad := func() (Ref, error) {
		return Ref{}, coded(errs.Invalid, CodeInvalidParameter, "Invalid parameter at 'resourceArn' failed to satisfy constraint: '%s is not a repository ARN (arn:%s:ecr-public::<account>:repository/<name>)'", resourceARN, s.partition)
	}
	a, err := arn.Parse(resourceARN)
	if err != nil || a.Partition != s.partition || a.Service != "ecr-public" || a.Region != "" || !arn.IsAccountID(a.AccountID) ||
		!strings.HasPrefix(a.Resource, "repository/") {
		return bad()
	}
	name := strings.TrimPrefix(a.Resource, "repository/")
	if err := ValidRepositoryName(name); err != nil {
		return bad()
	}
	return Ref{Account: a.AccountID, Name: name}, nil
}

// ListTagsForResource returns a repository's tags
// (ecr-public:ListTagsForResource).
func (s *Service) ListTagsForResource(ctx context.Context, call *authz.Call, resourceARN string) ([]store.Tag, error) {
	ref, err := s.repositoryRef(resourceARN)
	if err != nil {
		return nil, err
	}
	var out []store.Tag
	err = store.View(ctx, s.store, func(tx store.Tx) error {
		_, r, err := s.resolve(tx, ref)
		if err != nil {
			return err
		}
		if err := s.authorizeRepo(tx, call, "ecr-public:ListTagsForResource", r, nil); err != nil {
			return err
		}
		out = r.Tags
		return nil
	})
	return out, err
}

// TagResource adds tags to a repository, replacing the values of keys it
// has (ecr-public:TagResource, with aws:RequestTag/… and aws:TagKeys).
func (s *Service) TagResource(ctx context.Context, call *authz.Call, resourceARN string, tags []store.Tag) error {
	ref, err := s.repositoryRef(resourceARN)
	if err != nil {
		return err
	}
	if err := ValidateTags(tags); err != nil {
		return err
	}
	extra := map[string][]string{}
	for _, t := range tags {
		extra["aws:RequestTag/"+t.Key] = []string{t.Value}
		extra["aws:TagKeys"] = append(extra["aws:TagKeys"], t.Key)
	}
	return s.store.Tx(ctx, func(tx store.Tx) error {
		_, r, err := s.resolve(tx, ref)
		if err != nil {
			return err
		}
		if err := s.authorizeRepo(tx, call, "ecr-public:TagResource", r, extra); err != nil {
			return err
		}
		merged := append([]store.Tag{}, r.Tags...)
		for _, t := range tags {
			replaced := false
			for i := range merged {
				if merged[i].Key == t.Key {
					merged[i].Value, replaced = t.Value, true
				}
			}
			if !replaced {
				merged = append(merged, t)
			}
		}
		if len(merged) > maxRepoTags {
			return coded(errs.Invalid, CodeTooManyTags, "A repository can have at most %d tags; it has %d and the request adds %d.", maxRepoTags, len(r.Tags), len(merged)-len(r.Tags))
		}
		r.Tags = merged
		return tx.Registry().UpdateRepository(r)
	})
}

// UntagResource removes tags from a repository; keys it does not have are
// ignored (ecr-public:UntagResource, with aws:TagKeys).
func (s *Service) UntagResource(ctx context.Context, call *authz.Call, resourceARN string, keys []string) error {
	ref, err := s.repositoryRef(resourceARN)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if n := utf8.RuneCountInString(k); n < 1 || n > maxTagKeyChars {
			return coded(errs.Invalid, CodeInvalidTagParameter, "The tag key '%s' must have 1 to %d characters.", k, maxTagKeyChars)
		}
	}
	extra := map[string][]string{}
	if len(keys) > 0 {
		extra["aws:TagKeys"] = keys
	}
	return s.store.Tx(ctx, func(tx store.Tx) error {
		_, r, err := s.resolve(tx, ref)
		if err != nil {
			return err
		}
		if err := s.authorizeRepo(tx, call, "ecr-public:UntagResource", r, extra); err != nil {
			return err
		}
		drop := make(map[string]bool, len(keys))
		for _, k := range keys {
			drop[k] = true
		}
		kept := []store.Tag{}
		for _, t := range r.Tags {
			if !drop[t.Key] {
				kept = append(kept, t)
			}
		}
		r.Tags = kept
		return tx.Registry().UpdateRepository(r)
	})
}
