package sqlite

import (
	"time"

	"github.com/wharf-project/wharf/internal/store"
)

// credentialReports stores each account's last credential report, one row
// per account.
type credentialReports struct{ *tx }

// Put is one upsert that finds the account itself: a missing account
// inserts nothing, which is ErrNotFound. Content is stored byte for byte
// (nil as empty, the column being NOT NULL).
func (t credentialReports) Put(accountID string, generatedAt time.Time, content []byte) error {
	if content == nil {
		content = []byte{}
	}
	res, err := t.exec(`
		INSERT INTO credential_reports (account_pk, generated_at, content)
		SELECT pk, ?, ? FROM accounts WHERE id = ?
		ON CONFLICT (account_pk) DO UPDATE SET
			generated_at = excluded.generated_at, content = excluded.content`,
		dbTime(generatedAt), content, accountID)
	return wrap(affected(res, err), "put credential report of %s", accountID)
}

func (t credentialReports) Get(accountID string) (store.CredentialReport, error) {
	var r store.CredentialReport
	err := t.queryRow(`
		SELECT a.id, r.generated_at, r.content
		FROM credential_reports r JOIN accounts a ON a.pk = r.account_pk
		WHERE a.id = ?`, accountID).Scan(&r.AccountID, nullTime{&r.GeneratedAt}, &r.Content)
	return r, wrap(err, "get credential report of %s", accountID)
}
