package e2e

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/wharf-project/wharf/internal/sigv4"
)

// benchTarget is a server with a user allowed iam:GetUser, and what a
// client needs to call GetUser as that user.
type benchTarget struct {
	url         string
	keyID       string
	secret      string
	body        []byte
	payloadHash string
	client      *http.Client
}

func newBenchTarget(b *testing.B) *benchTarget {
	b.Helper()
	srv := Start(b)
	ctx := context.Background()
	root := iam.NewFromConfig(sdkConfig(srv.RootKeyID, srv.RootKey, ""), func(o *iam.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	if _, err := root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bench")}); err != nil {
		b.Fatal(err)
	}
	if _, err := root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("bench"), PolicyName: aws.String("get-user"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam::` + srv.AccountID + `:user/*"}]}`)}); err != nil {
		b.Fatal(err)
	}
	k, err := root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("bench")})
	if err != nil {
		b.Fatal(err)
	}
	body := []byte(url.Values{"Action": {"GetUser"}, "Version": {"2010-05-08"}, "UserName": {"bench"}}.Encode())
	tr := &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256, IdleConnTimeout: time.Minute}
	b.Cleanup(tr.CloseIdleConnections)
	t := &benchTarget{url: srv.URL + "/", keyID: *k.AccessKey.AccessKeyId, secret: *k.AccessKey.SecretAccessKey,
		body: body, payloadHash: sigv4.HashPayload(body), client: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
	// One call up front: the benchmark measures a working, authorized call.
	if err := t.getUser(t.newRequest(b)); err != nil {
		b.Fatal(err)
	}
	return t
}

// newRequest prepares a request (URL, headers, body) to be signed and sent
// again and again.
func (t *benchTarget) newRequest(b *testing.B) *http.Request {
	r, err := http.NewRequest(http.MethodPost, t.url, bytes.NewReader(t.body))
	if err != nil {
		b.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	return r
}

type benchError struct {
	status int
	body   string
}

func (e *benchError) Error() string { return http.StatusText(e.status) + ": " + e.body }

// getUser re-signs r for now, sends it, and drains the answer so the
// connection is reused.
func (t *benchTarget) getUser(r *http.Request) error {
	r.Body = io.NopCloser(bytes.NewReader(t.body))
	r.ContentLength = int64(len(t.body))
	r.Header.Del("Authorization")
	sigv4.Sign(r, t.keyID, t.secret, "", "us-east-1", "iam", t.payloadHash, time.Now())
	resp, err := t.client.Do(r)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || !bytes.Contains(b, []byte("<UserName>bench</UserName>")) {
		return &benchError{resp.StatusCode, string(b)}
	}
	return nil
}

// BenchmarkIAMGetUserHTTP measures one authorized GetUser through the real
// HTTP stack (SigV4 verification, key lookup, policy evaluation, store read,
// XML rendering) over one keep-alive connection.
func BenchmarkIAMGetUserHTTP(b *testing.B) {
	t := newBenchTarget(b)
	r := t.newRequest(b)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := t.getUser(r); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

// BenchmarkIAMGetUserHTTPParallel is the same call from GOMAXPROCS (times
// -cpu) concurrent clients, each with its own keep-alive connection.
func BenchmarkIAMGetUserHTTPParallel(b *testing.B) {
	t := newBenchTarget(b)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		r := t.newRequest(b)
		for pb.Next() {
			if err := t.getUser(r); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}
