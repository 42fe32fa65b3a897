package postgres

import "github.com/wharf-project/wharf/internal/store"

type accounts struct{ *tx }

// An account without a registry alias has alias NULL (store.Account.Alias "").

func (t accounts) Create(a store.Account) error {
	err := t.atomic(func() error {
		_, err := t.exec(`INSERT INTO accounts (id, alias, display_name, root_password_hash, created_at) VALUES ($1, nullif($2, ''), $3, $4, $5)`,
			a.ID, a.Alias, a.DisplayName, a.RootPasswordHash, dbTime(a.CreatedAt))
		return err
	})
	return wrap(err, "create account %s", a.ID)
}

const accountCols = `id, coalesce(alias, ''), display_name, root_password_hash, created_at`

func scanAccount(s scanner) (store.Account, error) {
	var a store.Account
	err := s.Scan(&a.ID, &a.Alias, &a.DisplayName, &a.RootPasswordHash, nullTime{&a.CreatedAt})
	return a, err
}

func (t accounts) Get(id string) (store.Account, error) {
	a, err := scanAccount(t.queryRow(`SELECT `+accountCols+` FROM accounts WHERE id = $1`, id))
	return a, wrap(err, "get account %s", id)
}

// GetByAlias finds the account whose alias is exactly alias; "" finds none.
func (t accounts) GetByAlias(alias string) (store.Account, error) {
	a, err := scanAccount(t.queryRow(`SELECT `+accountCols+` FROM accounts WHERE alias = $1`, alias))
	return a, wrap(err, "get account by alias %q", alias)
}

// SetAlias sets (or, with "", clears) an account's registry alias.
func (t accounts) SetAlias(id, alias string) error {
	err := t.atomic(func() error {
		return affected(t.exec(`UPDATE accounts SET alias = nullif($1, '') WHERE id = $2`, alias, id))
	})
	return wrap(err, "set alias of account %s to %q", id, alias)
}

// SetDisplayName sets an account's registry display name.
func (t accounts) SetDisplayName(id, name string) error {
	err := affected(t.exec(`UPDATE accounts SET display_name = $1 WHERE id = $2`, name, id))
	return wrap(err, "set display name of account %s", id)
}

// SetRootPassword sets (or, with "", removes) the root user's password
// hash. The hash never enters an error.
func (t accounts) SetRootPassword(id, hash string) error {
	err := affected(t.exec(`UPDATE accounts SET root_password_hash = $1 WHERE id = $2`, hash, id))
	return wrap(err, "set root password of account %s", id)
}

func (t accounts) List() ([]store.Account, error) {
	rows, err := t.query(`SELECT ` + accountCols + ` FROM accounts ORDER BY id`)
	if err != nil {
		return nil, wrap(err, "list accounts")
	}
	as, err := all(rows, scanAccount)
	return as, wrap(err, "list accounts")
}
