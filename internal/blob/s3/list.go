package s3

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/opencontainers/go-digest"

	"github.com/wharf-project/wharf/internal/blob"
)

// List calls fn with every blob under blobs/, a page of keys at a time.
// Only a key that is a blob's key, an algorithm and a well-formed digest's
// hex, names a blob; anything else under blobs/ is skipped. A multipart
// copy in progress there is no object, and so not listed.
func (s *Store) List(ctx context.Context, fn func(d digest.Digest, size int64) error) error {
	root := s.blobsPrefix()
	pages := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{Bucket: &s.bucket, Prefix: &root})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("blob/s3: list: %w", err)
		}
		for _, o := range page.Contents {
			alg, hex, _ := strings.Cut(strings.TrimPrefix(aws.ToString(o.Key), root), "/")
			d := digest.NewDigestFromEncoded(digest.Algorithm(alg), hex)
			if _, err := blob.CheckDigest(d); err != nil {
				continue // not a blob
			}
			if err := fn(d, aws.ToInt64(o.Size)); err != nil {
				return err
			}
		}
	}
	return nil
}

// List is the blob.Lister capability.
var _ blob.Lister = (*Store)(nil)
