package storetest

import (
	"time"

	"github.com/wharf-project/wharf/internal/store"
)

var userTests = []test{
	{"CreateGet", func(h *harness) {
		u := h.user(acctA, "alice")
		h.mustCreate(u)
		got := get(h, func(tx store.Tx) (store.User, error) { return tx.Users().Get(acctA, "alice") })
		check(h.t, "Get", got, u)
	}},
	{"ZeroValues", func(h *harness) {
		u := store.User{AccountID: acctA, Name: "bare", ID: "AIDABARE"}
		h.mustCreate(u)
		got := get(h, func(tx store.Tx) (store.User, error) { return tx.Users().Get(acctA, "bare") })
		check(h.t, "Get", got, u)
		if !got.CreatedAt.IsZero() || !got.PasswordLastUsed.IsZero() {
			h.t.Errorf("zero times came back as %v, %v", got.CreatedAt, got.PasswordLastUsed)
		}
	}},
	{"GetAnyCase", func(h *harness) {
		u := h.user(acctA, "alice")
		h.mustCreate(u)
		for _, name := range []string{"ALICE", "Alice", "aLiCe"} {
			got := get(h, func(tx store.Tx) (store.User, error) { return tx.Users().Get(acctA, name) })
			check(h.t, "Get("+name+")", got, u) // with the stored spelling
		}
	}},
	{"DuplicateName", func(h *harness) {
		h.mustCreate(h.user(acctA, "Alice"))
		for _, name := range []string{"Alice", "alice", "ALICE"} {
			h.fails(store.ErrAlreadyExists, func(tx store.Tx) error { return tx.Users().Create(h.user(acctA, name)) })
		}
		// Another path does not make another name.
		u := h.user(acctA, "alice")
		u.Path = "/other/"
		h.fails(store.ErrAlreadyExists, func(tx store.Tx) error { return tx.Users().Create(u) })
	}},
	{"DuplicateID", func(h *harness) {
		u := h.user(acctA, "alice")
		h.mustCreate(u)
		v := h.user(acctA, "bob")
		v.ID = u.ID
		h.fails(store.ErrAlreadyExists, func(tx store.Tx) error { return tx.Users().Create(v) })
	}},
	{"SameNameOtherAccount", func(h *harness) {
		a, b := h.user(acctA, "alice"), h.user(acctB, "alice")
		h.mustCreate(a, b)
		check(h.t, "Get A", get(h, func(tx store.Tx) (store.User, error) { return tx.Users().Get(acctA, "alice") }), a)
		check(h.t, "Get B", get(h, func(tx store.Tx) (store.User, error) { return tx.Users().Get(acctB, "alice") }), b)
	}},
	{"SameNameOtherKind", func(h *harness) {
		// Users, groups and roles are separate namespaces.
		h.mustCreate(h.user(acctA, "ops"), h.group(acctA, "ops"), h.role(acctA, "ops"))
	}},
	{"UnknownAccount", func(h *harness) {
		h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.Users().Create(h.user("999999999999", "alice")) })
	}},
	{"NotFound", func(h *harness) {
		h.mustCreate(h.user(acctA, "alice"))
		h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.Users().Get(acctA, "bob"); return err })
		h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.Users().Get(acctB, "alice"); return err })
		h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.Users().Get("999999999999", "alice"); return err })
	}},
	{"GetByID", func(h *harness) {
		u := h.user(acctA, "alice")
		h.mustCreate(u, h.user(acctA, "bob"))
		got := get(h, func(tx store.Tx) (store.User, error) { return tx.Users().GetByID(acctA, u.ID) })
		check(h.t, "GetByID", got, u)
		h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.Users().GetByID(acctB, u.ID); return err })
		h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.Users().GetByID(acctA, "AIDANOPE"); return err })
	}},
	{"List", pagingTest(userLister)},
	{"ListDefaultMax", defaultMaxTest(userLister)},
	{"ListFull", func(h *harness) {
		a, b := h.user(acctA, "alice"), h.user(acctA, "bob")
		h.mustCreate(b, a)
		got := list(h, func(tx store.Tx) ([]store.User, bool, error) { return tx.Users().List(acctA, "/", store.Page{}) })
		check(h.t, "List", got.items, []store.User{a, b})
	}},
	{"Update", func(h *harness) {
		u := h.user(acctA, "alice")
		h.mustCreate(u)
		u.Path = "/eng/"
		u.PermissionsBoundary = ""
		u.Tags = []store.Tag{{Key: "new", Value: "tag"}}
		u.PasswordHash = ""
		u.PasswordCreatedAt = at(10)
		u.PasswordResetNeeded = false
		u.PasswordLastUsed = at(11)
		h.do(func(tx store.Tx) error { return tx.Users().Update("ALICE", u) })
		check(h.t, "Get", get(h, func(tx store.Tx) (store.User, error) { return tx.Users().Get(acctA, "alice") }), u)
		// Clearing fields clears them.
		u.Tags = nil
		u.PasswordCreatedAt = time.Time{}
		u.PasswordLastUsed = time.Time{}
		h.do(func(tx store.Tx) error { return tx.Users().Update("alice", u) })
		check(h.t, "Get", get(h, func(tx store.Tx) (store.User, error) { return tx.Users().Get(acctA, "alice") }), u)
	}},
	{"UpdateNotFound", func(h *harness) {
		h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.Users().Update("nobody", h.user(acctA, "nobody")) })
		h.mustCreate(h.user(acctB, "alice"))
		h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.Users().Update("alice", h.user(acctA, "alice")) })
	}},
	{"Rename", func(h *harness) {
		u := h.user(acctA, "alice")
		h.mustCreate(u)
		u.Name = "alicia"
		h.do(func(tx store.Tx) error { return tx.Users().Update("alice", u) })
		h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.Users().Get(acctA, "alice"); return err })
		check(h.t, "Get", get(h, func(tx store.Tx) (store.User, error) { return tx.Users().Get(acctA, "alicia") }), u)
		check(h.t, "GetByID", get(h, func(tx store.Tx) (store.User, error) { return tx.Users().GetByID(acctA, u.ID) }), u)
	}},
	{"RenameCase", func(h *harness) {
		u := h.user(acctA, "alice")
		h.mustCreate(u)
		u.Name = "Alice"
		h.do(func(tx store.Tx) error { return tx.Users().Update("alice", u) })
		check(h.t, "Get", get(h, func(tx store.Tx) (store.User, error) { return tx.Users().Get(acctA, "alice") }), u)
	}},
	{"RenameToTaken", func(h *harness) {
		u := h.user(acctA, "alice")
		h.mustCreate(u, h.user(acctA, "bob"))
		u.Name = "BOB"
		h.fails(store.ErrAlreadyExists, func(tx store.Tx) error { return tx.Users().Update("alice", u) })
	}},
	{"RenameCarries", func(h *harness) {
		e := store.Entity{AccountID: acctA, Kind: store.KindUser, Name: "alice"}
		u := h.user(acctA, "alice")
		h.mustCreate(u, h.group(acctA, "devs"), h.key(acctA, "alice", "AKIAALICE"))
		h.do(func(tx store.Tx) error { return tx.Groups().AddMember(acctA, "devs", "alice") })
		pol := h.withPolicies(e)

		u.Name = "alicia"
		h.do(func(tx store.Tx) error { return tx.Users().Update("alice", u) })
		e.Name = "alicia"
		h.checkPolicies(e, pol)
		gs := list(h, func(tx store.Tx) ([]store.Group, bool, error) {
			return tx.Groups().GroupsForUser(acctA, "alicia", store.Page{})
		})
		checkNames(h.t, "GroupsForUser", names(gs.items), []string{"devs"})
		ms := list(h, func(tx store.Tx) ([]store.User, bool, error) { return tx.Groups().Members(acctA, "devs", store.Page{}) })
		check(h.t, "Members", ms.items, []store.User{u})
		ks := get(h, func(tx store.Tx) ([]store.AccessKey, error) { return tx.AccessKeys().ListForUser(acctA, "alicia") })
		if len(ks) != 1 || ks[0].ID != "AKIAALICE" || ks[0].UserName != "alicia" {
			h.t.Errorf("ListForUser after rename: got %+v, want AKIAALICE of alicia", ks)
		}
		k := get(h, func(tx store.Tx) (store.AccessKey, error) { return tx.AccessKeys().Get("AKIAALICE") })
		if k.UserName != "alicia" {
			h.t.Errorf("key's UserName after rename = %q, want alicia", k.UserName)
		}
		h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.AccessKeys().ListForUser(acctA, "alice"); return err })

		// The old name is free again, and starts with nothing.
		h.mustCreate(h.user(acctA, "alice"))
		h.checkBare(store.Entity{AccountID: acctA, Kind: store.KindUser, Name: "alice"})
	}},
	{"Delete", func(h *harness) {
		h.mustCreate(h.user(acctA, "alice"), h.user(acctA, "bob"), h.user(acctB, "alice"))
		h.do(func(tx store.Tx) error { return tx.Users().Delete(acctA, "ALICE") })
		h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.Users().Get(acctA, "alice"); return err })
		get(h, func(tx store.Tx) (store.User, error) { return tx.Users().Get(acctA, "bob") })
		get(h, func(tx store.Tx) (store.User, error) { return tx.Users().Get(acctB, "alice") })
		h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.Users().Delete(acctA, "alice") })
	}},
	{"DeleteTakesAlong", func(h *harness) {
		e := store.Entity{AccountID: acctA, Kind: store.KindUser, Name: "alice"}
		h.mustCreate(h.user(acctA, "alice"), h.group(acctA, "devs"), h.key(acctA, "alice", "AKIAALICE"))
		h.do(func(tx store.Tx) error { return tx.Groups().AddMember(acctA, "devs", "alice") })
		pol := h.withPolicies(e)
		h.do(func(tx store.Tx) error { return tx.Users().Delete(acctA, "alice") })

		h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.AccessKeys().Get("AKIAALICE"); return err })
		ms := list(h, func(tx store.Tx) ([]store.User, bool, error) { return tx.Groups().Members(acctA, "devs", store.Page{}) })
		checkNames(h.t, "Members", names(ms.items), nil)
		ents := get(h, func(tx store.Tx) ([]store.Entity, error) { return tx.Policies().AttachedTo(pol.ARN) })
		check(h.t, "AttachedTo", ents, []store.Entity{})

		h.mustCreate(h.user(acctA, "alice"))
		h.checkBare(e)
	}},
}

