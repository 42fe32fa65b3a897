package sigv4_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/wharf-project/wharf/internal/sigv4"
)

// A Wharf handler authenticates an IAM Query-protocol request: Parse, look
// the key up, check the service, Verify with the body's hash.
func Example() {
	secrets := map[string]string{"AKIDEXAMPLE": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}
	now := time.Date(2024, 1, 1, 0, 0, 30, 0, time.UTC)

	authenticate := func(r *http.Request, body []byte) error {
		sig, err := sigv4.Parse(r)
		if err != nil {
			return err
		}
		secret, ok := secrets[sig.AccessKeyID]
		if !ok {
			return sigv4.InvalidClientTokenID()
		}
		if err := sig.CheckService("iam"); err != nil {
			return err
		}
		return sig.Verify(r, secret, sigv4.HashPayload(body), now)
	}

	body := "Action=ListUsers&Version=2010-05-08"
	r, _ := http.NewRequest("POST", "http://localhost:8080/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sigv4.Sign(r, "AKIDEXAMPLE", secrets["AKIDEXAMPLE"], "", "us-east-1", "iam",
		sigv4.HashPayload([]byte(body)), now.Add(-30*time.Second))

	fmt.Println(authenticate(r, []byte(body)))
	err := authenticate(r, []byte(body+"&PathPrefix=/admin/"))
	var e *sigv4.Error
	if errors.As(err, &e) {
		fmt.Println(e.Status, e.Code)
	}
	// Output:
	// <nil>
	// 403 SignatureDoesNotMatch
}
