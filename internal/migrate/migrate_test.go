package migrate

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/opencontainers/go-digest"

	"github.com/wharf-project/wharf/internal/blob"
	blobfs "github.com/wharf-project/wharf/internal/blob/fs"
	"github.com/wharf-project/wharf/internal/secrets"
	"github.com/wharf-project/wharf/internal/store"
	"github.com/wharf-project/wharf/internal/store/postgres"
	"github.com/wharf-project/wharf/internal/store/sqlite"
	"github.com/wharf-project/wharf/internal/testenv"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testenv.Shutdown()
	os.Exit(code)
}

func TestConverters(t *testing.T) {
	ts := time.Date(2024, 5, 6, 7, 8, 9, 123456000, time.UTC)
	for _, c := range []struct {
		dataType, udt string
		in            any
		want          any
		bad           bool
	}{
		{"timestamp with time zone", "timestamptz", ts.UnixMicro(), ts, false},
		{"timestamp with time zone", "timestamptz", nil, nil, false},
		{"timestamp with time zone", "timestamptz", "2024-05-06", nil, true},
		{"boolean", "bool", int64(0), false, false},
		{"boolean", "bool", int64(1), true, false},
		{"boolean", "bool", int64(2), nil, true},
		{"jsonb", "jsonb", `[{"Key":"a","Value":"b"}]`, `[{"Key":"a","Value":"b"}]`, false},
		{"ARRAY", "_text", `["sha256:a","sha256:b"]`, []string{"sha256:a", "sha256:b"}, false},
		{"ARRAY", "_text", `[]`, []string{}, false},
		{"ARRAY", "_text", `null`, []string{}, false},
		{"ARRAY", "_text", `{}`, nil, true},
		{"bytea", "bytea", []byte{0, 1, 2}, []byte{0, 1, 2}, false},
		{"bigint", "int8", int64(42), int64(42), false},
		{"bigint", "int8", "42", nil, true},
		{"text", "text", "x", "x", false},
		{"text", "text", int64(1), nil, true},
	} {
		conv, err := converterFor(c.dataType, c.udt)
		if err != nil {
			t.Fatalf("%s: %v", c.dataType, err)
		}
		got, err := conv(c.in)
		if c.bad {
			if err == nil {
				t.Errorf("%s from %#v: no error, got %#v", c.dataType, c.in, got)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s from %#v: %#v, %v; want %#v", c.dataType, c.in, got, err, c.want)
		}
	}
	if _, err := converterFor("point", "point"); err == nil {
		t.Error("a type without a conversion was accepted")
	}
}

// fixture is an embedded deployment's data directory, filled through the
// SQLite store and the fs blob store as wharf serve fills them.
type fixture struct {
	dir, keyFile string
	blobs        []digest.Digest
	blobFiles    map[digest.Digest]string
}

const acct = "111111111111"

func newFixture(t *testing.T) fixture {
	t.Helper()
	ctx := context.Background()
	f := fixture{dir: t.TempDir(), blobFiles: map[digest.Digest]string{}}
	key := make([]byte, secrets.KeySize)
	rand.Read(key)
	f.keyFile = filepath.Join(f.dir, "secret.key")
	if err := os.WriteFile(f.keyFile, []byte(base64.StdEncoding.EncodeToString(key)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	box, err := secrets.NewBox(key)
	if err != nil {
		t.Fatal(err)
	}
	fsStore, err := blobfs.New(filepath.Join(f.dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	put := func(content []byte, alg digest.Algorithm) digest.Digest {
		d := alg.FromBytes(content)
		w, err := fsStore.Upload(ctx, "fixture-"+d.Encoded()[:12], false)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(content); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Commit(ctx, d); err != nil {
			t.Fatal(err)
		}
		f.blobs = append(f.blobs, d)
		f.blobFiles[d] = filepath.Join(f.dir, "blobs", "blobs", string(alg), d.Encoded()[:2], d.Encoded())
		return d
	}
	layer := put(bytes.Repeat([]byte("layer "), 40000), digest.SHA256)
	config := put([]byte(`{"architecture":"amd64","os":"linux"}`), digest.SHA256)
	logo := put([]byte("\x89PNG not really"), digest.SHA256)
	other := put([]byte("a sha512 blob"), digest.SHA512)
	manifest := []byte(`{"schemaVersion":2,"config":{"digest":"` + config.String() + `"},"layers":[{"digest":"` + layer.String() + `"}]}`)
	md := digest.FromBytes(manifest)
	index := []byte(`{"schemaVersion":2,"manifests":[{"digest":"` + md.String() + `"}]}`)
	id := digest.FromBytes(index)

	db, err := sqlite.Open(ctx, filepath.Join(f.dir, "wharf.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	at := time.Date(2024, 1, 2, 3, 4, 5, 678901000, time.UTC)
	tags := []store.Tag{{Key: "team", Value: "blue"}, {Key: "a", Value: "b"}}
	alice := store.Entity{AccountID: acct, Kind: store.KindUser, Name: "alice"}
	err = db.Tx(ctx, func(tx store.Tx) error {
		return errors.Join(
			tx.Accounts().Create(store.Account{ID: acct, CreatedAt: at}),
			tx.Accounts().SetAlias(acct, "acme"),
			tx.Accounts().SetDisplayName(acct, "Acme"),
			tx.Accounts().SetRootPassword(acct, "hash-of-root"),
			tx.Accounts().Create(store.Account{ID: "222222222222"}),
			tx.Users().Create(store.User{AccountID: acct, Name: "alice", ID: "AIDAALICE", Path: "/eng/", Tags: tags, CreatedAt: at,
				PasswordHash: "hash", PasswordCreatedAt: at.Add(time.Hour), PasswordResetNeeded: true}),
			tx.Users().Create(store.User{AccountID: acct, Name: "Bob", ID: "AIDABOB", Path: "/", CreatedAt: at}),
			tx.Groups().Create(store.Group{AccountID: acct, Name: "devs", ID: "AGPADEVS", Path: "/", CreatedAt: at}),
			tx.Groups().AddMember(acct, "devs", "alice"),
			tx.Roles().Create(store.Role{AccountID: acct, Name: "ci", ID: "AROACI", Path: "/", AssumeRolePolicy: `{"Version":"2012-10-17","Statement":[]}`,
				MaxSessionDuration: 3600, CreatedAt: at}),
			tx.Policies().Create(store.ManagedPolicy{AccountID: "aws", Name: "AWSThing", ID: "ANPAAWS", Path: "/", ARN: "arn:aws:iam::aws:policy/AWSThing",
				DefaultVersionID: "v1", CreatedAt: at, UpdatedAt: at, NextVersion: 2}, store.PolicyVersion{PolicyARN: "arn:aws:iam::aws:policy/AWSThing", VersionID: "v1", Document: `{"v":1}`, CreatedAt: at}),
			tx.Policies().Create(store.ManagedPolicy{AccountID: acct, Name: "pushers", ID: "ANPAPUSH", Path: "/", ARN: "arn:aws:iam::" + acct + ":policy/pushers",
				DefaultVersionID: "v1", Tags: tags, CreatedAt: at, UpdatedAt: at, NextVersion: 2}, store.PolicyVersion{PolicyARN: "arn:aws:iam::" + acct + ":policy/pushers", VersionID: "v1", Document: `{ "Version" : "2012-10-17" }`, CreatedAt: at}),
			tx.Policies().Attach(store.Attachment{Entity: alice, PolicyARN: "arn:aws:iam::" + acct + ":policy/pushers"}),
			tx.Policies().PutInline(store.InlinePolicy{Entity: alice, Name: "Inline", Document: `{"x":1}`}),
			tx.AccessKeys().Create(store.AccessKey{ID: "AKIAALICE", AccountID: acct, UserName: "alice", SecretCiphertext: mustSeal(t, box, "secret", "AKIAALICE"), Status: store.KeyActive, CreatedAt: at,
				LastUsedAt: at.Add(time.Minute), LastUsedService: "iam", LastUsedRegion: "us-east-1"}),
			tx.AccessKeys().Create(store.AccessKey{ID: "AKIAROOT", AccountID: acct, SecretCiphertext: mustSeal(t, box, "root secret", "AKIAROOT"), Status: store.KeyInactive, CreatedAt: at}),
			tx.Registry().CreateRepository(store.Repository{AccountID: acct, Name: "team/app", CreatedAt: at, Policy: `{"Version":"2012-10-17"}`, Tags: tags,
				CatalogData: `{"description":"d","logoDigest":"` + logo.String() + `"}`}),
			tx.Registry().LinkBlob(acct, "team/app", layer.String(), 240000),
			tx.Registry().LinkBlob(acct, "team/app", config.String(), int64(len(`{"architecture":"amd64","os":"linux"}`))),
			tx.Registry().LinkBlob(acct, "team/app", other.String(), int64(len("a sha512 blob"))),
			tx.Registry().PutManifest(store.Manifest{AccountID: acct, Repository: "team/app", Digest: md.String(), MediaType: "application/vnd.oci.image.manifest.v1+json",
				Content: manifest, Blobs: []string{config.String(), layer.String()}, ImageSize: 240100, PushedAt: at}),
			tx.Registry().PutManifest(store.Manifest{AccountID: acct, Repository: "team/app", Digest: id.String(), MediaType: "application/vnd.oci.image.index.v1+json",
				Content: index, Manifests: []string{md.String()}, Annotations: `{"a":"b"}`, ImageSize: 240100, PushedAt: at}),
			tx.Registry().PutTag(acct, "team/app", store.ImageTag{Name: "v1", Digest: md.String(), CreatedAt: at}),
			tx.Registry().PutTag(acct, "team/app", store.ImageTag{Name: "latest", Digest: id.String(), CreatedAt: at}),
			tx.Registry().CreateUpload(store.Upload{ID: "up1", AccountID: acct, Repository: "team/app", CreatedAt: at}),
			tx.ConsoleSessions().Create(store.ConsoleSession{ID: "sess1", AccountID: acct, UserName: "alice", UserID: "AIDAALICE", CSRFToken: "csrf",
				PasswordResetRequired: true, CreatedAt: at, ExpiresAt: at.Add(time.Hour)}),
			tx.CredentialReports().Put(acct, at, []byte("user,arn\n<root_account>,arn:aws:iam::"+acct+":root\n\x00\xff")),
		)
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func mustSeal(t *testing.T, box *secrets.Box, secret, id string) []byte {
	b, err := box.Seal([]byte(secret), []byte(id))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// snapshot reads everything the fixture made through a store's interface,
// so the two stores' answers can be compared.
func snapshot(t *testing.T, st store.Store) map[string]any {
	t.Helper()
	out := map[string]any{}
	alice := store.Entity{AccountID: acct, Kind: store.KindUser, Name: "alice"}
	err := st.Tx(context.Background(), func(tx store.Tx) error {
		get := func(name string, v any, err error) {
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
			out[name] = v
		}
		v1, err := tx.Accounts().List()
		get("accounts", v1, err)
		v2, err := tx.Users().Get(acct, "ALICE")
		get("alice", v2, err)
		v3, _, err := tx.Users().List(acct, "/", store.Page{})
		get("users", v3, err)
		v4, _, err := tx.Groups().Members(acct, "devs", store.Page{})
		get("members", v4, err)
		v5, err := tx.Roles().Get(acct, "ci")
		get("role", v5, err)
		v6, _, err := tx.Policies().List(acct, true, "/", store.Page{})
		get("policies", v6, err)
		v7, err := tx.Policies().Versions("arn:aws:iam::" + acct + ":policy/pushers")
		get("versions", v7, err)
		v8, err := tx.Policies().Attached(alice)
		get("attached", v8, err)
		v9, err := tx.Policies().ListInline(alice)
		get("inline", v9, err)
		v10, err := tx.AccessKeys().ListForUser(acct, "alice")
		get("alice keys", v10, err)
		v11, err := tx.AccessKeys().Get("AKIAROOT")
		get("root key", v11, err)
		v12, _, err := tx.Registry().ListRepositories(acct, store.Page{})
		get("repositories", v12, err)
		v13, _, err := tx.Registry().Catalog(store.Page{})
		get("catalog", v13, err)
		v14, _, err := tx.Registry().ListManifests(acct, "team/app", store.Page{})
		get("manifests", v14, err)
		v15, _, err := tx.Registry().ListTags(acct, "team/app", store.Page{})
		get("tags", v15, err)
		v16, err := tx.Registry().GetUpload("up1")
		get("upload", v16, err)
		v17, err := tx.ConsoleSessions().Get("sess1")
		get("session", v17, err)
		v18, err := tx.CredentialReports().Get(acct)
		get("credential report", v18, err)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// run migrates f into a new database and target store.
func run(t *testing.T, f fixture, dsn string, target blob.Store) (Summary, string, error) {
	t.Helper()
	var out strings.Builder
	sum, err := Run(context.Background(), Options{DataDir: f.dir, SecretKeyFile: f.keyFile, DatabaseURL: dsn, Blobs: target, BlobsName: "test", Jobs: 3, Out: &out})
	t.Logf("output:\n%s", out.String())
	return sum, out.String(), err
}

func newTarget(t *testing.T) (blob.Store, string) {
	dir := t.TempDir()
	st, err := blobfs.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	return st, dir
}

func accounts(t *testing.T, dsn string) int {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM accounts`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRun migrates a deployment with a row in every table and compares
// what both stores answer; then the target's sequences must give new rows
// fresh keys, and a second run into it is refused.
func TestRun(t *testing.T) {
	f := newFixture(t)
	dsn := testenv.Postgres(t)
	target, _ := newTarget(t)
	sum, _, err := run(t, f, dsn, target)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Blobs != len(f.blobs) || sum.BlobsCopied != len(f.blobs) || sum.BlobsSkipped != 0 || sum.Manifests != 2 || sum.AccessKeys != 2 {
		t.Errorf("summary %+v", sum)
	}
	for _, d := range f.blobs {
		if _, err := target.Stat(context.Background(), d); err != nil {
			t.Errorf("target blob %s: %v", d, err)
		}
	}
	want := func() map[string]any {
		st, err := sqlite.Open(context.Background(), filepath.Join(f.dir, "wharf.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		return snapshot(t, st)
	}()
	pg, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	got := snapshot(t, pg)
	for k := range want {
		if !reflect.DeepEqual(got[k], want[k]) {
			t.Errorf("%s:\n got %+v\nwant %+v", k, got[k], want[k])
		}
	}

	// New rows take keys after the copied ones (a collision would fail).
	at := time.Now().UTC().Truncate(time.Microsecond)
	err = pg.Tx(context.Background(), func(tx store.Tx) error {
		return errors.Join(
			tx.Accounts().Create(store.Account{ID: "333333333333", CreatedAt: at}),
			tx.Users().Create(store.User{AccountID: acct, Name: "carol", ID: "AIDACAROL", Path: "/", CreatedAt: at}),
			tx.Policies().Create(store.ManagedPolicy{AccountID: acct, Name: "more", ID: "ANPAMORE", Path: "/", ARN: "arn:aws:iam::" + acct + ":policy/more",
				DefaultVersionID: "v1", CreatedAt: at, UpdatedAt: at, NextVersion: 2}, store.PolicyVersion{PolicyARN: "arn:aws:iam::" + acct + ":policy/more", VersionID: "v1", Document: "{}", CreatedAt: at}),
			tx.Policies().PutInline(store.InlinePolicy{Entity: store.Entity{AccountID: acct, Kind: store.KindUser, Name: "carol"}, Name: "p", Document: "{}"}),
			tx.AccessKeys().Create(store.AccessKey{ID: "AKIACAROL", AccountID: acct, UserName: "carol", SecretCiphertext: []byte{1}, Status: store.KeyActive, CreatedAt: at}),
			tx.Registry().CreateRepository(store.Repository{AccountID: acct, Name: "team/new", CreatedAt: at}),
		)
	})
	if err != nil {
		t.Fatalf("writing after the migration: %v", err)
	}

	// A second run finds the account and writes nothing.
	_, _, err = run(t, f, dsn, target)
	if !errors.Is(err, ErrTargetNotEmpty) || !strings.Contains(err.Error(), acct) {
		t.Errorf("second run: %v, want ErrTargetNotEmpty naming account %s", err, acct)
	}
}

// TestRunCorruptBlob: a blob whose bytes do not match its name stops the
// run, named, before any metadata is written; nothing of it reaches the
// target store.
func TestRunCorruptBlob(t *testing.T) {
	f := newFixture(t)
	d := f.blobs[0]
	b, err := os.ReadFile(f.blobFiles[d])
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0x01
	os.Chmod(f.blobFiles[d], 0o644)
	if err := os.WriteFile(f.blobFiles[d], b, 0o444); err != nil {
		t.Fatal(err)
	}
	dsn := testenv.Postgres(t)
	target, _ := newTarget(t)
	_, _, err = run(t, f, dsn, target)
	if !errors.Is(err, blob.ErrDigestMismatch) || !strings.Contains(err.Error(), d.String()) {
		t.Fatalf("got %v, want a digest mismatch naming %s", err, d)
	}
	if n := accounts(t, dsn); n != 0 {
		t.Errorf("the target has %d accounts after a failed run", n)
	}
	if _, err := target.Stat(context.Background(), d); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("the damaged blob is in the target: %v", err)
	}
}

// TestRunWrongKey: a key file that does not open the access keys' secrets
// stops the run before anything is written.
func TestRunWrongKey(t *testing.T) {
	f := newFixture(t)
	key := make([]byte, secrets.KeySize)
	rand.Read(key)
	f.keyFile = filepath.Join(t.TempDir(), "other.key")
	if err := os.WriteFile(f.keyFile, []byte(base64.StdEncoding.EncodeToString(key)), 0o600); err != nil {
		t.Fatal(err)
	}
	dsn := testenv.Postgres(t)
	target, targetDir := newTarget(t)
	_, _, err := run(t, f, dsn, target)
	if err == nil || !strings.Contains(err.Error(), "does not open the secret of access key") {
		t.Fatalf("got %v", err)
	}
	if n := accounts(t, dsn); n != 0 {
		t.Errorf("the target has %d accounts after a failed run", n)
	}
	if entries, _ := os.ReadDir(filepath.Join(targetDir, "blobs", "sha256")); len(entries) != 0 {
		t.Errorf("blobs were copied before the key was checked: %v", entries)
	}
}

// TestRunBlobsThereAlready: blobs the target holds are verified, not
// copied; one damaged there stops the run.
func TestRunBlobsThereAlready(t *testing.T) {
	f := newFixture(t)
	target, targetDir := newTarget(t)
	if _, _, err := run(t, f, testenv.Postgres(t), target); err != nil {
		t.Fatal(err)
	}
	sum, _, err := run(t, f, testenv.Postgres(t), target)
	if err != nil {
		t.Fatal(err)
	}
	if sum.BlobsSkipped != len(f.blobs) || sum.BlobsCopied != 0 {
		t.Errorf("second run into the same blob store: %+v", sum)
	}
	d := f.blobs[1]
	p := filepath.Join(targetDir, "blobs", string(d.Algorithm()), d.Encoded()[:2], d.Encoded())
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b[0] ^= 0x80
	os.Chmod(p, 0o644)
	if err := os.WriteFile(p, b, 0o444); err != nil {
		t.Fatal(err)
	}
	dsn := testenv.Postgres(t)
	_, _, err = run(t, f, dsn, target)
	if !errors.Is(err, blob.ErrDigestMismatch) || !strings.Contains(err.Error(), "target's copy of blob "+d.String()) {
		t.Errorf("got %v, want the target's damaged copy of %s named", err, d)
	}
	if n := accounts(t, dsn); n != 0 {
		t.Errorf("the target has %d accounts after a failed run", n)
	}
}