// withPolicies gives e an inline policy "inline" and attaches the managed
// policy "Managed" of e's account, created if need be; it returns the latter.
func (h *harness) withPolicies(e store.Entity) store.ManagedPolicy {
	h.t.Helper()
	p, v := h.policy(e.AccountID, "/", "Managed")
	h.do(func(tx store.Tx) error {
		if got, err := tx.Policies().Get(p.ARN); err == nil {
			p = got
		} else if err := tx.Policies().Create(p, v); err != nil {
			return err
		}
		if err := tx.Policies().PutInline(store.InlinePolicy{Entity: e, Name: "inline", Document: doc("iam:Get*")}); err != nil {
			return err
		}
		return tx.Policies().Attach(store.Attachment{Entity: e, PolicyARN: p.ARN})
	})
	return p
}

// checkPolicies checks that e has what withPolicies gave it.
func (h *harness) checkPolicies(e store.Entity, p store.ManagedPolicy) {
	h.t.Helper()
	in := get(h, func(tx store.Tx) ([]store.InlinePolicy, error) { return tx.Policies().ListInline(e) })
	check(h.t, "ListInline", in, []store.InlinePolicy{{Entity: e, Name: "inline", Document: doc("iam:Get*")}})
	att := get(h, func(tx store.Tx) ([]store.ManagedPolicy, error) { return tx.Policies().Attached(e) })
	check(h.t, "Attached", att, []store.ManagedPolicy{p})
	ents := get(h, func(tx store.Tx) ([]store.Entity, error) { return tx.Policies().AttachedTo(p.ARN) })
	check(h.t, "AttachedTo", ents, []store.Entity{e})
}

