package secrets

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

func TestBox(t *testing.T) {
	key, created, err := LoadOrCreateKeyFile(filepath.Join(t.TempDir(), "k"))
	if err != nil || !created {
		t.Fatal(err, created)
	}
	b, err := NewBox(key)
	if err != nil {
		t.Fatal(err)
	}
	ct, err := b.Seal([]byte("secret"), []byte("AKIA1"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(ct, []byte("secret")) {
		t.Fatal("plaintext visible")
	}
	pt, err := b.Open(ct, []byte("AKIA1"))
	if err != nil || string(pt) != "secret" {
		t.Fatal(err, pt)
	}
	if _, err := b.Open(ct, []byte("AKIA2")); err != ErrOpen {
		t.Error("opened under another key ID")
	}
	ct[len(ct)-1] ^= 1
	if _, err := b.Open(ct, []byte("AKIA1")); err != ErrOpen {
		t.Error("opened tampered data")
	}
	other := make([]byte, KeySize)
	b2, _ := NewBox(other)
	ct2, _ := b.Seal([]byte("x"), nil)
	if _, err := b2.Open(ct2, nil); err != ErrOpen {
		t.Error("opened with another key")
	}
}

func TestKeyFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "k")
	k1, _, err := LoadOrCreateKeyFile(p)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(p)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", st.Mode())
	}
	k2, created, err := LoadOrCreateKeyFile(p)
	if err != nil || created || !bytes.Equal(k1, k2) {
		t.Fatal("reload", err, created)
	}
	os.WriteFile(p, []byte("short"), 0o600)
	if _, _, err := LoadOrCreateKeyFile(p); err == nil {
		t.Error("accepted a bad key file")
	}
}

func TestIDs(t *testing.T) {
	id, _ := NewID("AKIA")
	if !regexp.MustCompile(`^AKIA[A-Z2-7]{16}$`).MatchString(id) {
		t.Error(id)
	}
	s, _ := NewSecretKey()
	if len(s) != 40 {
		t.Error(len(s), s)
	}
}

func TestPassword(t *testing.T) {
	h, err := hashWith("hunter2", []byte("0123456789abcdef"), 1000)
	if err != nil {
		t.Fatal(err)
	}
	if !CheckPassword(h, "hunter2") || CheckPassword(h, "hunter3") || CheckPassword("garbage", "hunter2") {
		t.Error("CheckPassword")
	}
}

func TestTokenAndEqual(t *testing.T) {
	a, b := NewToken(), NewToken()
	if len(a) != 43 || a == b {
		t.Fatalf("tokens %q %q", a, b)
	}
	if !Equal(a, a) || Equal(a, b) || Equal("", "") || Equal(a, a[:42]) {
		t.Error("Equal is wrong")
	}
}
