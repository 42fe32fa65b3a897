package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/wharf-project/wharf/internal/store"
)

// reportCSV returns a report's content: a CSV head and n rows, with a NUL
// and bytes that are not UTF-8 in it, which must come back byte for byte.
func reportCSV(acct string, n int) []byte {
	var b bytes.Buffer
	b.WriteString("user,arn,user_creation_time\n<root_account>,arn:aws:iam::" + acct + ":root,2024-05-06T05:08:09+00:00\n")
	for i := range n {
		fmt.Fprintf(&b, "user%d,arn:aws:iam::%s:user/user%d,N/A\n", i, acct, i)
	}
	b.Write([]byte{0x00, 0xfe, 0xff, '\n'})
	return b.Bytes()
}

func (h *harness) putReport(r store.CredentialReport) {
	h.t.Helper()
	h.do(func(tx store.Tx) error { return tx.CredentialReports().Put(r.AccountID, r.GeneratedAt, r.Content) })
}

func getReport(h *harness, acct string) store.CredentialReport {
	h.t.Helper()
	return get(h, func(tx store.Tx) (store.CredentialReport, error) { return tx.CredentialReports().Get(acct) })
}

func noReport(h *harness, what, acct string) {
	h.t.Helper()
	h.failsAs(what, store.ErrNotFound, func(tx store.Tx) error { _, err := tx.CredentialReports().Get(acct); return err })
}

var credentialReportTests = []test{
	{"PutGet", func(h *harness) {
		// t0 is not in UTC: the time comes back Equal, in UTC.
		r := store.CredentialReport{AccountID: acctA, GeneratedAt: at(1), Content: reportCSV(acctA, 3)}
		h.putReport(r)
		check(h.t, "Get", getReport(h, acctA), r)
	}},
	{"Large", func(h *harness) {
		// A report of 5,000 users is a few hundred KB to a few MB.
		r := store.CredentialReport{AccountID: acctA, GeneratedAt: at(1), Content: reportCSV(acctA, 40_000)}
		if len(r.Content) < 1<<20 {
			h.t.Fatalf("report of %d bytes, want over 1 MiB", len(r.Content))
		}
		h.putReport(r)
		check(h.t, "Get", getReport(h, acctA), r)
	}},
	{"ZeroValues", func(h *harness) {
		// The zero time stays zero; nil content comes back empty.
		r := store.CredentialReport{AccountID: acctB}
		h.putReport(r)
		check(h.t, "Get", getReport(h, acctB), r)
	}},
	{"Replace", func(h *harness) {
		first := store.CredentialReport{AccountID: acctA, GeneratedAt: at(1), Content: reportCSV(acctA, 5)}
		h.putReport(first)
		// The second is older and shorter: Put replaces whatever was there.
		second := store.CredentialReport{AccountID: acctA, GeneratedAt: at(-1), Content: reportCSV(acctA, 1)}
		h.putReport(second)
		check(h.t, "Get after replacing", getReport(h, acctA), second)
		// Replacing twice in one transaction keeps the last.
		third := store.CredentialReport{AccountID: acctA, GeneratedAt: at(2), Content: reportCSV(acctA, 2)}
		h.do(func(tx store.Tx) error {
			if err := tx.CredentialReports().Put(acctA, at(3), []byte("lost")); err != nil {
				return err
			}
			return tx.CredentialReports().Put(third.AccountID, third.GeneratedAt, third.Content)
		})
		check(h.t, "Get after replacing twice", getReport(h, acctA), third)
	}},
	{"NotFound", func(h *harness) {
		noReport(h, "Get before any Put", acctA)
		noReport(h, "Get in a missing account", "999999999999")
		h.failsAs("Put in a missing account", store.ErrNotFound,
			func(tx store.Tx) error { return tx.CredentialReports().Put("999999999999", at(1), []byte("x")) })
		noReport(h, "Get in a missing account after Put", "999999999999")
	}},
	{"OtherAccountsUntouched", func(h *harness) {
		a := store.CredentialReport{AccountID: acctA, GeneratedAt: at(1), Content: reportCSV(acctA, 2)}
		h.putReport(a)
		noReport(h, "Get of B after a Put in A", acctB)
		b := store.CredentialReport{AccountID: acctB, GeneratedAt: at(2), Content: reportCSV(acctB, 4)}
		h.putReport(b)
		check(h.t, "Get of A after a Put in B", getReport(h, acctA), a)
		check(h.t, "Get of B", getReport(h, acctB), b)
		a.GeneratedAt, a.Content = at(3), reportCSV(acctA, 1)
		h.putReport(a)
		check(h.t, "Get of A after replacing it", getReport(h, acctA), a)
		check(h.t, "Get of B after replacing A", getReport(h, acctB), b)
	}},
	{"ErrorRollsBack", func(h *harness) {
		old := store.CredentialReport{AccountID: acctA, GeneratedAt: at(1), Content: reportCSV(acctA, 1)}
		h.putReport(old)
		err := h.s.Tx(context.Background(), func(tx store.Tx) error {
			if err := tx.CredentialReports().Put(acctA, at(2), []byte("new")); err != nil {
				return err
			}
			if err := tx.CredentialReports().Put(acctB, at(2), []byte("new")); err != nil {
				return err
			}
			return fmt.Errorf("later: %w", errBoom)
		})
		if !errors.Is(err, errBoom) {
			h.t.Errorf("Tx: got %v, want fn's error", err)
		}
		check(h.t, "Get of A after a failed Tx", getReport(h, acctA), old)
		noReport(h, "Get of B after a failed Tx", acctB)
	}},
	{"FailedCallKeepsTx", func(h *harness) {
		// A Put in a missing account leaves the transaction usable, and
		// what was put before it is kept.
		a := store.CredentialReport{AccountID: acctA, GeneratedAt: at(1), Content: reportCSV(acctA, 1)}
		b := store.CredentialReport{AccountID: acctB, GeneratedAt: at(2), Content: reportCSV(acctB, 2)}
		h.do(func(tx store.Tx) error {
			if err := tx.CredentialReports().Put(a.AccountID, a.GeneratedAt, a.Content); err != nil {
				return err
			}
			if err := tx.CredentialReports().Put("999999999999", at(1), []byte("x")); !errors.Is(err, store.ErrNotFound) {
				h.t.Errorf("Put in a missing account: got %v, want ErrNotFound", err)
			}
			if _, err := tx.CredentialReports().Get("999999999999"); !errors.Is(err, store.ErrNotFound) {
				h.t.Errorf("Get in a missing account: got %v, want ErrNotFound", err)
			}
			return tx.CredentialReports().Put(b.AccountID, b.GeneratedAt, b.Content)
		})
		check(h.t, "Get of A", getReport(h, acctA), a)
		check(h.t, "Get of B", getReport(h, acctB), b)
	}},
}
