package e2e

import (
	"context"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecrpublic"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// forwardedFor is an HTTP client that adds X-Forwarded-For to every
// request after the SDK has signed it, as a proxy in front of Wharf does.
type forwardedFor string

func (f forwardedFor) Do(r *http.Request) (*http.Response, error) {
	if f != "" {
		r.Header.Set("X-Forwarded-For", string(f))
	}
	return http.DefaultClient.Do(r)
}

// TestSourceIPBehindProxy: with --trusted-proxies naming the proxy (here
// the test itself, on loopback), a policy's aws:SourceIp condition tests
// the client address the proxy forwards; without it, the header is
// ignored, so no client can claim an address to pass the condition.
func TestSourceIPBehindProxy(t *testing.T) {
	const policy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:DescribeRepositories","Resource":"*",
		"Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]}`
	for _, c := range []struct {
		name  string
		flags []string
		// want is the outcome per X-Forwarded-For value ("" sends none).
		want map[string]bool
	}{
		{"trusted proxy", []string{"--trusted-proxies", "127.0.0.1,::1"}, map[string]bool{
			"203.0.113.7":               true,
			"198.51.100.1":              false,
			"":                          false, // the proxy's own address
			"203.0.113.7, 198.51.100.1": false, // the rightmost untrusted hop is the client
			"198.51.100.1, 203.0.113.7": true,  // what the client wrote left of it is not believed
		}},
		{"no trusted proxy", nil, map[string]bool{
			"203.0.113.7": false,
			"":            false,
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := Start(t, c.flags...)
			ctx := context.Background()
			root := rootIAM(srv)
			_, _, key := newUserWithKey(t, srv, root, "ci")
			must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{
				UserName: aws.String("ci"), PolicyName: aws.String("from-the-office"), PolicyDocument: aws.String(policy)}))
			for xff, allowed := range c.want {
				cfg := sdkConfig(*key.AccessKeyId, *key.SecretAccessKey, "")
				cfg.HTTPClient = forwardedFor(xff)
				ecr := ecrpublic.NewFromConfig(cfg, func(o *ecrpublic.Options) {
					o.BaseEndpoint = aws.String(srv.URL)
					o.Region = "us-east-1"
				})
				_, err := ecr.DescribeRepositories(ctx, &ecrpublic.DescribeRepositoriesInput{})
				switch {
				case allowed && err != nil:
					t.Errorf("X-Forwarded-For %q: %v, want allowed", xff, err)
				case !allowed && apiCode(err) != "AccessDeniedException":
					t.Errorf("X-Forwarded-For %q: %v, want AccessDeniedException", xff, err)
				}
			}
		})
	}
}
