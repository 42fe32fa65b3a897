package postgres

import (
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/wharf-project/wharf/internal/store"
)

// awsAccount is the AccountID of AWS-managed policies; their account_pk is NULL.
const awsAccount = "aws"

type policies struct{ *tx }

const policySelect = `
	SELECT coalesce(a.id, '` + awsAccount + `'), pol.name, pol.id, pol.path, pol.arn, pol.description,
		pol.default_version_id, pol.tags, pol.created_at, pol.updated_at, pol.next_version
	FROM policies pol
	LEFT JOIN accounts a ON a.pk = pol.account_pk`

func scanPolicy(s scanner) (store.ManagedPolicy, error) {
	var p store.ManagedPolicy
	err := s.Scan(&p.AccountID, &p.Name, &p.ID, &p.Path, &p.ARN, &p.Description,
		&p.DefaultVersionID, jsonTags{&p.Tags}, nullTime{&p.CreatedAt}, nullTime{&p.UpdatedAt}, &p.NextVersion)
	return p, err
}

// policyPK returns the surrogate key and default version of the policy arn.
func (t policies) policyPK(arn string) (pk int64, defaultVersion string, err error) {
	err = t.queryRow(`SELECT pk, default_version_id FROM policies WHERE arn = $1`, arn).Scan(&pk, &defaultVersion)
	if errors.Is(err, pgx.ErrNoRows) {
		err = fmt.Errorf("policy %s: %w", arn, store.ErrNotFound)
	}
	return pk, defaultVersion, err
}

// ownerPK returns the account_pk of a policy of account: NULL for "aws".
func (t policies) ownerPK(account string) (*int64, error) {
	if account == awsAccount {
		return nil, nil
	}
	pk, err := t.accountPK(account)
	return &pk, err
}

func (t policies) Create(p store.ManagedPolicy, first store.PolicyVersion) error {
	return wrap(t.atomic(func() error { return t.create(p, first) }), "create policy %s", p.ARN)
}

func (t policies) create(p store.ManagedPolicy, first store.PolicyVersion) error {
	tags, err := dbTags(p.Tags)
	if err != nil {
		return err
	}
	owner, err := t.ownerPK(p.AccountID)
	if err != nil {
		return err
	}
	var pk int64
	err = t.queryRow(`
		INSERT INTO policies (account_pk, name, id, path, arn, description, default_version_id,
			tags, created_at, updated_at, next_version)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		RETURNING pk`,
		owner, p.Name, p.ID, p.Path, p.ARN, p.Description, first.VersionID,
		tags, dbTime(p.CreatedAt), dbTime(p.UpdatedAt), p.NextVersion).Scan(&pk)
	if err != nil {
		return err
	}
	return t.insertVersion(pk, first)
}

func (t policies) insertVersion(pk int64, v store.PolicyVersion) error {
	_, err := t.exec(`INSERT INTO policy_versions (policy_pk, version_id, document, created_at) VALUES ($1, $2, $3, $4)`,
		pk, v.VersionID, v.Document, dbTime(v.CreatedAt))
	return err
}

func (t policies) Get(arn string) (store.ManagedPolicy, error) {
	p, err := scanPolicy(t.queryRow(policySelect+` WHERE pol.arn = $1`, arn))
	return p, wrap(err, "get policy %s", arn)
}

// List orders by name, then ARN (an AWS-managed and a customer policy may
// share a name). The marker is the ARN of the last policy of the previous
// page; its name is the ARN's last path element.
func (t policies) List(account string, includeAWS bool, pathPrefix string, p store.Page) ([]store.ManagedPolicy, bool, error) {
	owners := `a.id = $1`
	if includeAWS {
		owners = `(a.id = $1 OR pol.account_pk IS NULL)`
	}
	q := policySelect + ` WHERE ` + owners + ` AND starts_with(pol.path, $2)`
	args := []any{account, pathPrefix}
	if p.Marker != "" {
		markerName := p.Marker[strings.LastIndex(p.Marker, "/")+1:]
		q += ` AND (lower(pol.name) > $3 OR (lower(pol.name) = $3 AND pol.arn > $4))`
		args = append(args, fold(markerName), p.Marker)
	}
	n := pageSize(p)
	args = append(args, n+1)
	q += ` ORDER BY lower(pol.name), pol.arn LIMIT $` + itoa(len(args))
	rows, err := t.query(q, args...)
	if err != nil {
		return nil, false, wrap(err, "list policies %s", account)
	}
	ps, more, err := collect(rows, n, scanPolicy)
	return ps, more, wrap(err, "list policies %s", account)
}

func (t policies) Update(p store.ManagedPolicy) error {
	return wrap(t.atomic(func() error { return t.update(p) }), "update policy %s", p.ARN)
}

