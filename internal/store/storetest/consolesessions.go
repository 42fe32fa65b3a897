package storetest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/wharf-project/wharf/internal/store"
)

// sessionID is the hex SHA-256 of token, as the console makes a session's ID.
func sessionID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// session returns a console session of acct's user (root for ""), every
// field set.
func (h *harness) session(acct, user string) store.ConsoleSession {
	s := store.ConsoleSession{
		ID:                    sessionID(h.id("token")),
		AccountID:             acct,
		UserName:              user,
		CSRFToken:             h.id("csrf-"),
		PasswordResetRequired: true,
		CreatedAt:             at(10),
		ExpiresAt:             at(20),
	}
	if user != "" {
		s.UserID = h.id("AIDA")
	}
	return s
}

func (h *harness) mustCreateSessions(ss ...store.ConsoleSession) {
	h.t.Helper()
	h.do(func(tx store.Tx) error {
		for _, s := range ss {
			if err := tx.ConsoleSessions().Create(s); err != nil {
				return err
			}
		}
		return nil
	})
}

func getSession(h *harness, id string) store.ConsoleSession {
	h.t.Helper()
	return get(h, func(tx store.Tx) (store.ConsoleSession, error) { return tx.ConsoleSessions().Get(id) })
}

// checkSessions checks that the sessions in want exist as they are and those
// in gone do not.
func checkSessions(h *harness, what string, want, gone []store.ConsoleSession) {
	h.t.Helper()
	for _, s := range want {
		check(h.t, what+": Get "+s.AccountID+"/"+s.UserName, getSession(h, s.ID), s)
	}
	for _, s := range gone {
		h.failsAs(what+": Get deleted "+s.AccountID+"/"+s.UserName, store.ErrNotFound,
			func(tx store.Tx) error { _, err := tx.ConsoleSessions().Get(s.ID); return err })
	}
}

