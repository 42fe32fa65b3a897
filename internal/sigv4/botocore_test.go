package sigv4_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/wharf-project/wharf/internal/sigv4"
)

// botocoreScript signs a handful of requests with botocore's SigV4Auth and
// SigV4QueryAuth (the signers behind the AWS CLI and boto3) at a fixed time
// and prints them as JSON.
const botocoreScript = `import datetime, json
import botocore.auth as A
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

A.get_current_datetime = lambda *a, **k: datetime.datetime(2024, 1, 1, 0, 0, 0)

def out(name, service, req):
    p = req.prepare()
    body = p.body or b""
    if isinstance(body, str):
        body = body.encode()
    return {"name": name, "service": service, "method": p.method, "url": p.url,
            "headers": {k: v for k, v in p.headers.items()}, "body": body.decode()}

res = []
plain = Credentials("AKIDBOTOCORE", "botocore/Secret+Key", None)
temp = Credentials("AKIDBOTOCORE", "botocore/Secret+Key", "IQoJb3JpZ2luX2VjEXAMPLE//token+with/slashes==")

r = AWSRequest(method="POST", url="http://localhost:8080/",
               data="Action=ListUsers&Version=2010-05-08&PathPrefix=%2Fdivision_abc%2F",
               headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
A.SigV4Auth(plain, "iam", "us-east-1").add_auth(r)
res.append(out("iam-form", "iam", r))

r = AWSRequest(method="POST", url="https://sts.wharf.example:8443/",
               data="Action=GetCallerIdentity&Version=2011-06-15",
               headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
A.SigV4Auth(temp, "sts", "eu-west-3").add_auth(r)
res.append(out("sts-form-token", "sts", r))

r = AWSRequest(method="GET", url="https://wharf.example/some%20path/caf%C3%A9/",
               params={"b": "2", "a": "x y", "c": "/~+"})
A.SigV4Auth(plain, "iam", "us-east-1").add_auth(r)
res.append(out("get-params-odd-path", "iam", r))

r = AWSRequest(method="POST", url="https://api.ecr-public.wharf.example/",
               data='{"repositoryName":"team/app"}',
               headers={"Content-Type": "application/x-amz-json-1.1",
                        "X-Amz-Target": "SpencerFrontendService.CreateRepository"})
A.SigV4Auth(plain, "ecr-public", "us-east-1").add_auth(r)
res.append(out("ecr-public-json", "ecr-public", r))

r = AWSRequest(method="GET", url="https://sts.wharf.example/",
               params={"Action": "GetCallerIdentity", "Version": "2011-06-15"})
A.SigV4QueryAuth(temp, "sts", "us-east-1", expires=900).add_auth(r)
res.append(out("sts-presigned", "sts", r))

print(json.dumps(res))
`

type botocoreRequest struct {
	Name    string            `json:"name"`
	Service string            `json:"service"`
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
}

// TestBotocore verifies requests signed by botocore, as the AWS CLI and
// boto3 send them to Wharf with --endpoint-url.
func TestBotocore(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed")
	}
	var stderr bytes.Buffer
	cmd := exec.Command(python, "-c", botocoreScript)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil && strings.Contains(stderr.String(), "No module named 'botocore'") {
		t.Skip("botocore not installed")
	}
	if err != nil {
		t.Fatalf("botocore script: %v\n%s", err, stderr.String())
	}
	var reqs []botocoreRequest
	if err := json.Unmarshal(out, &reqs); err != nil {
		t.Fatal(err)
	}
	if len(reqs) != 5 {
		t.Fatalf("%d requests", len(reqs))
	}
	signed := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, br := range reqs {
		t.Run(br.Name, func(t *testing.T) {
			req := newReq(t, br.Method, br.URL, br.Body)
			for k, v := range br.Headers {
				if !strings.EqualFold(k, "Content-Length") {
					req.Header.Set(k, v)
				}
			}
			sr, body := toServer(t, req)
			sig, err := sigv4.Parse(sr)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if sig.AccessKeyID != "AKIDBOTOCORE" || sig.Service != br.Service || !sig.Time.Equal(signed) {
				t.Fatalf("Parse = %+v", sig)
			}
			if err := sig.CheckService(br.Service); err != nil {
				t.Fatal(err)
			}
			if err := sig.Verify(sr, "botocore/Secret+Key", sigv4.HashPayload(body), signed.Add(5*time.Minute)); err != nil {
				t.Fatalf("Verify: %v\n%s", err, describe(err))
			}
			if err := sig.Verify(sr, "botocore/Secret+Kex", sigv4.HashPayload(body), signed.Add(5*time.Minute)); !isCode(err, sigv4.CodeSignatureDoesNotMatch) {
				t.Fatalf("wrong secret: %v", err)
			}
			if len(body) > 0 {
				tampered := append(bytes.Clone(body), ' ')
				var e *sigv4.Error
				if err := sig.Verify(sr, "botocore/Secret+Key", sigv4.HashPayload(tampered), signed); !errors.As(err, &e) || e.Code != sigv4.CodeSignatureDoesNotMatch {
					t.Fatalf("tampered body: %v", err)
				}
			}
		})
	}
}
