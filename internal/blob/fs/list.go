package fs

import (
	"context"
	"errors"
	"fmt"
	iofs "io/fs"
	"os"
	"path/filepath"

	"github.com/opencontainers/go-digest"

	"github.com/wharf-project/wharf/internal/blob"
)

// List calls fn with every blob under blobs/, fan-out directory by fan-out
// directory. Only a regular file whose name is a digest's hex, in the
// fan-out directory of its first two digits, is a blob (nothing else ever
// appears there by a Commit); anything else is skipped, as is a blob
// deleted between its directory's listing and its Stat.
func (s *Store) List(ctx context.Context, fn func(d digest.Digest, size int64) error) error {
	for _, alg := range []digest.Algorithm{digest.SHA256, digest.SHA512} {
		dir := filepath.Join(s.root, blobsDir, string(alg))
		fanouts, err := os.ReadDir(dir)
		if err != nil {
			return fmt.Errorf("blob/fs: %w", err)
		}
		for _, f := range fanouts {
			if err := ctx.Err(); err != nil {
				return err
			}
			if !f.IsDir() || len(f.Name()) != 2 {
				continue
			}
			entries, err := os.ReadDir(filepath.Join(dir, f.Name()))
			if errors.Is(err, iofs.ErrNotExist) {
				continue
			}
			if err != nil {
				return fmt.Errorf("blob/fs: %w", err)
			}
			for _, e := range entries {
				d := digest.NewDigestFromEncoded(alg, e.Name())
				if _, err := blob.CheckDigest(d); err != nil || !e.Type().IsRegular() || e.Name()[:2] != f.Name() {
					continue
				}
				fi, err := e.Info()
				if errors.Is(err, iofs.ErrNotExist) {
					continue
				}
				if err != nil {
					return fmt.Errorf("blob/fs: %w", err)
				}
				if err := fn(d, fi.Size()); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// List is the blob.Lister capability.
var _ blob.Lister = (*Store)(nil)