var consoleSessionTests = []test{
	{"CreateGet", func(h *harness) {
		user, root := h.session(acctA, "alice"), h.session(acctA, "")
		root.PasswordResetRequired = false
		h.mustCreateSessions(user, root)
		check(h.t, "Get user session", getSession(h, user.ID), user)
		check(h.t, "Get root session", getSession(h, root.ID), root)
	}},
	{"ZeroValues", func(h *harness) {
		s := store.ConsoleSession{ID: sessionID("bare"), AccountID: acctB}
		h.mustCreateSessions(s)
		check(h.t, "Get", getSession(h, s.ID), s)
	}},
	{"NoUserNeeded", func(h *harness) {
		// A session names its user; the store does not check that the user
		// exists, nor keep the session from outliving it (UserID tells).
		s := h.session(acctA, "alice")
		h.mustCreate(h.user(acctA, "alice"))
		h.mustCreateSessions(s, h.session(acctA, "nobody"))
		h.do(func(tx store.Tx) error { return tx.Users().Delete(acctA, "alice") })
		check(h.t, "Get after deleting the user", getSession(h, s.ID), s)
	}},
	{"ExpiredStillFound", func(h *harness) {
		s := h.session(acctA, "alice")
		s.CreatedAt, s.ExpiresAt = at(-20), at(-10)
		h.mustCreateSessions(s)
		check(h.t, "Get", getSession(h, s.ID), s)
	}},
	{"DuplicateID", func(h *harness) {
		s := h.session(acctA, "alice")
		h.mustCreateSessions(s)
		again := h.session(acctA, "bob")
		again.ID = s.ID
		h.failsAs("Create in the same account", store.ErrAlreadyExists, func(tx store.Tx) error { return tx.ConsoleSessions().Create(again) })
		again.AccountID = acctB
		h.failsAs("Create in another account", store.ErrAlreadyExists, func(tx store.Tx) error { return tx.ConsoleSessions().Create(again) })
		check(h.t, "Get", getSession(h, s.ID), s)
	}},
	{"NotFound", func(h *harness) {
		missing := sessionID("missing")
		for _, c := range []struct {
			what string
			fn   func(tx store.Tx) error
		}{
			{"Create in a missing account", func(tx store.Tx) error { return tx.ConsoleSessions().Create(h.session("999999999999", "")) }},
			{"Get", func(tx store.Tx) error { _, err := tx.ConsoleSessions().Get(missing); return err }},
			{"ClearPasswordReset", func(tx store.Tx) error { return tx.ConsoleSessions().ClearPasswordReset(missing) }},
			{"Delete", func(tx store.Tx) error { return tx.ConsoleSessions().Delete(missing) }},
		} {
			h.failsAs(c.what, store.ErrNotFound, c.fn)
		}
	}},
	{"IDExact", func(h *harness) {
		// IDs are hex digests and compare exactly.
		s := h.session(acctA, "alice")
		s.ID = "ABCDEF" + s.ID[6:]
		h.mustCreateSessions(s)
		lower := "abcdef" + s.ID[6:]
		h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.ConsoleSessions().Get(lower); return err })
		h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.ConsoleSessions().Delete(lower) })
		check(h.t, "Get", getSession(h, s.ID), s)
	}},
	{"ClearPasswordReset", func(h *harness) {
		s, other := h.session(acctA, "alice"), h.session(acctA, "alice")
		h.mustCreateSessions(s, other)
		h.do(func(tx store.Tx) error { return tx.ConsoleSessions().ClearPasswordReset(s.ID) })
		s.PasswordResetRequired = false
		check(h.t, "Get cleared", getSession(h, s.ID), s)
		check(h.t, "Get other", getSession(h, other.ID), other)
		// Clearing a cleared session is no error.
		h.do(func(tx store.Tx) error { return tx.ConsoleSessions().ClearPasswordReset(s.ID) })
		check(h.t, "Get cleared twice", getSession(h, s.ID), s)
	}},
	{"Delete", func(h *harness) {
		s, other := h.session(acctA, "alice"), h.session(acctA, "alice")
		h.mustCreateSessions(s, other)
		h.do(func(tx store.Tx) error { return tx.ConsoleSessions().Delete(s.ID) })
		checkSessions(h, "after Delete", []store.ConsoleSession{other}, []store.ConsoleSession{s})
		h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.ConsoleSessions().Delete(s.ID) })
		// The ID can be used again.
		h.mustCreateSessions(s)
		check(h.t, "Get re-created", getSession(h, s.ID), s)
	}},
	{"DeleteForUser", func(h *harness) {
		alice1, alice2 := h.session(acctA, "alice"), h.session(acctA, "ALICE")
		bob, rootA := h.session(acctA, "bob"), h.session(acctA, "")
		aliceB, rootB := h.session(acctB, "alice"), h.session(acctB, "")
		h.mustCreateSessions(alice1, alice2, bob, rootA, aliceB, rootB)

		deleteFor := func(acct, user string, want int) {
			h.t.Helper()
			n := get(h, func(tx store.Tx) (int, error) { return tx.ConsoleSessions().DeleteForUser(acct, user) })
			if n != want {
				h.t.Errorf("DeleteForUser(%s, %q) = %d, want %d", acct, user, n, want)
			}
		}
		// The name matches in any case, whatever the case it was stored in.
		deleteFor(acctA, "Alice", 2)
		checkSessions(h, "after DeleteForUser(A, Alice)",
			[]store.ConsoleSession{bob, rootA, aliceB, rootB}, []store.ConsoleSession{alice1, alice2})
		deleteFor(acctA, "alice", 0)
		// "" is the root user only.
		deleteFor(acctA, "", 1)
		checkSessions(h, "after DeleteForUser(A, root)",
			[]store.ConsoleSession{bob, aliceB, rootB}, []store.ConsoleSession{rootA})
		deleteFor(acctA, "", 0)
		deleteFor(acctA, "carol", 0)
		// An account that does not exist has no sessions.
		deleteFor("999999999999", "alice", 0)
		checkSessions(h, "at the end", []store.ConsoleSession{bob, aliceB, rootB}, nil)
	}},
	{"DeleteExpired", func(h *harness) {
		// t is not in UTC (t0's zone); the times compare as instants.
		t := at(30)
		before, atT, after := h.session(acctA, "alice"), h.session(acctA, "bob"), h.session(acctB, "")
		justBefore, justAfter := h.session(acctB, "carol"), h.session(acctA, "")
		before.ExpiresAt = at(29)
		justBefore.ExpiresAt = t.Add(-time.Millisecond)
		atT.ExpiresAt = t
		justAfter.ExpiresAt = t.Add(time.Millisecond)
		after.ExpiresAt = at(40)
		// The zero expiry is before any time.
		zero := h.session(acctA, "dave")
		zero.ExpiresAt = time.Time{}
		h.mustCreateSessions(before, atT, after, justBefore, justAfter, zero)

		deleteExpired := func(cut time.Time, want int) {
			h.t.Helper()
			n := get(h, func(tx store.Tx) (int, error) { return tx.ConsoleSessions().DeleteExpired(cut) })
			if n != want {
				h.t.Errorf("DeleteExpired(%v) = %d, want %d", cut, n, want)
			}
		}
		deleteExpired(t, 3)
		checkSessions(h, "after DeleteExpired(t)",
			[]store.ConsoleSession{atT, justAfter, after}, []store.ConsoleSession{before, justBefore, zero})
		deleteExpired(t, 0)
		deleteExpired(t.Add(time.Millisecond).In(time.UTC), 1)
		checkSessions(h, "after DeleteExpired(t+1ms)",
			[]store.ConsoleSession{justAfter, after}, []store.ConsoleSession{atT})
		deleteExpired(at(100), 2)
		checkSessions(h, "after DeleteExpired(later)", nil, []store.ConsoleSession{justAfter, after})
	}},
	{"ErrorRollsBack", func(h *harness) {
		s := h.session(acctA, "alice")
		err := h.s.Tx(context.Background(), func(tx store.Tx) error {
			if err := tx.ConsoleSessions().Create(s); err != nil {
				return err
			}
			return fmt.Errorf("later: %w", errBoom)
		})
		if !errors.Is(err, errBoom) {
			h.t.Errorf("Tx: got %v, want fn's error", err)
		}
		checkSessions(h, "after a failed Tx", nil, []store.ConsoleSession{s})
	}},
	{"FailedCallKeepsTx", func(h *harness) {
		// A Create that fails (taken ID, missing account) leaves the
		// transaction usable, and what it did before the failure is kept.
		s := h.session(acctA, "alice")
		h.mustCreateSessions(s)
		dup, lost, next := h.session(acctA, "bob"), h.session("999999999999", ""), h.session(acctA, "carol")
		dup.ID = s.ID
		kept := h.session(acctB, "")
		h.do(func(tx store.Tx) error {
			if err := tx.ConsoleSessions().Create(kept); err != nil {
				return err
			}
			if err := tx.ConsoleSessions().Create(dup); !errors.Is(err, store.ErrAlreadyExists) {
				h.t.Errorf("Create duplicate: got %v, want ErrAlreadyExists", err)
			}
			if err := tx.ConsoleSessions().Create(lost); !errors.Is(err, store.ErrNotFound) {
				h.t.Errorf("Create in a missing account: got %v, want ErrNotFound", err)
			}
			if err := tx.ConsoleSessions().Delete(sessionID("missing")); !errors.Is(err, store.ErrNotFound) {
				h.t.Errorf("Delete missing: got %v, want ErrNotFound", err)
			}
			return tx.ConsoleSessions().Create(next)
		})
		checkSessions(h, "after the Tx", []store.ConsoleSession{s, kept, next}, []store.ConsoleSession{lost})
	}},
}

