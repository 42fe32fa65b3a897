package postgres

import (
	"time"

	"github.com/wharf-project/wharf/internal/store"
)

// credentialReports stores each account's last credential report, one row
// per account.
type credentialReports struct{ *tx }

// Put is one upsert that finds the account itself, so it cannot fail on a
// missing account (it inserts nothing: ErrNotFound) nor on a conflict, and
// needs no savepoint. Content is stored byte for byte (nil as empty, the
// column being NOT NULL).
func (t credentialReports) Put(accountID string, generatedAt time.Time, content []byte) error {
	if content == nil {
		content = []byte{}
	}
	err := affected(t.exec(`
		INSERT INTO credential_reports (account_pk, generated_at, content)
		SELECT a.pk, $2, $3 FROM accounts a WHERE a.id = $1
		ON CONFLICT (account_pk) DO UPDATE SET
			generated_at = excluded.generated_at, content = excluded.content`,
		accountID, dbTime(generatedAt), content))
	return wrap(err, "put credential report of %s", accountID)
}

func (t credentialReports) Get(accountID string) (store.CredentialReport, error) {
	var r store.CredentialReport
	err := t.queryRow(`
		SELECT a.id, r.generated_at, r.content
		FROM credential_reports r JOIN accounts a ON a.pk = r.account_pk
		WHERE a.id = $1`, accountID).Scan(&r.AccountID, nullTime{&r.GeneratedAt}, &r.Content)
	return r, wrap(err, "get credential report of %s", accountID)
}
