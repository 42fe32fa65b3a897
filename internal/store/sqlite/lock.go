package sqlite

import (
	"context"
	"fmt"
	"os"
	"sync"
)

// TryLock takes the named lock: an exclusive flock(2) on the file
// "<database>.<name>.lock" beside the database, so that of all processes
// using the database (wharf serve, wharf admin gc) one holds it at a time;
// the kernel releases it when its holder dies. The file stays. Where flock
// is not available, the lock is held within this process only. Locker is an
// optional capability beside store.Store.
func (s *Store) TryLock(ctx context.Context, name string) (unlock func(), ok bool, err error) {
	if !validLockName(name) {
		return nil, false, fmt.Errorf("sqlite: lock %q: a name is letters, digits and '-'", name)
	}
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	held.Lock()
	defer held.Unlock()
	path := s.path + "." + name + ".lock"
	if held.names[path] {
		return nil, false, nil
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, false, fmt.Errorf("sqlite: lock %s: %w", name, err)
	}
	ok, err = flockTry(f)
	if err != nil || !ok {
		f.Close()
		if err != nil {
			return nil, false, fmt.Errorf("sqlite: lock %s: %w", name, err)
		}
		return nil, false, nil
	}
	if held.names == nil {
		held.names = map[string]bool{}
	}
	held.names[path] = true
	var once sync.Once
	return func() {
		once.Do(func() {
			held.Lock()
			delete(held.names, path)
			held.Unlock()
			f.Close() // closing the file releases the flock
		})
	}, true, nil
}

// held is the locks this process holds, by file: a second TryLock in the
// process fails without relying on how the platform's flock treats it.
var held struct {
	sync.Mutex
	names map[string]bool
}

func validLockName(name string) bool {
	if name == "" || len(name) > 64 {
		return false
	}
	for _, c := range name {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-':
		default:
			return false
		}
	}
	return true
}
