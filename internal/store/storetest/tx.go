package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/wharf-project/wharf/internal/store"
)

var errBoom = errors.New("boom")

var txTests = []test{
	{"ErrorRollsBack", func(h *harness) {
		u := h.user(acctA, "alice")
		err := h.s.Tx(context.Background(), func(tx store.Tx) error {
			if err := tx.Users().Create(u); err != nil {
				return err
			}
			if err := tx.Groups().Create(h.group(acctA, "devs")); err != nil {
				return err
			}
			if err := tx.Groups().AddMember(acctA, "devs", "alice"); err != nil {
				return err
			}
			return fmt.Errorf("later: %w", errBoom)
		})
		if !errors.Is(err, errBoom) {
			h.t.Errorf("Tx: got %v, want fn's error", err)
		}
		h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.Users().Get(acctA, "alice"); return err })
		h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.Groups().Get(acctA, "devs"); return err })
	}},
	{"PanicRollsBack", func(h *harness) {
		u := h.user(acctA, "alice")
		func() {
			defer func() {
				if r := recover(); r != errBoom {
					h.t.Errorf("recovered %v, want the panic to be re-raised with errBoom", r)
				}
			}()
			_ = h.s.Tx(context.Background(), func(tx store.Tx) error {
				if err := tx.Users().Create(u); err != nil {
					return err
				}
				panic(errBoom)
			})
		}()
		h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.Users().Get(acctA, "alice"); return err })
		// The store is still usable.
		h.mustCreate(u)
	}},
	{"SeesOwnWrites", func(h *harness) {
		u := h.user(acctA, "alice")
		h.do(func(tx store.Tx) error {
			if err := tx.Users().Create(u); err != nil {
				return err
			}
			got, err := tx.Users().Get(acctA, "alice")
			check(h.t, "Get in the same Tx", got, u)
			return err
		})
	}},
	{"FailedCallKeepsTx", func(h *harness) {
		// A call that fails undoes only its own writes; the transaction goes on.
		h.mustCreate(h.user(acctA, "alice"))
		h.do(func(tx store.Tx) error {
			if err := tx.Users().Create(h.user(acctA, "bob")); err != nil {
				return err
			}
			if err := tx.Users().Create(h.user(acctA, "ALICE")); !errors.Is(err, store.ErrAlreadyExists) {
				h.t.Errorf("Create duplicate: got %v, want ErrAlreadyExists", err)
			}
			if err := tx.Groups().AddMember(acctA, "nogroup", "bob"); !errors.Is(err, store.ErrNotFound) {
				h.t.Errorf("AddMember to a missing group: got %v, want ErrNotFound", err)
			}
			return tx.Users().Create(h.user(acctA, "carol"))
		})
		got := list(h, func(tx store.Tx) ([]store.User, bool, error) { return tx.Users().List(acctA, "", store.Page{}) })
		checkNames(h.t, "users", names(got.items), []string{"alice", "bob", "carol"})
	}},
	{"FailedCallUndoesItsWrites", func(h *harness) {
		// Calls that fail after their first write (the name is free, the
		// ID is taken) leave nothing of theirs, even when the transaction
		// commits: no half-created user, no half-renamed role.
		alice, ops, devs, deploy := h.user(acctA, "alice"), h.role(acctA, "ops"), h.group(acctA, "devs"), h.role(acctA, "deploy")
		h.mustCreate(alice, ops, devs, deploy)
		h.do(func(tx store.Tx) error {
			bob := h.user(acctA, "bob")
			bob.ID = alice.ID
			if err := tx.Users().Create(bob); !errors.Is(err, store.ErrAlreadyExists) {
				h.t.Errorf("Create user with a taken ID: got %v, want ErrAlreadyExists", err)
			}
			g := h.group(acctA, "admins")
			g.ID = devs.ID
			if err := tx.Groups().Create(g); !errors.Is(err, store.ErrAlreadyExists) {
				h.t.Errorf("Create group with a taken ID: got %v, want ErrAlreadyExists", err)
			}
			renamed := deploy
			renamed.Name, renamed.ID = "deployer", ops.ID
			if err := tx.Roles().Update("deploy", renamed); !errors.Is(err, store.ErrAlreadyExists) {
				h.t.Errorf("Update role to a taken ID: got %v, want ErrAlreadyExists", err)
			}
			return nil
		})
		h.mustCreate(h.user(acctA, "bob"), h.group(acctA, "admins"))
		check(h.t, "the role not renamed", get(h, func(tx store.Tx) (store.Role, error) { return tx.Roles().Get(acctA, "deploy") }), deploy)
		h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.Roles().Get(acctA, "deployer"); return err })
	}},
	{"CanceledContext", func(h *harness) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := h.s.Tx(ctx, func(tx store.Tx) error { return tx.Users().Create(h.user(acctA, "alice")) })
		if err == nil {
			h.t.Errorf("Tx with a canceled context: got no error")
		}
		h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.Users().Get(acctA, "alice"); return err })
	}},
	{"Concurrent", func(h *harness) {
		// Writers from many goroutines all succeed, and none loses another's
		// update: each transaction creates a user and increments a counter
		// (a role's MaxSessionDuration) by read-modify-write.
		const goroutines, perGoroutine = 20, 5
		counter := h.role(acctA, "counter")
		counter.MaxSessionDuration = 0
		h.mustCreate(counter)
		var wg sync.WaitGroup
		for g := range goroutines {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range perGoroutine {
					name := fmt.Sprintf("user-%02d-%d", g, i)
					u := store.User{AccountID: acctA, Name: name, ID: fmt.Sprintf("AIDACONCURRENT%02d%d", g, i), Path: "/", CreatedAt: t0}
					err := h.s.Tx(context.Background(), func(tx store.Tx) error {
						if err := tx.Users().Create(u); err != nil {
							return err
						}
						r, err := tx.Roles().Get(acctA, "counter")
						if err != nil {
							return err
						}
						r.MaxSessionDuration++
						return tx.Roles().Update("counter", r)
					})
					if err != nil {
						h.t.Errorf("Tx %s: %v", name, err)
					}
				}
			}()
		}
		wg.Wait()
		us := list(h, func(tx store.Tx) ([]store.User, bool, error) {
			return tx.Users().List(acctA, "", store.Page{Max: 1000})
		})
		if len(us.items) != goroutines*perGoroutine {
			h.t.Errorf("got %d users, want %d", len(us.items), goroutines*perGoroutine)
		}
		r := get(h, func(tx store.Tx) (store.Role, error) { return tx.Roles().Get(acctA, "counter") })
		if r.MaxSessionDuration != goroutines*perGoroutine {
			h.t.Errorf("counter = %d, want %d: updates were lost", r.MaxSessionDuration, goroutines*perGoroutine)
		}
	}},
}