// rootPasswordTests are the accounts' root passwords; they run with accountTests.
var rootPasswordTests = []test{
	{"RootPasswordCreateGet", func(h *harness) {
		a := store.Account{ID: "333333333333", RootPasswordHash: "$argon2id$v=19$m=65536,t=3,p=4$cm9vdA$aGFzaA", CreatedAt: at(1)}
		h.do(func(tx store.Tx) error { return tx.Accounts().Create(a) })
		check(h.t, "Get", get(h, func(tx store.Tx) (store.Account, error) { return tx.Accounts().Get(a.ID) }), a)
	}},
	{"SetRootPassword", func(h *harness) {
		const hash = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$cm9vdA"
		h.do(func(tx store.Tx) error { return tx.Accounts().SetRootPassword(acctA, hash) })
		a := store.Account{ID: acctA, Alias: "alias-" + acctA, RootPasswordHash: hash, CreatedAt: t0}
		b := store.Account{ID: acctB, Alias: "alias-" + acctB, CreatedAt: t0}
		check(h.t, "Get", get(h, func(tx store.Tx) (store.Account, error) { return tx.Accounts().Get(acctA) }), a)
		check(h.t, "GetByAlias", get(h, func(tx store.Tx) (store.Account, error) { return tx.Accounts().GetByAlias(a.Alias) }), a)
		check(h.t, "List", get(h, func(tx store.Tx) ([]store.Account, error) { return tx.Accounts().List() }), []store.Account{a, b})

		// Setting it again replaces it; "" removes it.
		h.do(func(tx store.Tx) error { return tx.Accounts().SetRootPassword(acctA, hash+"2") })
		a.RootPasswordHash = hash + "2"
		check(h.t, "Get replaced", get(h, func(tx store.Tx) (store.Account, error) { return tx.Accounts().Get(acctA) }), a)
		h.do(func(tx store.Tx) error { return tx.Accounts().SetRootPassword(acctA, "") })
		a.RootPasswordHash = ""
		check(h.t, "List removed", get(h, func(tx store.Tx) ([]store.Account, error) { return tx.Accounts().List() }), []store.Account{a, b})
	}},
	{"SetRootPasswordNotFound", func(h *harness) {
		h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.Accounts().SetRootPassword("999999999999", "x") })
	}},
}
