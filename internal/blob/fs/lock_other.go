//go:build !unix || aix || solaris

package fs

import "os"

// lock does nothing where flock(2) is missing: one writer per upload is then
// the caller's promise alone.
func lock(*os.File) error { return nil }
