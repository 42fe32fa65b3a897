package storetest

import (
	"time"

	"github.com/wharf-project/wharf/internal/store"
)

func getKey(h *harness, id string) store.AccessKey {
	h.t.Helper()
	return get(h, func(tx store.Tx) (store.AccessKey, error) { return tx.AccessKeys().Get(id) })
}

func keysOf(h *harness, acct, user string) []store.AccessKey {
	h.t.Helper()
	return get(h, func(tx store.Tx) ([]store.AccessKey, error) { return tx.AccessKeys().ListForUser(acct, user) })
}

var accessKeyTests = []test{
	{"CreateGet", func(h *harness) {
		k := h.key(acctA, "alice", "AKIAEXAMPLE0001")
		h.mustCreate(h.user(acctA, "alice"), k)
		check(h.t, "Get", getKey(h, k.ID), k)
	}},
	{"ZeroValues", func(h *harness) {
		k := store.AccessKey{ID: "AKIABARE", AccountID: acctA, Status: store.KeyInactive}
		h.mustCreate(k)
		check(h.t, "Get", getKey(h, k.ID), k)
	}},
	{"SecretBytes", func(h *harness) {
		// The ciphertext comes back byte for byte: NULs, high bytes, invalid UTF-8, every byte value.
		all := make([]byte, 0, 512)
		for i := range 512 {
			all = append(all, byte(i*7+i/256))
		}
		for i, secret := range [][]byte{{0}, {0xff, 0xfe, 0x00, 0xc3, 0x28}, all} {
			k := h.key(acctA, "", "AKIASECRET000"+string(rune('A'+i)))
			k.SecretCiphertext = secret
			h.mustCreate(k)
			check(h.t, "SecretCiphertext", getKey(h, k.ID).SecretCiphertext, secret)
		}
	}},
	{"UserNameAnyCase", func(h *harness) {
		h.mustCreate(h.user(acctA, "alice"), h.key(acctA, "ALICE", "AKIAALICE"))
		if got := getKey(h, "AKIAALICE").UserName; got != "alice" {
			h.t.Errorf("UserName = %q, want the stored alice", got)
		}
		if ks := keysOf(h, acctA, "Alice"); len(ks) != 1 {
			h.t.Errorf("ListForUser(Alice): got %d keys, want 1", len(ks))
		}
	}},
	{"DuplicateID", func(h *harness) {
		h.mustCreate(h.user(acctA, "alice"), h.user(acctB, "bob"), h.key(acctA, "alice", "AKIADUP"))
		h.fails(store.ErrAlreadyExists, func(tx store.Tx) error { return tx.AccessKeys().Create(h.key(acctA, "alice", "AKIADUP")) })
		h.fails(store.ErrAlreadyExists, func(tx store.Tx) error { return tx.AccessKeys().Create(h.key(acctB, "bob", "AKIADUP")) })
		h.fails(store.ErrAlreadyExists, func(tx store.Tx) error { return tx.AccessKeys().Create(h.key(acctB, "", "AKIADUP")) })
	}},
	{"NotFound", func(h *harness) {
		h.mustCreate(h.user(acctB, "alice"))
		for _, c := range []struct {
			what string
			fn   func(tx store.Tx) error
		}{
			{"Create for a missing user", func(tx store.Tx) error { return tx.AccessKeys().Create(h.key(acctA, "alice", "AKIA1")) }},
			{"Create in a missing account", func(tx store.Tx) error { return tx.AccessKeys().Create(h.key("999999999999", "", "AKIA2")) }},
			{"Get", func(tx store.Tx) error { _, err := tx.AccessKeys().Get("AKIANOPE"); return err }},
			{"ListForUser", func(tx store.Tx) error { _, err := tx.AccessKeys().ListForUser(acctA, "alice"); return err }},
			{"SetStatus", func(tx store.Tx) error { return tx.AccessKeys().SetStatus("AKIANOPE", store.KeyInactive) }},
			{"RecordUse", func(tx store.Tx) error { return tx.AccessKeys().RecordUse("AKIANOPE", at(1), "iam", "us-east-1") }},
			{"Delete", func(tx store.Tx) error { return tx.AccessKeys().Delete("AKIANOPE") }},
		} {
			h.failsAs(c.what, store.ErrNotFound, c.fn)
		}
	}},
	{"ListForUser", func(h *harness) {
		// Oldest first, by CreatedAt, whatever the order of creation.
		k1 := h.key(acctA, "alice", "AKIAZZZ1")
		k1.CreatedAt = at(1)
		k2 := h.key(acctA, "alice", "AKIAAAA2")
		k2.CreatedAt = at(2)
		bob := h.key(acctA, "bob", "AKIABOB")
		root := h.key(acctA, "", "AKIAROOT")
		other := h.key(acctB, "alice", "AKIAOTHER")
		h.mustCreate(h.user(acctA, "alice"), h.user(acctA, "bob"), h.user(acctA, "carol"), h.user(acctB, "alice"),
			k2, bob, root, k1, other)
		check(h.t, "ListForUser(alice)", keysOf(h, acctA, "alice"), []store.AccessKey{k1, k2})
		check(h.t, "ListForUser(bob)", keysOf(h, acctA, "bob"), []store.AccessKey{bob})
		check(h.t, "ListForUser(carol)", keysOf(h, acctA, "carol"), []store.AccessKey{})
		check(h.t, "ListForUser(B alice)", keysOf(h, acctB, "alice"), []store.AccessKey{other})
	}},
	{"RootKeys", func(h *harness) {
		r1 := h.key(acctA, "", "AKIAROOT1")
		r1.CreatedAt = at(1)
		r2 := h.key(acctA, "", "AKIAROOT2")
		r2.CreatedAt = at(2)
		rb := h.key(acctB, "", "AKIAROOTB")
		h.mustCreate(h.user(acctA, "alice"), h.key(acctA, "alice", "AKIAALICE"), r2, r1, rb)
		check(h.t, "Get root key", getKey(h, "AKIAROOT1"), r1)
		check(h.t, "ListForUser(A, root)", keysOf(h, acctA, ""), []store.AccessKey{r1, r2})
		check(h.t, "ListForUser(B, root)", keysOf(h, acctB, ""), []store.AccessKey{rb})
		// Deleting a user leaves the root keys.
		h.do(func(tx store.Tx) error { return tx.Users().Delete(acctA, "alice") })
		check(h.t, "ListForUser(A, root)", keysOf(h, acctA, ""), []store.AccessKey{r1, r2})
	}},
	{"SetStatus", func(h *harness) {
		k := h.key(acctA, "", "AKIAROOT")
		h.mustCreate(k)
		h.do(func(tx store.Tx) error { return tx.AccessKeys().SetStatus(k.ID, store.KeyInactive) })
		k.Status = store.KeyInactive
		check(h.t, "Get", getKey(h, k.ID), k)
		h.do(func(tx store.Tx) error { return tx.AccessKeys().SetStatus(k.ID, store.KeyActive) })
		k.Status = store.KeyActive
		check(h.t, "Get", getKey(h, k.ID), k)
	}},
	{"RecordUse", func(h *harness) {
		k := h.key(acctA, "", "AKIAROOT")
		k.LastUsedAt, k.LastUsedService, k.LastUsedRegion = time.Time{}, "", ""
		h.mustCreate(k)
		check(h.t, "Get before use", getKey(h, k.ID), k)
		used := at(50).Add(987 * time.Millisecond)
		h.do(func(tx store.Tx) error { return tx.AccessKeys().RecordUse(k.ID, used, "sts", "eu-central-1") })
		k.LastUsedAt, k.LastUsedService, k.LastUsedRegion = used, "sts", "eu-central-1"
		check(h.t, "Get after use", getKey(h, k.ID), k)
	}},
	{"Delete", func(h *harness) {
		h.mustCreate(h.user(acctA, "alice"), h.key(acctA, "alice", "AKIA1"), h.key(acctA, "alice", "AKIA2"))
		h.do(func(tx store.Tx) error { return tx.AccessKeys().Delete("AKIA1") })
		h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.AccessKeys().Get("AKIA1"); return err })
		h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.AccessKeys().Delete("AKIA1") })
		if ks := keysOf(h, acctA, "alice"); len(ks) != 1 || ks[0].ID != "AKIA2" {
			h.t.Errorf("ListForUser after Delete: got %+v, want AKIA2", ks)
		}
		// The ID can be used again.
		h.mustCreate(h.key(acctA, "", "AKIA1"))
	}},
}