// checkBare checks that a new entity has no policies, groups, members or keys.
func (h *harness) checkBare(e store.Entity) {
	h.t.Helper()
	in := get(h, func(tx store.Tx) ([]store.InlinePolicy, error) { return tx.Policies().ListInline(e) })
	check(h.t, "ListInline of a new "+string(e.Kind), in, []store.InlinePolicy{})
	att := get(h, func(tx store.Tx) ([]store.ManagedPolicy, error) { return tx.Policies().Attached(e) })
	check(h.t, "Attached of a new "+string(e.Kind), att, []store.ManagedPolicy{})
	switch e.Kind {
	case store.KindUser:
		gs := list(h, func(tx store.Tx) ([]store.Group, bool, error) {
			return tx.Groups().GroupsForUser(e.AccountID, e.Name, store.Page{})
		})
		checkNames(h.t, "GroupsForUser of a new user", names(gs.items), nil)
		ks := get(h, func(tx store.Tx) ([]store.AccessKey, error) { return tx.AccessKeys().ListForUser(e.AccountID, e.Name) })
		check(h.t, "ListForUser of a new user", ks, []store.AccessKey{})
	case store.KindGroup:
		ms := list(h, func(tx store.Tx) ([]store.User, bool, error) {
			return tx.Groups().Members(e.AccountID, e.Name, store.Page{})
		})
		checkNames(h.t, "Members of a new group", names(ms.items), nil)
	}
}
