package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wharf-project/wharf/internal/store"
)

// The two accounts every test starts with.
const (
	acctA = "111111111111"
	acctB = "222222222222"
)

// t0 is a time with milliseconds, deliberately not in UTC: the store must
// return it Equal, in UTC.
var t0 = time.Date(2024, 5, 6, 7, 8, 9, 123_000_000, time.FixedZone("UTC+2", 2*60*60))

// at returns t0 plus n minutes and n milliseconds.
func at(n int) time.Time {
	return t0.Add(time.Duration(n)*time.Minute + time.Duration(n)*time.Millisecond)
}

// harness is one test's fresh store, with accounts acctA and acctB.
type harness struct {
	t   *testing.T
	s   store.Store
	ids int // makes IDs unique
}

func newHarness(t *testing.T, open func(t *testing.T) store.Store) *harness {
	t.Helper()
	s := open(t)
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	h := &harness{t: t, s: s}
	h.do(func(tx store.Tx) error {
		for _, id := range []string{acctA, acctB} {
			if err := tx.Accounts().Create(store.Account{ID: id, Alias: "alias-" + id, CreatedAt: t0}); err != nil {
				return err
			}
		}
		return nil
	})
	return h
}

// do runs fn in a transaction that must succeed.
func (h *harness) do(fn func(store.Tx) error) {
	h.t.Helper()
	if err := h.s.Tx(context.Background(), fn); err != nil {
		h.t.Fatalf("Tx: %v", err)
	}
}

// fails runs fn in a transaction and checks that it fails with want.
func (h *harness) fails(want error, fn func(store.Tx) error) {
	h.t.Helper()
	h.failsAs("", want, fn)
}

// failsAs is fails, naming what failed to fail.
func (h *harness) failsAs(what string, want error, fn func(store.Tx) error) {
	h.t.Helper()
	err := h.s.Tx(context.Background(), fn)
	if !errors.Is(err, want) {
		if what != "" {
			what += ": "
		}
		h.t.Errorf("%sgot error %v, want %v", what, err, want)
	}
}

// get runs fn in a transaction that must succeed and returns its value.
func get[T any](h *harness, fn func(store.Tx) (T, error)) T {
	h.t.Helper()
	var v T
	h.do(func(tx store.Tx) error {
		var err error
		v, err = fn(tx)
		return err
	})
	return v
}

// page is a page of a listing and its more flag.
type page[T any] struct {
	items []T
	more  bool
}

// list runs a listing in a transaction that must succeed.
func list[T any](h *harness, fn func(store.Tx) ([]T, bool, error)) page[T] {
	h.t.Helper()
	var p page[T]
	h.do(func(tx store.Tx) error {
		var err error
		p.items, p.more, err = fn(tx)
		return err
	})
	return p
}

func (h *harness) id(prefix string) string {
	h.ids++
	return fmt.Sprintf("%s%016d", prefix, h.ids)
}

// Fixtures: every field set, IDs unique.

func (h *harness) user(acct, name string) store.User {
	return store.User{
		AccountID:           acct,
		Name:                name,
		ID:                  h.id("AIDA"),
		Path:                "/",
		PermissionsBoundary: "arn:aws:iam::" + acct + ":policy/boundary",
		Tags:                []store.Tag{{Key: "team", Value: "core"}, {Key: "cost", Value: ""}},
		CreatedAt:           at(1),
		PasswordHash:        "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
		PasswordCreatedAt:   at(2),
		PasswordResetNeeded: true,
		PasswordLastUsed:    at(3),
	}
}

func (h *harness) group(acct, name string) store.Group {
	return store.Group{AccountID: acct, Name: name, ID: h.id("AGPA"), Path: "/", CreatedAt: at(4)}
}

func (h *harness) role(acct, name string) store.Role {
	return store.Role{
		AccountID:           acct,
		Name:                name,
		ID:                  h.id("AROA"),
		Path:                "/service/",
		AssumeRolePolicy:    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecr.amazonaws.com"},"Action":"sts:AssumeRole"}]}`,
		Description:         "deploys things",
		MaxSessionDuration:  3600,
		PermissionsBoundary: "arn:aws:iam::" + acct + ":policy/boundary",
		Tags:                []store.Tag{{Key: "env", Value: "prod"}},
		CreatedAt:           at(5),
		LastUsedAt:          at(6),
		LastUsedRegion:      "eu-west-1",
	}
}

// policy returns a customer-managed policy of acct (or an AWS-managed one,
// acct "aws") at path, and its first version.
func (h *harness) policy(acct, path, name string) (store.ManagedPolicy, store.PolicyVersion) {
	arn := "arn:aws:iam::" + acct + ":policy" + path + name
	p := store.ManagedPolicy{
		AccountID:        acct,
		Name:             name,
		ID:               h.id("ANPA"),
		Path:             path,
		ARN:              arn,
		Description:      "policy " + name,
		DefaultVersionID: "v1",
		Tags:             []store.Tag{{Key: "owner", Value: "sec"}},
		CreatedAt:        at(7),
		UpdatedAt:        at(7),
		NextVersion:      2,
	}
	v := store.PolicyVersion{PolicyARN: arn, VersionID: "v1", Document: doc("ecr-public:Get*"), CreatedAt: at(7)}
	return p, v
}

