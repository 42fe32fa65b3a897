// Package secrets keeps Wharf's secrets unusable at rest and makes new ones:
// access-key secrets are sealed with AES-256-GCM under a key that lives outside
// the database (a key file created on first start, or supplied), and console
// passwords are hashed with PBKDF2-HMAC-SHA256. A copy of the database alone
// reveals no usable secret.
package secrets

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
)

// KeySize is the size of a sealing key: AES-256.
const KeySize = 32

// Box seals and opens secrets with one key.
type Box struct {
	aead cipher.AEAD
}

// NewBox returns a Box for a 32-byte key.
func NewBox(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("secrets: the key has %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead}, nil
}

// LoadOrCreateKeyFile reads a base64 key file, creating it (mode 0600) with a
// fresh random key when it does not exist. created reports the latter.
func LoadOrCreateKeyFile(path string) (key []byte, created bool, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		key = make([]byte, KeySize)
		if _, err := rand.Read(key); err != nil {
			return nil, false, err
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, false, fmt.Errorf("secrets: create key file: %w", err)
		}
		if _, err := f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n"); err != nil {
			f.Close()
			return nil, false, err
		}
		if err := f.Close(); err != nil {
			return nil, false, err
		}
		return key, true, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("secrets: read key file: %w", err)
	}
	key, err = base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) != KeySize {
		return nil, false, fmt.Errorf("secrets: key file %s does not hold a base64 %d-byte key", path, KeySize)
	}
	return key, false, nil
}

// Seal encrypts plaintext; additional binds the ciphertext to its owner (the
// access key ID), so a sealed secret cannot be moved to another key's row.
func (b *Box) Seal(plaintext, additional []byte) ([]byte, error) {
	nonce := make([]byte, b.aead.NonceSize(), b.aead.NonceSize()+len(plaintext)+b.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return b.aead.Seal(nonce, nonce, plaintext, additional), nil
}

// ErrOpen is returned when a ciphertext does not open: wrong key or tampered data.
var ErrOpen = errors.New("secrets: cannot open sealed data (wrong key or tampered)")

// Open decrypts what Seal produced.
func (b *Box) Open(ciphertext, additional []byte) ([]byte, error) {
	n := b.aead.NonceSize()
	if len(ciphertext) < n+b.aead.Overhead() {
		return nil, ErrOpen
	}
	pt, err := b.aead.Open(nil, ciphertext[:n], ciphertext[n:], additional)
	if err != nil {
		return nil, ErrOpen
	}
	return pt, nil
}

// base32 alphabet of AWS access key IDs: A–Z and 2–7.
var keyIDEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewID returns prefix followed by 16 characters of [A-Z2-7], the shape of AWS
// access key IDs (AKIA…, ASIA…) and unique IDs (AIDA…, AROA…, AGPA…, ANPA…).
func NewID(prefix string) (string, error) {
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return prefix + keyIDEncoding.EncodeToString(b), nil
}

// NewUUID returns a random (version 4) UUID: request IDs, upload IDs.
func NewUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("crypto/rand failed: %v", err))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// NewToken returns 256 random bits, URL-safe base64 without padding: session
// and anti-forgery tokens.
func NewToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand failed: %v", err))
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Equal reports, in constant time, whether two secrets (tokens, keys) are
// the same; an empty secret equals nothing.
func Equal(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// NewSecretKey returns a 40-character secret access key in AWS's alphabet.
func NewSecretKey() (string, error) {
	b := make([]byte, 30)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

// pbkdf2Iterations follows OWASP's 2023 advice for PBKDF2-HMAC-SHA256.
const pbkdf2Iterations = 600_000

// HashPassword returns an encoded PBKDF2-HMAC-SHA256 hash of password.
func HashPassword(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	return hashWith(password, salt, pbkdf2Iterations)
}

func hashWith(password string, salt []byte, iter int) (string, error) {
	dk, err := pbkdf2.Key(sha256.New, password, salt, iter, 32)
	if err != nil {
		return "", err
	}
	enc := base64.RawStdEncoding
	return "pbkdf2-sha256$" + strconv.Itoa(iter) + "$" + enc.EncodeToString(salt) + "$" + enc.EncodeToString(dk), nil
}

// CheckPassword reports, in constant time, whether password matches encoded.
func CheckPassword(encoded, password string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 4 || parts[0] != "pbkdf2-sha256" {
		return false
	}
	iter, err := strconv.Atoi(parts[1])
	if err != nil || iter < 1 || iter > 10_000_000 {
		return false
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[2])
	if err != nil {
		return false
	}
	got, err := hashWith(password, salt, iter)
	if err != nil {
		return false
	}
	return hmac.Equal([]byte(got), []byte(encoded))
}
