package iam

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"time"

	"github.com/wharf-project/wharf/internal/authz"
	"github.com/wharf-project/wharf/internal/errs"
	"github.com/wharf-project/wharf/internal/store"
)

// CredentialReport is a generated credential report (IAM User Guide,
// id_credentials_getting-report): CSV, one row for the account's root user
// and one per IAM user.
type CredentialReport struct {
	Content       []byte // the CSV
	GeneratedTime time.Time
}

// ReportState is GenerateCredentialReport's answer.
type ReportState struct {
	State       string // STARTED, INPROGRESS or COMPLETE; Wharf generates at once
	Description string
}

// credentialReportReuse is how long IAM keeps answering GenerateCredentialReport
// with the last report instead of making a new one: "You can generate a
// credential report as often as once every four hours."
const credentialReportReuse = 4 * time.Hour

// credentialReportColumns are the report's columns, in AWS's order.
var credentialReportColumns = []string{
	"user", "arn", "user_creation_time", "password_enabled", "password_last_used", "password_last_changed",
	"password_next_rotation", "mfa_active",
	"access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date", "access_key_1_last_used_region", "access_key_1_last_used_service",
	"access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date", "access_key_2_last_used_region", "access_key_2_last_used_service",
	"cert_1_active", "cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated",
}

// GenerateCredentialReport generates the account's credential report, unless
// one was generated within the past four hours: then, as IAM does, that one
// stays the report. Reports are kept in the store, one per account, so that
// the report generated through one replica is the one every replica serves,
// and the four hours count across all of them.
//
// The CSV is rendered in a read-only transaction, and stored in a short
// write transaction that looks again: a report another replica stored in
// the meantime stays, as if it had been there first. So no write
// transaction reads every user of the account — in SQLite, which has one
// writer, that would hold up every other write meanwhile.
func (s *Service) GenerateCredentialReport(ctx context.Context, call *authz.Call) (ReportState, error) {
	acct := account(call)
	var fresh *CredentialReport // nil when the last report stays
	err := store.View(ctx, s.store, func(tx store.Tx) error {
		fresh = nil
		if err := s.authorize(tx, call, "iam:GenerateCredentialReport", "*"); err != nil {
			return err
		}
		now := s.now().UTC()
		if recent, err := recentReport(tx, acct, now); err != nil || recent {
			return err
		}
		content, err := s.credentialReportCSV(tx, acct)
		if err != nil {
			return err
		}
		fresh = &CredentialReport{Content: content, GeneratedTime: now}
		return nil
	})
	if err != nil {
		return ReportState{}, err
	}
	if fresh != nil {
		kept := false
		err = s.store.Tx(ctx, func(tx store.Tx) error {
			var err error
			kept, err = recentReport(tx, acct, fresh.GeneratedTime)
			if err != nil || kept {
				return err
			}
			return tx.CredentialReports().Put(acct, fresh.GeneratedTime, fresh.Content)
		})
		if err != nil {
			return ReportState{}, err
		}
		if kept {
			fresh = nil
		}
	}
	if fresh == nil {
		return ReportState{State: "COMPLETE", Description: "A credential report generated less than four hours ago is available."}, nil
	}
	return ReportState{State: "COMPLETE", Description: "Credential report generated."}, nil
}

