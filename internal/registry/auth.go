package registry

import (
	"context"

	"github.com/wharf-project/wharf/internal/authz"
	"github.com/wharf-project/wharf/internal/store"
)

// AuthorizeGetAuthorizationToken checks what ECR Public's
// GetAuthorizationToken requires: both ecr-public:GetAuthorizationToken and
// sts:GetServiceBearerToken, on "*".
func (s *Service) AuthorizeGetAuthorizationToken(ctx context.Context, call *authz.Call) error {
	return store.View(ctx, s.store, func(tx store.Tx) error {
		if err := s.authz.Authorize(tx, call, "ecr-public:GetAuthorizationToken", "*", nil, nil); err != nil {
			return err
		}
		return s.authz.Authorize(tx, call, "sts:GetServiceBearerToken", "*", nil, map[string][]string{"sts:AWSServiceName": {"ecr-public.amazonaws.com"}})
	})
}