var accountTests = []test{
	{"CreateGet", func(h *harness) {
		a := store.Account{ID: "333333333333", Alias: "acme", CreatedAt: at(1)}
		h.do(func(tx store.Tx) error { return tx.Accounts().Create(a) })
		got := get(h, func(tx store.Tx) (store.Account, error) { return tx.Accounts().Get("333333333333") })
		check(h.t, "Get", got, a)
	}},
	{"ZeroValues", func(h *harness) {
		a := store.Account{ID: "333333333333"}
		h.do(func(tx store.Tx) error { return tx.Accounts().Create(a) })
		got := get(h, func(tx store.Tx) (store.Account, error) { return tx.Accounts().Get("333333333333") })
		check(h.t, "Get", got, a)
	}},
	{"Duplicate", func(h *harness) {
		h.fails(store.ErrAlreadyExists, func(tx store.Tx) error {
			return tx.Accounts().Create(store.Account{ID: acctA, CreatedAt: t0})
		})
	}},
	{"NotFound", func(h *harness) {
		h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.Accounts().Get("999999999999"); return err })
	}},
	{"List", func(h *harness) {
		h.do(func(tx store.Tx) error { return tx.Accounts().Create(store.Account{ID: "000000000001", CreatedAt: t0}) })
		got := get(h, func(tx store.Tx) ([]store.Account, error) { return tx.Accounts().List() })
		want := []store.Account{
			{ID: "000000000001", CreatedAt: t0},
			{ID: acctA, Alias: "alias-" + acctA, CreatedAt: t0},
			{ID: acctB, Alias: "alias-" + acctB, CreatedAt: t0},
		}
		check(h.t, "List", got, want)
	}},
}
