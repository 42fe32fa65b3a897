package storetest

import (
	"fmt"

	"github.com/wharf-project/wharf/internal/store"
)

var groupTests = []test{
	{"CreateGet", func(h *harness) {
		g := h.group(acctA, "devs")
		h.mustCreate(g)
		check(h.t, "Get", get(h, func(tx store.Tx) (store.Group, error) { return tx.Groups().Get(acctA, "devs") }), g)
	}},
	{"GetAnyCase", func(h *harness) {
		g := h.group(acctA, "Devs")
		h.mustCreate(g)
		check(h.t, "Get", get(h, func(tx store.Tx) (store.Group, error) { return tx.Groups().Get(acctA, "DEVS") }), g)
	}},
	{"DuplicateName", func(h *harness) {
		h.mustCreate(h.group(acctA, "Devs"))
		h.fails(store.ErrAlreadyExists, func(tx store.Tx) error { return tx.Groups().Create(h.group(acctA, "devs")) })
	}},
	{"DuplicateID", func(h *harness) {
		g := h.group(acctA, "devs")
		h.mustCreate(g)
		o := h.group(acctB, "ops")
		o.ID = g.ID
		h.fails(store.ErrAlreadyExists, func(tx store.Tx) error { return tx.Groups().Create(o) })
	}},
	{"SameNameOtherAccount", func(h *harness) {
		a, b := h.group(acctA, "devs"), h.group(acctB, "devs")
		h.mustCreate(a, b)
		check(h.t, "Get B", get(h, func(tx store.Tx) (store.Group, error) { return tx.Groups().Get(acctB, "devs") }), b)
	}},
	{"UnknownAccount", func(h *harness) {
		h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.Groups().Create(h.group("999999999999", "devs")) })
	}},
	{"NotFound", func(h *harness) {
		h.mustCreate(h.user(acctA, "devs")) // a user is not a group
		h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.Groups().Get(acctA, "devs"); return err })
		h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.Groups().Update("devs", h.group(acctA, "devs")) })
		h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.Groups().Delete(acctA, "devs") })
	}},
	{"List", pagingTest(groupLister)},
	{"ListDefaultMax", defaultMaxTest(groupLister)},
	{"Update", func(h *harness) {
		g := h.group(acctA, "devs")
		h.mustCreate(g)
		g.Path = "/eng/"
		g.CreatedAt = at(20)
		h.do(func(tx store.Tx) error { return tx.Groups().Update("devs", g) })
		check(h.t, "Get", get(h, func(tx store.Tx) (store.Group, error) { return tx.Groups().Get(acctA, "devs") }), g)
	}},
	{"RenameToTaken", func(h *harness) {
		g := h.group(acctA, "devs")
		h.mustCreate(g, h.group(acctA, "ops"))
		g.Name = "Ops"
		h.fails(store.ErrAlreadyExists, func(tx store.Tx) error { return tx.Groups().Update("devs", g) })
	}},
	{"RenameCarries", func(h *harness) {
		e := store.Entity{AccountID: acctA, Kind: store.KindGroup, Name: "devs"}
		g := h.group(acctA, "devs")
		alice := h.user(acctA, "alice")
		h.mustCreate(g, alice)
		h.do(func(tx store.Tx) error { return tx.Groups().AddMember(acctA, "devs", "alice") })
		pol := h.withPolicies(e)

		g.Name = "developers"
		h.do(func(tx store.Tx) error { return tx.Groups().Update("devs", g) })
		h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.Groups().Get(acctA, "devs"); return err })
		check(h.t, "Get", get(h, func(tx store.Tx) (store.Group, error) { return tx.Groups().Get(acctA, "developers") }), g)
		e.Name = "developers"
		h.checkPolicies(e, pol)
		ms := list(h, func(tx store.Tx) ([]store.User, bool, error) {
			return tx.Groups().Members(acctA, "developers", store.Page{})
		})
		check(h.t, "Members", ms.items, []store.User{alice})
		gs := list(h, func(tx store.Tx) ([]store.Group, bool, error) {
			return tx.Groups().GroupsForUser(acctA, "alice", store.Page{})
		})
		check(h.t, "GroupsForUser", gs.items, []store.Group{g})

		h.mustCreate(h.group(acctA, "devs"))
		h.checkBare(store.Entity{AccountID: acctA, Kind: store.KindGroup, Name: "devs"})
	}},
	{"Delete", func(h *harness) {
		e := store.Entity{AccountID: acctA, Kind: store.KindGroup, Name: "devs"}
		h.mustCreate(h.group(acctA, "devs"), h.group(acctA, "ops"), h.user(acctA, "alice"))
		h.do(func(tx store.Tx) error {
			if err := tx.Groups().AddMember(acctA, "devs", "alice"); err != nil {
				return err
			}
			return tx.Groups().AddMember(acctA, "ops", "alice")
		})
		pol := h.withPolicies(e)
		h.do(func(tx store.Tx) error { return tx.Groups().Delete(acctA, "DEVS") })
		h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.Groups().Get(acctA, "devs"); return err })
		gs := list(h, func(tx store.Tx) ([]store.Group, bool, error) {
			return tx.Groups().GroupsForUser(acctA, "alice", store.Page{})
		})
		checkNames(h.t, "GroupsForUser", names(gs.items), []string{"ops"})
		ents := get(h, func(tx store.Tx) ([]store.Entity, error) { return tx.Policies().AttachedTo(pol.ARN) })
		check(h.t, "AttachedTo", ents, []store.Entity{})
		// The user stays.
		get(h, func(tx store.Tx) (store.User, error) { return tx.Users().Get(acctA, "alice") })

		h.mustCreate(h.group(acctA, "devs"))
		h.checkBare(e)
	}},
	{"AddMemberIdempotent", func(h *harness) {
		alice := h.user(acctA, "alice")
		h.mustCreate(h.group(acctA, "devs"), alice)
		for _, name := range []string{"alice", "alice", "ALICE"} {
			h.do(func(tx store.Tx) error { return tx.Groups().AddMember(acctA, "Devs", name) })
		}
		ms := list(h, func(tx store.Tx) ([]store.User, bool, error) { return tx.Groups().Members(acctA, "devs", store.Page{}) })
		check(h.t, "Members", ms.items, []store.User{alice})
	}},
	{"Membership", func(h *harness) {
		// Both directions, ordered by name, with pages.
		h.mustCreate(h.group(acctA, "devs"), h.group(acctA, "Admins"), h.group(acctA, "ops"), h.group(acctA, "empty"),
			h.user(acctA, "carol"), h.user(acctA, "Bob"), h.user(acctA, "alice"), h.user(acctA, "loner"))
		h.do(func(tx store.Tx) error {
			for _, m := range [][2]string{
				{"devs", "carol"}, {"devs", "Bob"}, {"devs", "alice"},
				{"ops", "alice"}, {"Admins", "alice"},
			} {
				if err := tx.Groups().AddMember(acctA, m[0], m[1]); err != nil {
					return err
				}
			}
			return nil
		})
		members := func(group string, p store.Page) page[store.User] {
			return list(h, func(tx store.Tx) ([]store.User, bool, error) { return tx.Groups().Members(acctA, group, p) })
		}
		groupsOf := func(user string, p store.Page) page[store.Group] {
			return list(h, func(tx store.Tx) ([]store.Group, bool, error) { return tx.Groups().GroupsForUser(acctA, user, p) })
		}
		checkPage := func(what string, gotNames []string, gotMore bool, want []string, wantMore bool) {
			checkNames(h.t, what, gotNames, want)
			if gotMore != wantMore {
				h.t.Errorf("%s: more = %v, want %v", what, gotMore, wantMore)
			}
		}
		for _, c := range []struct {
			group string
			page  store.Page
			want  []string
			more  bool
		}{
			{"devs", store.Page{}, []string{"alice", "Bob", "carol"}, false},
			{"devs", store.Page{Max: 2}, []string{"alice", "Bob"}, true},
			{"devs", store.Page{Marker: "Bob", Max: 2}, []string{"carol"}, false},
			{"ops", store.Page{}, []string{"alice"}, false},
			{"empty", store.Page{}, nil, false},
		} {
			p := members(c.group, c.page)
			checkPage(fmt.Sprintf("Members(%s, %+v)", c.group, c.page), names(p.items), p.more, c.want, c.more)
		}
		for _, c := range []struct {
			user string
			page store.Page
			want []string
			more bool
		}{
			{"alice", store.Page{}, []string{"Admins", "devs", "ops"}, false},
			{"ALICE", store.Page{Max: 1}, []string{"Admins"}, true},
			{"alice", store.Page{Marker: "Admins", Max: 1}, []string{"devs"}, true},
			{"alice", store.Page{Marker: "devs", Max: 1}, []string{"ops"}, false},
			{"Bob", store.Page{}, []string{"devs"}, false},
			{"loner", store.Page{}, nil, false},
		} {
			p := groupsOf(c.user, c.page)
			checkPage(fmt.Sprintf("GroupsForUser(%s, %+v)", c.user, c.page), names(p.items), p.more, c.want, c.more)
		}
	}},
	{"RemoveMember", func(h *harness) {
		h.mustCreate(h.group(acctA, "devs"), h.user(acctA, "alice"), h.user(acctA, "bob"))
		h.do(func(tx store.Tx) error {
			if err := tx.Groups().AddMember(acctA, "devs", "alice"); err != nil {
				return err
			}
			return tx.Groups().AddMember(acctA, "devs", "bob")
		})
		h.do(func(tx store.Tx) error { return tx.Groups().RemoveMember(acctA, "DEVS", "Alice") })
		ms := list(h, func(tx store.Tx) ([]store.User, bool, error) { return tx.Groups().Members(acctA, "devs", store.Page{}) })
		checkNames(h.t, "Members", names(ms.items), []string{"bob"})
		h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.Groups().RemoveMember(acctA, "devs", "alice") })
		// The user stays.
		get(h, func(tx store.Tx) (store.User, error) { return tx.Users().Get(acctA, "alice") })
	}},
	{"MembershipNotFound", func(h *harness) {
		h.mustCreate(h.group(acctA, "devs"), h.user(acctA, "alice"), h.user(acctB, "bob"))
		for _, c := range []struct {
			what string
			fn   func(tx store.Tx) error
		}{
			{"AddMember missing group", func(tx store.Tx) error { return tx.Groups().AddMember(acctA, "ops", "alice") }},
			{"AddMember missing user", func(tx store.Tx) error { return tx.Groups().AddMember(acctA, "devs", "carol") }},
			{"AddMember user of other account", func(tx store.Tx) error { return tx.Groups().AddMember(acctA, "devs", "bob") }},
			{"RemoveMember missing group", func(tx store.Tx) error { return tx.Groups().RemoveMember(acctA, "ops", "alice") }},
			{"RemoveMember missing user", func(tx store.Tx) error { return tx.Groups().RemoveMember(acctA, "devs", "carol") }},
			{"Members missing group", func(tx store.Tx) error {
				_, _, err := tx.Groups().Members(acctA, "ops", store.Page{})
				return err
			}},
			{"GroupsForUser missing user", func(tx store.Tx) error {
				_, _, err := tx.Groups().GroupsForUser(acctA, "carol", store.Page{})
				return err
			}},
		} {
			h.failsAs(c.what, store.ErrNotFound, c.fn)
		}
	}},
}