func (t policies) update(p store.ManagedPolicy) error {
	tags, err := dbTags(p.Tags)
	if err != nil {
		return err
	}
	pk, _, err := t.policyPK(p.ARN)
	if err != nil {
		return err
	}
	var exists bool
	if err := t.queryRow(`SELECT EXISTS (SELECT 1 FROM policy_versions WHERE policy_pk = $1 AND version_id = $2)`,
		pk, p.DefaultVersionID).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		return fmt.Errorf("default version %s: %w", p.DefaultVersionID, store.ErrNotFound)
	}
	_, err = t.exec(`
		UPDATE policies SET name = $1, id = $2, path = $3, description = $4, default_version_id = $5,
			tags = $6, created_at = $7, updated_at = $8, next_version = $9
		WHERE pk = $10`,
		p.Name, p.ID, p.Path, p.Description, p.DefaultVersionID,
		tags, dbTime(p.CreatedAt), dbTime(p.UpdatedAt), p.NextVersion, pk)
	return err
}

func (t policies) Delete(arn string) error {
	err := affected(t.exec(`DELETE FROM policies WHERE arn = $1`, arn))
	return wrap(err, "delete policy %s", arn)
}

func (t policies) AddVersion(v store.PolicyVersion) error {
	err := t.atomic(func() error {
		pk, _, err := t.policyPK(v.PolicyARN)
		if err != nil {
			return err
		}
		return t.insertVersion(pk, v)
	})
	return wrap(err, "add version %s to policy %s", v.VersionID, v.PolicyARN)
}

const versionSelect = `
	SELECT pol.arn, v.version_id, v.document, v.created_at
	FROM policy_versions v JOIN policies pol ON pol.pk = v.policy_pk`

func scanVersion(s scanner) (store.PolicyVersion, error) {
	var v store.PolicyVersion
	err := s.Scan(&v.PolicyARN, &v.VersionID, &v.Document, nullTime{&v.CreatedAt})
	return v, err
}

func (t policies) GetVersion(arn, versionID string) (store.PolicyVersion, error) {
	v, err := scanVersion(t.queryRow(versionSelect+` WHERE pol.arn = $1 AND v.version_id = $2`, arn, versionID))
	return v, wrap(err, "get version %s of policy %s", versionID, arn)
}

// Versions orders by creation time (versions without one first, as SQLite
// orders NULL), then by insertion.
func (t policies) Versions(arn string) ([]store.PolicyVersion, error) {
	pk, _, err := t.policyPK(arn)
	if err != nil {
		return nil, wrap(err, "list versions of policy %s", arn)
	}
	rows, err := t.query(versionSelect+` WHERE v.policy_pk = $1 ORDER BY v.created_at NULLS FIRST, v.pk`, pk)
	if err != nil {
		return nil, wrap(err, "list versions of policy %s", arn)
	}
	vs, err := all(rows, scanVersion)
	return vs, wrap(err, "list versions of policy %s", arn)
}

func (t policies) DeleteVersion(arn, versionID string) error {
	pk, def, err := t.policyPK(arn)
	switch {
	case err != nil:
	case versionID == def:
		err = fmt.Errorf("the default version: %w", store.ErrConflict)
	default:
		err = affected(t.exec(`DELETE FROM policy_versions WHERE policy_pk = $1 AND version_id = $2`, pk, versionID))
	}
	return wrap(err, "delete version %s of policy %s", versionID, arn)
}

// entity returns the principal pk of e.
func (t policies) entity(e store.Entity) (int64, error) {
	switch e.Kind {
	case store.KindUser, store.KindGroup, store.KindRole:
		return t.principalPK(e.AccountID, e.Kind, e.Name)
	}
	return 0, fmt.Errorf("unknown entity kind %q", e.Kind)
}

// attachment returns the principal and policy pks of a.
func (t policies) attachment(a store.Attachment) (epk, ppk int64, err error) {
	if epk, err = t.entity(a.Entity); err != nil {
		return 0, 0, err
	}
	if ppk, _, err = t.policyPK(a.PolicyARN); err != nil {
		return 0, 0, err
	}
	return epk, ppk, nil
}

// Attach needs no savepoint: with both rows found, the insert cannot fail
// but by a serialization failure, after which the transaction runs again.
func (t policies) Attach(a store.Attachment) error {
	epk, ppk, err := t.attachment(a)
	if err == nil {
		_, err = t.exec(`INSERT INTO policy_attachments (principal_pk, policy_pk) VALUES ($1, $2) ON CONFLICT DO NOTHING`, epk, ppk)
	}
	return wrap(err, "attach %s to %s", a.PolicyARN, entityString(a.Entity))
}

func (t policies) Detach(a store.Attachment) error {
	epk, ppk, err := t.attachment(a)
	if err == nil {
		err = affected(t.exec(`DELETE FROM policy_attachments WHERE principal_pk = $1 AND policy_pk = $2`, epk, ppk))
	}
	return wrap(err, "detach %s from %s", a.PolicyARN, entityString(a.Entity))
}

func (t policies) Attached(e store.Entity) ([]store.ManagedPolicy, error) {
	epk, err := t.entity(e)
	if err != nil {
		return nil, wrap(err, "list policies attached to %s", entityString(e))
	}
	rows, err := t.query(policySelect+`
		JOIN policy_attachments pa ON pa.policy_pk = pol.pk
		WHERE pa.principal_pk = $1
		ORDER BY lower(pol.name), pol.arn`, epk)
	if err != nil {
		return nil, wrap(err, "list policies attached to %s", entityString(e))
	}
	ps, err := all(rows, scanPolicy)
	return ps, wrap(err, "list policies attached to %s", entityString(e))
}

