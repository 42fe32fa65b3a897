package storetest

import (
	"fmt"

	"github.com/wharf-project/wharf/internal/store"
)

// principalLister adapts a user, group or role listing to names.
type principalLister struct {
	create func(h *harness, tx store.Tx, acct, name, path string) error
	list   func(tx store.Tx, acct, prefix string, p store.Page) ([]string, bool, error)
}

var (
	userLister = principalLister{
		create: func(h *harness, tx store.Tx, acct, name, path string) error {
			u := h.user(acct, name)
			u.Path = path
			return tx.Users().Create(u)
		},
		list: func(tx store.Tx, acct, prefix string, p store.Page) ([]string, bool, error) {
			us, more, err := tx.Users().List(acct, prefix, p)
			return names(us), more, err
		},
	}
	groupLister = principalLister{
		create: func(h *harness, tx store.Tx, acct, name, path string) error {
			g := h.group(acct, name)
			g.Path = path
			return tx.Groups().Create(g)
		},
		list: func(tx store.Tx, acct, prefix string, p store.Page) ([]string, bool, error) {
			gs, more, err := tx.Groups().List(acct, prefix, p)
			return names(gs), more, err
		},
	}
	roleLister = principalLister{
		create: func(h *harness, tx store.Tx, acct, name, path string) error {
			r := h.role(acct, name)
			r.Path = path
			return tx.Roles().Create(r)
		},
		list: func(tx store.Tx, acct, prefix string, p store.Page) ([]string, bool, error) {
			rs, more, err := tx.Roles().List(acct, prefix, p)
			return names(rs), more, err
		},
	}
)

// pagingTest checks order, markers, Max, more and path prefixes of a listing.
func pagingTest(l principalLister) func(h *harness) {
	return func(h *harness) {
		h.do(func(tx store.Tx) error {
			for _, e := range []struct{ acct, name, path string }{
				{acctA, "carol", "/a/"},
				{acctA, "Alice", "/a/b/"},
				{acctA, "bob", "/b/"},
				{acctA, "dave", "/a/"},
				{acctA, "Eve", "/"},
				{acctB, "aaron", "/a/"}, // another account: never listed
			} {
				if err := l.create(h, tx, e.acct, e.name, e.path); err != nil {
					return err
				}
			}
			return nil
		})
		all := []string{"Alice", "bob", "carol", "dave", "Eve"} // by name, ignoring case
		for _, c := range []struct {
			prefix string
			page   store.Page
			want   []string
			more   bool
		}{
			{"", store.Page{}, all, false},
			{"/", store.Page{}, all, false},
			{"", store.Page{Max: 5}, all, false},
			{"", store.Page{Max: 2}, []string{"Alice", "bob"}, true},
			{"", store.Page{Marker: "bob", Max: 2}, []string{"carol", "dave"}, true},
			{"", store.Page{Marker: "dave", Max: 2}, []string{"Eve"}, false},
			{"", store.Page{Marker: "dave", Max: 1}, []string{"Eve"}, false},
			{"", store.Page{Marker: "c"}, []string{"carol", "dave", "Eve"}, false}, // a marker need not exist
			{"", store.Page{Marker: "Eve"}, nil, false},
			{"/a/", store.Page{}, []string{"Alice", "carol", "dave"}, false},
			{"/a/", store.Page{Marker: "Alice", Max: 1}, []string{"carol"}, true},
			{"/a/b/", store.Page{}, []string{"Alice"}, false},
			{"/A/", store.Page{}, nil, false}, // paths are case-sensitive
			{"/c/", store.Page{}, nil, false},
		} {
			var got []string
			var more bool
			h.do(func(tx store.Tx) error {
				var err error
				got, more, err = l.list(tx, acctA, c.prefix, c.page)
				return err
			})
			what := fmt.Sprintf("List(%q, %+v)", c.prefix, c.page)
			checkNames(h.t, what, got, c.want)
			if more != c.more {
				h.t.Errorf("%s: more = %v, want %v", what, more, c.more)
			}
		}
	}
}

// defaultMaxTest checks that Max 0 means 100.
func defaultMaxTest(l principalLister) func(h *harness) {
	return func(h *harness) {
		h.do(func(tx store.Tx) error {
			for i := range 101 {
				if err := l.create(h, tx, acctA, fmt.Sprintf("e%03d", i), "/"); err != nil {
					return err
				}
			}
			return nil
		})
		var got []string
		var more bool
		h.do(func(tx store.Tx) error {
			var err error
			got, more, err = l.list(tx, acctA, "", store.Page{})
			return err
		})
		if len(got) != 100 {
			h.t.Fatalf("List with Max 0: got %d entries, want 100", len(got))
		}
		if !more || got[99] != "e099" {
			h.t.Errorf("List with Max 0: last %q, more = %v; want e099, true", got[99], more)
		}
		h.do(func(tx store.Tx) error {
			var err error
			got, more, err = l.list(tx, acctA, "", store.Page{Marker: "e099"})
			return err
		})
		checkNames(h.t, "second page", got, []string{"e100"})
		if more {
			h.t.Errorf("second page: more = true")
		}
	}
}
