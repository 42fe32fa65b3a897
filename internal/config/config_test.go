package config

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestDefaults(t *testing.T) {
	c, err := Load(nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:5000" || c.DataDir != "wharf-data" || c.AccountID != "123456789012" || c.PublicURL != "" ||
		c.SecretKeyFile != filepath.Join("wharf-data", "secret.key") || c.LogFormat != "text" || c.ShutdownTimeout != 30*time.Second {
		t.Errorf("defaults: %+v", c)
	}
}

// TestPrecedence: file < environment < flags.
func TestPrecedence(t *testing.T) {
	file := filepath.Join(t.TempDir(), "wharf.json")
	os.WriteFile(file, []byte(`{"addr": "0.0.0.0:7000", "dataDir": "/from/file", "accountID": "111111111111", "logFormat": "json", "shutdownTimeout": "5s"}`), 0o600)
	c, err := Load([]string{"--config", file, "--account-id", "333333333333"}, env(map[string]string{
		"WHARF_DATA_DIR": "/from/env", "WHARF_ACCOUNT_ID": "222222222222", "WHARF_PUBLIC_URL": "https://registry.example.com",
		"WHARF_ROOT_ACCESS_KEY_ID": "AKIAEXAMPLEEXAMPLE12", "WHARF_ROOT_SECRET_ACCESS_KEY": "secretsecretsecretsecret",
	}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "0.0.0.0:7000" || c.DataDir != "/from/env" || c.AccountID != "333333333333" || c.LogFormat != "json" ||
		c.ShutdownTimeout != 5*time.Second || c.PublicURL != "https://registry.example.com" || c.RootAccessKeyID != "AKIAEXAMPLEEXAMPLE12" {
		t.Errorf("precedence: %+v", c)
	}
}

func TestInvalid(t *testing.T) {
	for name, tc := range map[string]struct {
		args []string
		env  map[string]string
		want string
	}{
		"account":        {args: []string{"--account-id", "12"}, want: "account-id"},
		"addr":           {args: []string{"--addr", "nonsense"}, want: "addr"},
		"public url":     {args: []string{"--public-url", "ftp://x"}, want: "public-url"},
		"log level":      {args: []string{"--log-level", "loud"}, want: "log-level"},
		"log format":     {args: []string{"--log-format", "xml"}, want: "log-format"},
		"half root key":  {env: map[string]string{"WHARF_ROOT_ACCESS_KEY_ID": "AKIA"}, want: "go together"},
		"bad env dur":    {env: map[string]string{"WHARF_SHUTDOWN_TIMEOUT": "soon"}, want: "WHARF_SHUTDOWN_TIMEOUT"},
		"stray argument": {args: []string{"extra"}, want: "unexpected argument"},
		"unknown field":  {env: map[string]string{"WHARF_CONFIG": writeTemp(t, `{"adr": "x"}`)}, want: "unknown field"},
		"bad proxy":      {args: []string{"--trusted-proxies", "10.0.0.0/8,proxy.example"}, want: "trusted-proxies"},
		"bad proxy env":  {env: map[string]string{"WHARF_TRUSTED_PROXIES": "10.0.0.0/40"}, want: "trusted-proxies"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Load(tc.args, env(tc.env), io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

func writeTemp(t *testing.T, s string) string {
	p := filepath.Join(t.TempDir(), "c.json")
	os.WriteFile(p, []byte(s), 0o600)
	return p
}

func TestScaleOut(t *testing.T) {
	c, err := Load([]string{"--database-url", "postgres://wharf@db:5432/wharf", "--blob-store", "s3://images/wharf?endpoint=http://127.0.0.1:7070&region=eu-west-1&path-style=true&lease-ttl=30s&redirect=15m"},
		env(map[string]string{"WHARF_S3_ACCESS_KEY_ID": "K", "WHARF_S3_SECRET_ACCESS_KEY": "S"}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	loc, ok, err := c.S3()
	if err != nil || !ok || loc != (S3Location{Bucket: "images", Prefix: "wharf", Endpoint: "http://127.0.0.1:7070", Region: "eu-west-1", PathStyle: true, LeaseTTL: 30 * time.Second, Redirect: 15 * time.Minute}) {
		t.Errorf("S3 = %+v %v %v", loc, ok, err)
	}
	for _, bad := range [][]string{
		{"--database-url", "mysql://x"},
		{"--blob-store", "gs://bucket"},
		{"--blob-store", "s3://bucket?colour=red"},
		{"--blob-store", "s3://bucket?path-style=maybe"},
		{"--blob-store", "s3://bucket?lease-ttl=5ms"},
		{"--blob-store", "s3://bucket?redirect=10s"},
		{"--blob-store", "s3://bucket?redirect=200h"},
	} {
		if _, err := Load(bad, env(nil), io.Discard); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

// TestGC: the garbage collector's schedule, grace period and untagged
// manifests, from the defaults, a file, the environment and flags.
func TestGC(t *testing.T) {
	c, err := Load(nil, env(nil), io.Discard)
	if err != nil || c.GCInterval != 24*time.Hour || c.GCGrace != time.Hour || c.GCDeleteUntagged {
		t.Errorf("defaults: %v, %v, %v (%v)", c.GCInterval, c.GCGrace, c.GCDeleteUntagged, err)
	}
	file := writeTemp(t, `{"gcInterval": "6h", "gcGrace": "30m", "gcDeleteUntagged": true}`)
	c, err = Load([]string{"--config", file}, env(nil), io.Discard)
	if err != nil || c.GCInterval != 6*time.Hour || c.GCGrace != 30*time.Minute || !c.GCDeleteUntagged {
		t.Errorf("file: %v, %v, %v (%v)", c.GCInterval, c.GCGrace, c.GCDeleteUntagged, err)
	}
	c, err = Load([]string{"--config", file, "--gc-grace", "2s", "--gc-delete-untagged", "false"},
		env(map[string]string{"WHARF_GC_INTERVAL": "0", "WHARF_GC_GRACE": "5m"}), io.Discard)
	if err != nil || c.GCInterval != 0 || c.GCGrace != 2*time.Second || c.GCDeleteUntagged {
		t.Errorf("environment and flags: %v, %v, %v (%v)", c.GCInterval, c.GCGrace, c.GCDeleteUntagged, err)
	}
	for name, tc := range map[string]struct {
		args []string
		env  map[string]string
		want string
	}{
		"negative interval": {args: []string{"--gc-interval", "-1h"}, want: "gc-interval"},
		"negative grace":    {env: map[string]string{"WHARF_GC_GRACE": "-1s"}, want: "gc-grace"},
		"bad interval":      {env: map[string]string{"WHARF_GC_INTERVAL": "daily"}, want: "WHARF_GC_INTERVAL"},
		"bad flag":          {args: []string{"--gc-grace", "a while"}, want: "--gc-grace"},
		"bad untagged":      {args: []string{"--gc-delete-untagged", "yes"}, want: "--gc-delete-untagged"},
		"bad file":          {args: []string{"--config", writeTemp(t, `{"gcGrace": "1 hour"}`)}, want: "gcGrace"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Load(tc.args, env(tc.env), io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

func TestTrustedProxies(t *testing.T) {
	c, err := Load(nil, env(map[string]string{"WHARF_TRUSTED_PROXIES": "10.0.0.0/8"}), io.Discard)
	if err != nil || c.TrustedProxies != "10.0.0.0/8" {
		t.Fatalf("from the environment: %q, %v", c.TrustedProxies, err)
	}
	c, err = Load([]string{"--trusted-proxies", "192.0.2.1, fd00::/8"}, env(map[string]string{"WHARF_TRUSTED_PROXIES": "10.0.0.0/8"}), io.Discard)
	if err != nil || c.TrustedProxies != "192.0.2.1, fd00::/8" {
		t.Fatalf("the flag over the environment: %q, %v", c.TrustedProxies, err)
	}
	if c, err := Load(nil, env(nil), io.Discard); err != nil || c.TrustedProxies != "" {
		t.Fatalf("default: %q, %v (want none trusted)", c.TrustedProxies, err)
	}
}