// recentReport tells whether the account has a report generated less than
// credentialReportReuse before now.
func recentReport(tx store.Tx, accountID string, now time.Time) (bool, error) {
	r, err := tx.CredentialReports().Get(accountID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return now.Sub(r.GeneratedAt) < credentialReportReuse, nil
}

// GetCredentialReport returns the account's last generated credential
// report, wherever it was generated.
func (s *Service) GetCredentialReport(ctx context.Context, call *authz.Call) (CredentialReport, error) {
	var r store.CredentialReport
	err := store.View(ctx, s.store, func(tx store.Tx) error {
		if err := s.authorize(tx, call, "iam:GetCredentialReport", "*"); err != nil {
			return err
		}
		var err error
		r, err = tx.CredentialReports().Get(account(call))
		if errors.Is(err, store.ErrNotFound) {
			return errs.Coded(errs.NotFound, "ReportNotPresent", "Credential report not present. Use GenerateCredentialReport to generate one.")
		}
		return err
	})
	if err != nil {
		return CredentialReport{}, err
	}
	return CredentialReport{Content: r.Content, GeneratedTime: r.GeneratedAt}, nil
}

// credentialReportCSV renders the report of an account as it stands in tx.
func (s *Service) credentialReportCSV(tx store.Tx, accountID string) ([]byte, error) {
	acct, err := tx.Accounts().Get(accountID)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(credentialReportColumns); err != nil {
		return nil, err
	}
	rootKeys, err := tx.AccessKeys().ListForUser(accountID, "")
	if err != nil {
		return nil, err
	}
	// The root user: password columns are not_supported, except when its
	// password was last used, of which Wharf (without a console) knows nothing.
	row := []string{"<root_account>", s.rootARN(accountID), reportTime(acct.CreatedAt), "not_supported", "no_information", "not_supported", "not_supported", "false"}
	if err := w.Write(append(append(row, keyColumns(rootKeys)...), certColumns()...)); err != nil {
		return nil, err
	}
	for page := (store.Page{Max: 1000}); ; {
		users, more, err := tx.Users().List(accountID, "", page)
		if err != nil {
			return nil, err
		}
		for _, u := range users {
			keys, err := tx.AccessKeys().ListForUser(accountID, u.Name)
			if err != nil {
				return nil, err
			}
			// password_last_used: N/A without a password, no_information
			// when it was never used; password_next_rotation: N/A, as the
			// default password policy does not expire passwords.
			hasPassword := u.PasswordHash != ""
			lastUsed, lastChanged := "N/A", "N/A"
			if hasPassword {
				lastUsed, lastChanged = "no_information", reportTime(u.PasswordCreatedAt)
				if !u.PasswordLastUsed.IsZero() {
					lastUsed = reportTime(u.PasswordLastUsed)
				}
			}
			row := []string{u.Name, s.UserARN(u), reportTime(u.CreatedAt), reportBool(hasPassword), lastUsed, lastChanged, "N/A", "false"}
			if err := w.Write(append(append(row, keyColumns(keys)...), certColumns()...)); err != nil {
				return nil, err
			}
		}
		if !more || len(users) == 0 {
			break
		}
		page.Marker = users[len(users)-1].Name
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// keyColumns renders access_key_1_* and access_key_2_*: the oldest key first.
func keyColumns(keys []store.AccessKey) []string {
	var out []string
	for i := 0; i < 2; i++ {
		if i >= len(keys) {
			out = append(out, "false", "N/A", "N/A", "N/A", "N/A")
			continue
		}
		k := keys[i]
		lastUsed, region, service := "N/A", "N/A", "N/A"
		if !k.LastUsedAt.IsZero() {
			lastUsed = reportTime(k.LastUsedAt)
			if k.LastUsedRegion != "" {
				region = k.LastUsedRegion
			}
			if k.LastUsedService != "" {
				service = k.LastUsedService
			}
		}
		out = append(out, reportBool(k.Status == store.KeyActive), reportTime(k.CreatedAt), lastUsed, region, service)
	}
	return out
}

// certColumns renders cert_1_* and cert_2_*: Wharf has no signing certificates.
func certColumns() []string { return []string{"false", "N/A", "false", "N/A"} }

// reportBool renders a boolean as the report does: lower case, as in the
// reports IAM serves (the User Guide typesets them TRUE and FALSE).
func reportBool(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// reportTime renders a time as the report does: ISO 8601 with an explicit +00:00.
func reportTime(t time.Time) string {
	if t.IsZero() {
		return "N/A"
	}
	return t.UTC().Format("2006-01-02T15:04:05+00:00")
}
