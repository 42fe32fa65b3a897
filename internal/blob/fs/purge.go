package fs

import (
	"context"
	"errors"
	iofs "io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/wharf-project/wharf/internal/blob"
)

// Purge removes what clients and crashes leave behind: uploads that no
// writer holds and that have not changed since before, and entries of tmp/
// older than that. It returns how many it removed. Blobs are never touched.
// A caller runs it now and then with, say, a day ago; the metadata store
// forgets those uploads on its own schedule (resuming one is
// ErrUploadNotFound either way).
func (s *Store) Purge(ctx context.Context, before time.Time) (int, error) {
	n := 0
	var errs []error
	uploads, err := os.ReadDir(filepath.Join(s.root, uploadsDir))
	if err != nil {
		return 0, err
	}
	for _, e := range uploads {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		removed, err := s.purgeUpload(e.Name(), before)
		if err != nil {
			errs = append(errs, err)
		}
		if removed {
			n++
		}
	}
	tmp := filepath.Join(s.root, tmpDir)
	entries, err := os.ReadDir(tmp)
	if err != nil {
		return n, errors.Join(append(errs, err)...)
	}
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		fi, err := e.Info()
		if err != nil || !fi.ModTime().Before(before) {
			continue // gone already, or young
		}
		if err := os.RemoveAll(filepath.Join(tmp, e.Name())); err != nil {
			errs = append(errs, err)
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}

// purgeUpload removes the upload directory name when nobody holds it and
// nothing in it changed since before.
func (s *Store) purgeUpload(name string, before time.Time) (bool, error) {
	dir := filepath.Join(s.root, uploadsDir, name)
	newest := func(paths ...string) time.Time {
		var t time.Time
		for _, p := range paths {
			if fi, err := os.Lstat(p); err == nil && fi.ModTime().After(t) {
				t = fi.ModTime()
			}
		}
		return t
	}
	dataPath := filepath.Join(dir, dataName)
	f, err := os.Open(dataPath)
	switch {
	case errors.Is(err, iofs.ErrNotExist):
		// What a commit or cancel that died half way leaves: no data, so no
		// writer can hold it.
		if newest(dir, filepath.Join(dir, stateName), filepath.Join(dir, stateTmpName)).Before(before) {
			return true, os.RemoveAll(dir)
		}
		return false, nil
	case err != nil:
		return false, err
	}
	defer f.Close()
	if err := lock(f); err != nil {
		if errors.Is(err, errBusy) {
			return false, nil
		}
		return false, err
	}
	fi, err := f.Stat()
	if err != nil {
		return false, err
	}
	if pi, err := os.Lstat(dataPath); err != nil || !os.SameFile(fi, pi) {
		return false, nil // committed or discarded meanwhile
	}
	if !newest(dir, dataPath, filepath.Join(dir, stateName), filepath.Join(dir, stateTmpName)).Before(before) {
		return false, nil
	}
	return true, os.RemoveAll(dir) // still holding the lock, as discard does
}

// Purge is the blob.Purger capability.
var _ blob.Purger = (*Store)(nil)
