package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/wharf-project/wharf/internal/store"
)

func addFailure(h *harness, key string, n, windowStart int) store.SignInFailureCount {
	h.t.Helper()
	return get(h, func(tx store.Tx) (store.SignInFailureCount, error) {
		return tx.SignInFailures().Add(key, at(n), at(windowStart))
	})
}

func noFailures(h *harness, what, key string) {
	h.t.Helper()
	h.failsAs(what, store.ErrNotFound, func(tx store.Tx) error { _, err := tx.SignInFailures().Get(key); return err })
}

func getFailures(h *harness, key string) store.SignInFailureCount {
	h.t.Helper()
	return get(h, func(tx store.Tx) (store.SignInFailureCount, error) { return tx.SignInFailures().Get(key) })
}

var signInFailureTests = []test{
	{"AddCounts", func(h *harness) {
		// Three failures inside the window: one count, from the first.
		for i := 1; i <= 3; i++ {
			got := addFailure(h, "k", i, 0)
			check(h.t, fmt.Sprint("Add #", i), got, store.SignInFailureCount{First: at(1), Count: i})
		}
		check(h.t, "Get", getFailures(h, "k"), store.SignInFailureCount{First: at(1), Count: 3})
		// Another key counts apart.
		check(h.t, "Add other", addFailure(h, "other", 2, 0), store.SignInFailureCount{First: at(2), Count: 1})
	}},
	{"AddRestartsAfterWindow", func(h *harness) {
		addFailure(h, "k", 1, 0)
		addFailure(h, "k", 2, 0)
		// The window now starts at 1: the count that began at 1 goes on.
		check(h.t, "Add at window start", addFailure(h, "k", 3, 1), store.SignInFailureCount{First: at(1), Count: 3})
		// The window starts after 1: the count begins again.
		check(h.t, "Add after window", addFailure(h, "k", 20, 5), store.SignInFailureCount{First: at(20), Count: 1})
		check(h.t, "Get", getFailures(h, "k"), store.SignInFailureCount{First: at(20), Count: 1})
	}},
	{"GetMissing", func(h *harness) {
		noFailures(h, "Get of an unknown key", "nobody")
	}},
	{"Delete", func(h *harness) {
		addFailure(h, "k", 1, 0)
		h.do(func(tx store.Tx) error { return tx.SignInFailures().Delete("k") })
		noFailures(h, "Get after Delete", "k")
		// Deleting what is not there is no error: a success forgets
		// whatever count there was.
		h.do(func(tx store.Tx) error { return tx.SignInFailures().Delete("k") })
		check(h.t, "Add after Delete", addFailure(h, "k", 2, 0), store.SignInFailureCount{First: at(2), Count: 1})
	}},
	{"DeleteBefore", func(h *harness) {
		addFailure(h, "old", 1, 0)
		addFailure(h, "old", 2, 0) // still began at 1
		addFailure(h, "edge", 5, 0)
		addFailure(h, "new", 9, 0)
		n := get(h, func(tx store.Tx) (int, error) { return tx.SignInFailures().DeleteBefore(at(5)) })
		check(h.t, "DeleteBefore's count", n, 1)
		noFailures(h, "Get of a purged key", "old")
		check(h.t, "Get edge", getFailures(h, "edge"), store.SignInFailureCount{First: at(5), Count: 1})
		check(h.t, "Get new", getFailures(h, "new"), store.SignInFailureCount{First: at(9), Count: 1})
	}},
	{"AddConcurrent", func(h *harness) {
		// Failures arriving at once (on several replicas) are all counted:
		// the count is the number of Adds, whatever the interleaving.
		const goroutines, perGoroutine = 10, 5
		var wg sync.WaitGroup
		for range goroutines {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range perGoroutine {
					err := h.s.Tx(context.Background(), func(tx store.Tx) error {
						_, err := tx.SignInFailures().Add("k", at(1), at(0))
						return err
					})
					if err != nil {
						h.t.Errorf("Add: %v", err)
					}
				}
			}()
		}
		wg.Wait()
		check(h.t, "Get", getFailures(h, "k"), store.SignInFailureCount{First: at(1), Count: goroutines * perGoroutine})
	}},
	{"Rollback", func(h *harness) {
		// A failure added in a transaction that fails is not counted.
		err := h.s.Tx(context.Background(), func(tx store.Tx) error {
			if _, err := tx.SignInFailures().Add("k", at(1), at(0)); err != nil {
				return err
			}
			return errBoom
		})
		if !errors.Is(err, errBoom) {
			h.t.Fatalf("Tx = %v, want the rollback error", err)
		}
		noFailures(h, "Get after rollback", "k")
	}},
}
