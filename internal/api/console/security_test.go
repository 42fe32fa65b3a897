package console

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/wharf-project/wharf/internal/iam"
	"github.com/wharf-project/wharf/internal/store"
)

// TestNoPathToAnotherUsersKeys sweeps every console route, GET and POST, as
// an IAM user without permissions, aimed at another user (alice): no page
// shows alice's access key ID or password state changes, no form creates,
// deactivates or deletes her keys or touches her console password, and
// nothing answers 500. Route patterns come from the handler itself, so a
// page added later is swept too.
func TestNoPathToAnotherUsersKeys(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	const pw = "Mallory-Passw0rd!"
	if _, err := e.IAM.CreateUser(ctx, e.Root, iam.CreateUserInput{UserName: "alice"}); err != nil {
		t.Fatal(err)
	}
	key, err := e.IAM.CreateAccessKey(ctx, e.Root, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.IAM.CreateLoginProfile(ctx, e.Root, iam.CreateLoginProfileInput{UserName: "alice", Password: "Alice-Passw0rd!"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.IAM.CreateUser(ctx, e.Root, iam.CreateUserInput{UserName: "mallory"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.IAM.CreateLoginProfile(ctx, e.Root, iam.CreateLoginProfileInput{UserName: "mallory", Password: pw}); err != nil {
		t.Fatal(err)
	}
	keyID := key.ID
	b := e.browser()
	b.signIn("mallory", pw)

	fill := strings.NewReplacer("{name}", "alice", "{name...}", "alice", "{id}", keyID, "{policy}", "p",
		"{alias}", "alias", "{$}", "")
	form := url.Values{
		"key_id": {keyID}, "id": {keyID}, "status": {"Inactive"}, "user": {"alice"}, "username": {"alice"},
		"password": {"Hijack-Passw0rd!"}, "password_mode": {"custom"}, "new_password": {"Hijack-Passw0rd!"},
		"confirm_password": {"Hijack-Passw0rd!"}, "programmatic": {"1"}, "entity": {"user:alice"},
		"policy": {"arn:aws:iam::aws:policy/AdministratorAccess"}, "group": {"admins"},
		"principal": {"user:alice"}, "actions": {"iam:ListAccessKeys"}, "resources": {"*"},
	}
	swept := 0
	for _, rt := range e.Handler.routes() {
		method, pattern, _ := strings.Cut(rt.pattern, " ")
		path := fill.Replace(pattern)
		var status int
		var body string
		if method == http.MethodGet {
			status, body = b.get(path)
		} else {
			status, _, body = b.post(path, form)
		}
		swept++
		if status >= 500 {
			t.Errorf("%s %s: status %d\n%s", method, path, status, body)
		}
		if strings.Contains(body, keyID) {
			t.Errorf("%s %s shows alice's access key ID", method, path)
		}
	}
	if swept < 40 {
		t.Fatalf("swept only %d routes", swept)
	}
	var keys []store.AccessKey
	keys, _, err = e.IAM.ListAccessKeys(ctx, e.Root, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 || keys[0].ID != keyID || keys[0].Status != store.KeyActive {
		t.Errorf("alice's keys changed: %+v", keys)
	}
	lp, err := e.IAM.GetLoginProfile(ctx, e.Root, "alice")
	if err != nil || lp.PasswordResetRequired {
		t.Errorf("alice's login profile changed: %+v, %v", lp, err)
	}
	// Her password still signs her in; mallory's attempt did not replace it.
	b2 := e.browser()
	b2.signIn("alice", "Alice-Passw0rd!")
	t.Logf("swept %d routes as mallory", swept)
}
