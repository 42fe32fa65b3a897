package storetest

import (
	"time"

	"github.com/wharf-project/wharf/internal/store"
)

var roleTests = []test{
	{"CreateGet", func(h *harness) {
		r := h.role(acctA, "deployer")
		h.mustCreate(r)
		check(h.t, "Get", get(h, func(tx store.Tx) (store.Role, error) { return tx.Roles().Get(acctA, "deployer") }), r)
	}},
	{"ZeroValues", func(h *harness) {
		r := store.Role{AccountID: acctA, Name: "bare", ID: "AROABARE"}
		h.mustCreate(r)
		check(h.t, "Get", get(h, func(tx store.Tx) (store.Role, error) { return tx.Roles().Get(acctA, "bare") }), r)
	}},
	{"GetAnyCase", func(h *harness) {
		r := h.role(acctA, "Deployer")
		h.mustCreate(r)
		check(h.t, "Get", get(h, func(tx store.Tx) (store.Role, error) { return tx.Roles().Get(acctA, "dEPLOYER") }), r)
	}},
	{"DuplicateName", func(h *harness) {
		h.mustCreate(h.role(acctA, "deployer"))
		h.fails(store.ErrAlreadyExists, func(tx store.Tx) error { return tx.Roles().Create(h.role(acctA, "DEPLOYER")) })
	}},
	{"DuplicateID", func(h *harness) {
		r := h.role(acctA, "deployer")
		h.mustCreate(r)
		o := h.role(acctA, "other")
		o.ID = r.ID
		h.fails(store.ErrAlreadyExists, func(tx store.Tx) error { return tx.Roles().Create(o) })
	}},
	{"SameNameOtherAccount", func(h *harness) {
		a, b := h.role(acctA, "deployer"), h.role(acctB, "deployer")
		h.mustCreate(a, b)
		check(h.t, "Get B", get(h, func(tx store.Tx) (store.Role, error) { return tx.Roles().Get(acctB, "deployer") }), b)
	}},
	{"UnknownAccount", func(h *harness) {
		h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.Roles().Create(h.role("999999999999", "deployer")) })
	}},
	{"NotFound", func(h *harness) {
		h.mustCreate(h.role(acctB, "deployer"))
		h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.Roles().Get(acctA, "deployer"); return err })
		h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.Roles().Update("deployer", h.role(acctA, "deployer")) })
		h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.Roles().Delete(acctA, "deployer") })
	}},
	{"List", pagingTest(roleLister)},
	{"ListDefaultMax", defaultMaxTest(roleLister)},
	{"Update", func(h *harness) {
		r := h.role(acctA, "deployer")
		h.mustCreate(r)
		r.Path = "/ci/"
		r.AssumeRolePolicy = `{"Version":"2012-10-17","Statement":[]}`
		r.Description = ""
		r.MaxSessionDuration = 43200
		r.PermissionsBoundary = ""
		r.Tags = []store.Tag{{Key: "a", Value: "1"}, {Key: "b", Value: "2"}, {Key: "c", Value: "3"}}
		r.LastUsedAt = at(30)
		r.LastUsedRegion = "ap-south-1"
		h.do(func(tx store.Tx) error { return tx.Roles().Update("Deployer", r) })
		check(h.t, "Get", get(h, func(tx store.Tx) (store.Role, error) { return tx.Roles().Get(acctA, "deployer") }), r)
		r.LastUsedAt = time.Time{}
		r.Tags = nil
		h.do(func(tx store.Tx) error { return tx.Roles().Update("deployer", r) })
		check(h.t, "Get", get(h, func(tx store.Tx) (store.Role, error) { return tx.Roles().Get(acctA, "deployer") }), r)
	}},
	{"RenameToTaken", func(h *harness) {
		r := h.role(acctA, "deployer")
		h.mustCreate(r, h.role(acctA, "admin"))
		r.Name = "Admin"
		h.fails(store.ErrAlreadyExists, func(tx store.Tx) error { return tx.Roles().Update("deployer", r) })
	}},
	{"RenameCarries", func(h *harness) {
		e := store.Entity{AccountID: acctA, Kind: store.KindRole, Name: "deployer"}
		r := h.role(acctA, "deployer")
		h.mustCreate(r)
		pol := h.withPolicies(e)
		r.Name = "shipper"
		h.do(func(tx store.Tx) error { return tx.Roles().Update("deployer", r) })
		h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.Roles().Get(acctA, "deployer"); return err })
		check(h.t, "Get", get(h, func(tx store.Tx) (store.Role, error) { return tx.Roles().Get(acctA, "shipper") }), r)
		e.Name = "shipper"
		h.checkPolicies(e, pol)

		h.mustCreate(h.role(acctA, "deployer"))
		h.checkBare(store.Entity{AccountID: acctA, Kind: store.KindRole, Name: "deployer"})
	}},
	{"Delete", func(h *harness) {
		e := store.Entity{AccountID: acctA, Kind: store.KindRole, Name: "deployer"}
		h.mustCreate(h.role(acctA, "deployer"), h.role(acctA, "admin"))
		pol := h.withPolicies(e)
		h.do(func(tx store.Tx) error { return tx.Roles().Delete(acctA, "DEPLOYER") })
		h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.Roles().Get(acctA, "deployer"); return err })
		get(h, func(tx store.Tx) (store.Role, error) { return tx.Roles().Get(acctA, "admin") })
		ents := get(h, func(tx store.Tx) ([]store.Entity, error) { return tx.Policies().AttachedTo(pol.ARN) })
		check(h.t, "AttachedTo", ents, []store.Entity{})
		h.mustCreate(h.role(acctA, "deployer"))
		h.checkBare(e)
	}},
}
