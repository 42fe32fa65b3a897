package e2e

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"
	"github.com/jackc/pgx/v5/pgconn"
)

// TestDatabaseUnreachable: a scale-out replica whose PostgreSQL becomes
// unreachable (every connection cut, new ones refused) says so — /readyz
// turns 503, API calls get 503 ServiceUnavailable with Retry-After, nothing
// is half-written — and serves again as soon as the database is back.
func TestDatabaseUnreachable(t *testing.T) {
	d := newScaleOut(t)
	dsn := argAfter(d.args, "--database-url")
	p := newTCPProxy(t, dsn)
	args := append([]string(nil), d.args...)
	for i, a := range args {
		if a == dsn {
			args[i] = p.dsn
		}
	}
	srv := startWithEnv(t, d.env, args...)
	ctx := context.Background()
	admin := rootIAM(srv)
	if _, err := admin.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("before")}); err != nil {
		t.Fatal(err)
	}

	p.cut()
	resp, err := http.Get(srv.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/readyz with the database unreachable: %d, want 503", resp.StatusCode)
	}
	_, err = admin.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("during")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "ServiceUnavailable" {
		t.Fatalf("CreateUser with the database unreachable: %v, want ServiceUnavailable", err)
	}
	// The raw answer: 503 and a retry hint.
	raw := newRawClient(t, srv)
	r, err := http.DefaultClient.Do(raw.request("iam", iamForm("ListUsers").Encode(), time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" {
		t.Errorf("ListUsers: status %d, Retry-After %q; want 503 with a hint", r.StatusCode, r.Header.Get("Retry-After"))
	}

	p.restore()
	out, err := admin.ListUsers(ctx, &iam.ListUsersInput{})
	if err != nil {
		t.Fatalf("ListUsers after the database came back: %v", err)
	}
	var names []string
	for _, u := range out.Users {
		names = append(names, aws.ToString(u.UserName))
	}
	if strings.Join(names, ",") != "before" {
		t.Errorf("users after the outage: %v, want only [before]: nothing half-written, nothing lost", names)
	}
}

// tcpProxy stands between wharf and PostgreSQL so that a test can cut the
// connection the way a network partition or a database restart does.
type tcpProxy struct {
	t      *testing.T
	ln     net.Listener
	target func() (net.Conn, error)
	dsn    string

	mu    sync.Mutex
	down  bool
	conns []net.Conn
}

func newTCPProxy(t *testing.T, dsn string) *tcpProxy {
	t.Helper()
	cfg, err := pgconn.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	host, port := cfg.Host, strconv.Itoa(int(cfg.Port))
	target := func() (net.Conn, error) {
		if strings.HasPrefix(host, "/") {
			return net.Dial("unix", host+"/.s.PGSQL."+port)
		}
		return net.Dial("tcp", net.JoinHostPort(host, port))
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{t: t, ln: ln, target: target}
	_, pport, _ := net.SplitHostPort(ln.Addr().String())
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		u.Host = "127.0.0.1:" + pport
		q := u.Query()
		q.Del("host")
		q.Del("port")
		q.Set("sslmode", "disable")
		u.RawQuery = q.Encode()
		p.dsn = u.String()
	} else {
		p.dsn = dsn + " host=127.0.0.1 port=" + pport + " sslmode=disable"
	}
	go p.serve()
	t.Cleanup(func() { ln.Close(); p.cut() })
	return p
}

func (p *tcpProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.down {
			p.mu.Unlock()
			c.Close()
			continue
		}
		up, err := p.target()
		if err != nil {
			p.mu.Unlock()
			c.Close()
			continue
		}
		p.conns = append(p.conns, c, up)
		p.mu.Unlock()
		go func() { _, _ = io.Copy(up, c); up.Close() }()
		go func() { _, _ = io.Copy(c, up); c.Close() }()
	}
}

// cut closes every connection and refuses new ones.
func (p *tcpProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// restore accepts connections again.
func (p *tcpProxy) restore() {
	p.mu.Lock()
	p.down = false
	p.mu.Unlock()
}