func doc(action string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"` + action + `","Resource":"*"}]}`
}

func (h *harness) key(acct, user, id string) store.AccessKey {
	return store.AccessKey{
		ID:               id,
		AccountID:        acct,
		UserName:         user,
		SecretCiphertext: []byte{0x00, 0x01, 0xfe, 0xff, 0x00, 'k', 0x80},
		Status:           store.KeyActive,
		CreatedAt:        at(8),
		LastUsedAt:       at(9),
		LastUsedService:  "ecr-public",
		LastUsedRegion:   "us-east-1",
	}
}

// mustCreate stores fixtures in one transaction.
func (h *harness) mustCreate(v ...any) {
	h.t.Helper()
	h.do(func(tx store.Tx) error {
		for _, v := range v {
			var err error
			switch v := v.(type) {
			case store.User:
				err = tx.Users().Create(v)
			case store.Group:
				err = tx.Groups().Create(v)
			case store.Role:
				err = tx.Roles().Create(v)
			case store.AccessKey:
				err = tx.AccessKeys().Create(v)
			default:
				err = fmt.Errorf("mustCreate: unknown %T", v)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

func (h *harness) mustCreatePolicy(p store.ManagedPolicy, v store.PolicyVersion) {
	h.t.Helper()
	h.do(func(tx store.Tx) error { return tx.Policies().Create(p, v) })
}

// check reports how got differs from want. Times compare with Equal and a
// non-zero time must come back in UTC; nil and empty slices are equal.
func check(t *testing.T, what string, got, want any) {
	t.Helper()
	var diffs []string
	diff(&diffs, what, reflect.ValueOf(got), reflect.ValueOf(want))
	for _, d := range diffs {
		t.Error(d)
	}
}

var timeType = reflect.TypeFor[time.Time]()

func diff(out *[]string, path string, g, w reflect.Value) {
	if !g.IsValid() || !w.IsValid() {
		if g.IsValid() != w.IsValid() {
			*out = append(*out, fmt.Sprintf("%s: got %v, want %v", path, g, w))
		}
		return
	}
	switch {
	case g.Type() == timeType:
		gt, wt := g.Interface().(time.Time), w.Interface().(time.Time)
		if !gt.Equal(wt) {
			*out = append(*out, fmt.Sprintf("%s: got %v, want %v", path, gt, wt))
		} else if !gt.IsZero() && gt.Location() != time.UTC {
			*out = append(*out, fmt.Sprintf("%s: got %v, want it in UTC", path, gt))
		}
	case g.Kind() == reflect.Struct:
		for i := range g.NumField() {
			diff(out, path+"."+g.Type().Field(i).Name, g.Field(i), w.Field(i))
		}
	case g.Kind() == reflect.Slice && g.Type().Elem().Kind() == reflect.Uint8:
		if !bytes.Equal(g.Bytes(), w.Bytes()) {
			*out = append(*out, fmt.Sprintf("%s: got %x, want %x", path, g.Bytes(), w.Bytes()))
		}
	case g.Kind() == reflect.Slice:
		if g.Len() != w.Len() {
			*out = append(*out, fmt.Sprintf("%s: got %d entries %s, want %d %s", path, g.Len(), show(g), w.Len(), show(w)))
			return
		}
		for i := range g.Len() {
			diff(out, fmt.Sprintf("%s[%d]", path, i), g.Index(i), w.Index(i))
		}
	default:
		if !reflect.DeepEqual(g.Interface(), w.Interface()) {
			*out = append(*out, fmt.Sprintf("%s: got %#v, want %#v", path, g.Interface(), w.Interface()))
		}
	}
}

// show names a slice's entries briefly, by their Name fields where they have one.
func show(v reflect.Value) string {
	var s []string
	for i := range v.Len() {
		e := v.Index(i)
		if e.Kind() == reflect.Struct {
			if f := e.FieldByName("Name"); f.IsValid() {
				s = append(s, f.String())
				continue
			}
			if f := e.FieldByName("ID"); f.IsValid() {
				s = append(s, f.String())
				continue
			}
		}
		s = append(s, fmt.Sprint(e.Interface()))
	}
	return "[" + strings.Join(s, " ") + "]"
}

// names returns the Name of each entry.
func names[T any](items []T) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, reflect.ValueOf(it).FieldByName("Name").String())
	}
	return out
}

func checkNames(t *testing.T, what string, got, want []string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	if got == nil {
		got = []string{}
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s: got %q, want %q", what, got, want)
	}
}