// AttachedTo orders the entities by account, kind and name.
func (t policies) AttachedTo(arn string) ([]store.Entity, error) {
	ppk, _, err := t.policyPK(arn)
	if err != nil {
		return nil, wrap(err, "list entities of policy %s", arn)
	}
	rows, err := t.query(`
		SELECT a.id, p.kind, p.name
		FROM policy_attachments pa
		JOIN principals p ON p.pk = pa.principal_pk
		JOIN accounts a ON a.pk = p.account_pk
		WHERE pa.policy_pk = $1
		ORDER BY a.id, p.kind, lower(p.name)`, ppk)
	if err != nil {
		return nil, wrap(err, "list entities of policy %s", arn)
	}
	es, err := all(rows, func(s scanner) (store.Entity, error) {
		var e store.Entity
		var kind string
		err := s.Scan(&e.AccountID, &kind, &e.Name)
		e.Kind = store.EntityKind(kind)
		return e, err
	})
	return es, wrap(err, "list entities of policy %s", arn)
}

// PutInline replaces an inline policy of the same name in any case, taking
// the new name's spelling. With the entity found, the upsert cannot fail but
// by a serialization failure: no savepoint.
func (t policies) PutInline(p store.InlinePolicy) error {
	epk, err := t.entity(p.Entity)
	if err == nil {
		_, err = t.exec(`
			INSERT INTO inline_policies (principal_pk, name, document) VALUES ($1, $2, $3)
			ON CONFLICT (principal_pk, lower(name)) DO UPDATE SET name = excluded.name, document = excluded.document`,
			epk, p.Name, p.Document)
	}
	return wrap(err, "put inline policy %s of %s", p.Name, entityString(p.Entity))
}

func (t policies) GetInline(e store.Entity, name string) (store.InlinePolicy, error) {
	p := store.InlinePolicy{Entity: e}
	epk, err := t.entity(e)
	if err == nil {
		err = t.queryRow(`SELECT name, document FROM inline_policies WHERE principal_pk = $1 AND lower(name) = $2`,
			epk, fold(name)).Scan(&p.Name, &p.Document)
	}
	if err != nil {
		return store.InlinePolicy{}, wrap(err, "get inline policy %s of %s", name, entityString(e))
	}
	if p.Entity, err = t.entityName(epk); err != nil {
		return store.InlinePolicy{}, wrap(err, "get inline policy %s of %s", name, entityString(e))
	}
	return p, nil
}

// entityName returns the entity of a principal pk with its stored name.
func (t policies) entityName(pk int64) (store.Entity, error) {
	var e store.Entity
	var kind string
	err := t.queryRow(`
		SELECT a.id, p.kind, p.name FROM principals p JOIN accounts a ON a.pk = p.account_pk
		WHERE p.pk = $1`, pk).Scan(&e.AccountID, &kind, &e.Name)
	e.Kind = store.EntityKind(kind)
	return e, err
}

func (t policies) ListInline(e store.Entity) ([]store.InlinePolicy, error) {
	epk, err := t.entity(e)
	if err != nil {
		return nil, wrap(err, "list inline policies of %s", entityString(e))
	}
	if e, err = t.entityName(epk); err != nil {
		return nil, wrap(err, "list inline policies of %s", entityString(e))
	}
	rows, err := t.query(`SELECT name, document FROM inline_policies WHERE principal_pk = $1 ORDER BY lower(name)`, epk)
	if err != nil {
		return nil, wrap(err, "list inline policies of %s", entityString(e))
	}
	ps, err := all(rows, func(s scanner) (store.InlinePolicy, error) {
		p := store.InlinePolicy{Entity: e}
		err := s.Scan(&p.Name, &p.Document)
		return p, err
	})
	return ps, wrap(err, "list inline policies of %s", entityString(e))
}

func (t policies) DeleteInline(e store.Entity, name string) error {
	epk, err := t.entity(e)
	if err == nil {
		err = affected(t.exec(`DELETE FROM inline_policies WHERE principal_pk = $1 AND lower(name) = $2`, epk, fold(name)))
	}
	return wrap(err, "delete inline policy %s of %s", name, entityString(e))
}

// DeleteEntityPolicies needs no savepoint: its deletes cannot fail but with
// the whole transaction.
func (t policies) DeleteEntityPolicies(e store.Entity) error {
	epk, err := t.entity(e)
	if err == nil {
		_, err = t.exec(`DELETE FROM inline_policies WHERE principal_pk = $1`, epk)
	}
	if err == nil {
		_, err = t.exec(`DELETE FROM policy_attachments WHERE principal_pk = $1`, epk)
	}
	return wrap(err, "delete policies of %s", entityString(e))
}

func entityString(e store.Entity) string {
	return fmt.Sprintf("%s %s/%s", e.Kind, e.AccountID, e.Name)
}
