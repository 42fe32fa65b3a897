package sqlite

import "github.com/wharf-project/wharf/internal/store"

type accounts struct{ *tx }

func (t accounts) Create(a store.Account) error {
	_, err := t.exec(`INSERT INTO accounts (id, alias, created_at) VALUES (?, ?, ?)`,
		a.ID, a.Alias, dbTime(a.CreatedAt))
	return wrap(err, "create account %s", a.ID)
}

const accountCols = `id, alias, created_at`

func scanAccount(s scanner) (store.Account, error) {
	var a store.Account
	err := s.Scan(&a.ID, &a.Alias, nullTime{&a.CreatedAt})
	return a, err
}

func (t accounts) Get(id string) (store.Account, error) {
	a, err := scanAccount(t.queryRow(`SELECT `+accountCols+` FROM accounts WHERE id = ?`, id))
	return a, wrap(err, "get account %s", id)
}

func (t accounts) List() ([]store.Account, error) {
	rows, err := t.query(`SELECT ` + accountCols + ` FROM accounts ORDER BY id`)
	if err != nil {
		return nil, wrap(err, "list accounts")
	}
	as, err := all(rows, scanAccount)
	return as, wrap(err, "list accounts")
}
