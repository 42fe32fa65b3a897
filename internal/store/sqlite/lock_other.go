//go:build !unix

package sqlite

import "os"

// flockTry: without flock, the lock holds within this process only.
func flockTry(*os.File) (bool, error) { return true, nil }
