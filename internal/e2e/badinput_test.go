package e2e

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wharf-project/wharf/internal/sigv4"
)

// rawClient sends hand-made Query requests to a server, signed with the
// repository's own SigV4 signer, and checks the envelope of every answer.
type rawClient struct {
	t      *testing.T
	srv    *Server
	hc     *http.Client
	keyID  string
	secret string
	region string
}

func newRawClient(t *testing.T, srv *Server) *rawClient {
	return &rawClient{t: t, srv: srv, hc: &http.Client{Timeout: 30 * time.Second}, keyID: srv.RootKeyID, secret: srv.RootKey, region: "us-east-1"}
}

// rawResponse is an answer with its parsed XML envelope.
type rawResponse struct {
	Status    int
	Header    http.Header
	Body      string
	Code      string // Error/Code of an ErrorResponse
	Message   string
	RequestID string // RequestId of the envelope (error or ResponseMetadata)
}

type xmlEnvelope struct {
	XMLName xml.Name
	Error   struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	} `xml:"Error"`
	RequestID        string `xml:"RequestId"`
	ResponseMetadata struct {
		RequestID string `xml:"RequestId"`
	} `xml:"ResponseMetadata"`
}

// form builds a Query request body.
func form(action, version string, kv ...string) url.Values {
	v := url.Values{}
	if action != "" {
		v.Set("Action", action)
	}
	if version != "" {
		v.Set("Version", version)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

func iamForm(action string, kv ...string) url.Values { return form(action, "2010-05-08", kv...) }

// request builds a POST carrying body, signed for service at `at` unless
// at is zero.
func (c *rawClient) request(service, body string, at time.Time) *http.Request {
	c.t.Helper()
	r, err := http.NewRequest(http.MethodPost, c.srv.URL+"/", strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	if !at.IsZero() {
		sigv4.Sign(r, c.keyID, c.secret, "", c.region, service, sigv4.HashPayload([]byte(body)), at)
	}
	return r
}

// do sends r and checks what every answer must have: no 5xx, an
// x-amzn-RequestId header, and an XML envelope carrying the same request ID.
func (c *rawClient) do(what string, r *http.Request) rawResponse {
	c.t.Helper()
	resp, err := c.hc.Do(r)
	if err != nil {
		c.t.Fatalf("%s: %v", what, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("%s: reading the body: %v", what, err)
	}
	return c.check(what, resp.StatusCode, resp.Header, b)
}

func (c *rawClient) check(what string, status int, h http.Header, b []byte) rawResponse {
	c.t.Helper()
	out := rawResponse{Status: status, Header: h, Body: string(b)}
	if status >= 500 {
		c.t.Errorf("%s: HTTP %d (a server error for a client's mistake):\n%s", what, status, b)
	}
	id := h.Get("x-amzn-RequestId")
	if id == "" {
		c.t.Errorf("%s: no x-amzn-RequestId header", what)
	}
	var env xmlEnvelope
	if err := xml.Unmarshal(b, &env); err != nil {
		c.t.Errorf("%s: HTTP %d body is not XML: %v\n%s", what, status, err, b)
		return out
	}
	if status >= 400 {
		if env.XMLName.Local != "ErrorResponse" || env.Error.Code == "" {
			c.t.Errorf("%s: HTTP %d body is not an <ErrorResponse> with a Code:\n%s", what, status, b)
		}
		out.Code, out.Message, out.RequestID = env.Error.Code, env.Error.Message, env.RequestID
		if want := "Sender"; status < 500 && env.Error.Type != want {
			c.t.Errorf("%s: Error/Type %q, want %q", what, env.Error.Type, want)
		}
	} else {
		out.RequestID = env.ResponseMetadata.RequestID
	}
	if out.RequestID != id {
		c.t.Errorf("%s: envelope RequestId %q differs from x-amzn-RequestId %q", what, out.RequestID, id)
	}
	return out
}

// want checks the status and code of an answer.
func (c *rawClient) want(what string, r *http.Request, status int, code string) rawResponse {
	c.t.Helper()
	res := c.do(what, r)
	if res.Status != status || res.Code != code {
		c.t.Errorf("%s: HTTP %d %s, want %d %s\n%s", what, res.Status, res.Code, status, code, res.Body)
	}
	return res
}

// call signs and sends a Query request now.
func (c *rawClient) call(service string, f url.Values) rawResponse {
	c.t.Helper()
	return c.do(f.Get("Action"), c.request(service, f.Encode(), time.Now()))
}

// users lists the account's user names through the raw API.
func (c *rawClient) users() []string {
	c.t.Helper()
	res := c.call("iam", iamForm("ListUsers", "MaxItems", "1000"))
	if res.Status != 200 {
		c.t.Fatalf("ListUsers: HTTP %d\n%s", res.Status, res.Body)
	}
	var out struct {
		Users []string `xml:"ListUsersResult>Users>member>UserName"`
	}
	if err := xml.Unmarshal([]byte(res.Body), &out); err != nil {
		c.t.Fatalf("ListUsers: %v", err)
	}
	slices.Sort(out.Users)
	return out.Users
}

// policies lists the account's customer-managed policy names.
func (c *rawClient) policies() []string {
	c.t.Helper()
	res := c.call("iam", iamForm("ListPolicies", "Scope", "Local", "MaxItems", "1000"))
	if res.Status != 200 {
		c.t.Fatalf("ListPolicies: HTTP %d\n%s", res.Status, res.Body)
	}
	var out struct {
		Names []string `xml:"ListPoliciesResult>Policies>member>PolicyName"`
	}
	if err := xml.Unmarshal([]byte(res.Body), &out); err != nil {
		c.t.Fatalf("ListPolicies: %v", err)
	}
	slices.Sort(out.Names)
	return out.Names
}

// unchanged fails when a failed request left users or policies behind.
func (c *rawClient) unchanged(after string, users, policies []string) {
	c.t.Helper()
	if got := c.users(); !slices.Equal(got, users) {
		c.t.Errorf("after %s: users %v, want %v (a failed request must not write)", after, got, users)
	}
	if got := c.policies(); !slices.Equal(got, policies) {
		c.t.Errorf("after %s: policies %v, want %v (a failed request must not write)", after, got, policies)
	}
}

func TestBadInput(t *testing.T) {
	srv := Start(t)
	c := newRawClient(t, srv)
	acct := srv.AccountID
	now := time.Now

	// A baseline to compare against: one user, one policy.
	if res := c.call("iam", iamForm("CreateUser", "UserName", "keeper")); res.Status != 200 {
		t.Fatalf("CreateUser keeper: %d %s", res.Status, res.Body)
	}
	good := allowDoc("iam:GetUser")
	if res := c.call("iam", iamForm("CreatePolicy", "PolicyName", "Kept", "PolicyDocument", good)); res.Status != 200 {
		t.Fatalf("CreatePolicy Kept: %d %s", res.Status, res.Body)
	}
	users, policies := []string{"keeper"}, []string{"Kept"}
	c.unchanged("setup", users, policies)

	send := func(what string, f url.Values, status int, code string) rawResponse {
		t.Helper()
		res := c.want(what, c.request("iam", f.Encode(), now()), status, code)
		c.unchanged(what, users, policies)
		return res
	}

	t.Run("MalformedPolicyJSON", func(t *testing.T) {
		for _, doc := range []string{
			`{"Version":"2012-10-17","Statement":[`,
			`not json`,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]} trailing`,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*","Effect":"Deny"}]}`,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser"}]}`,
			`{"Version":"2099-01-01","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`,
		} {
			send("CreatePolicy "+doc, iamForm("CreatePolicy", "PolicyName", "Broken", "PolicyDocument", doc), 400, "MalformedPolicyDocument")
		}
		send("PutUserPolicy with broken JSON", iamForm("PutUserPolicy", "UserName", "keeper", "PolicyName", "inline", "PolicyDocument", `{"Statement":`), 400, "MalformedPolicyDocument")
		res := c.call("iam", iamForm("ListUserPolicies", "UserName", "keeper"))
		if strings.Contains(res.Body, "<member>inline</member>") {
			t.Errorf("a malformed inline policy was stored:\n%s", res.Body)
		}
	})

	t.Run("OversizeManagedPolicy", func(t *testing.T) {
		// Whitespace does not count toward the 6,144-character quota; the rest does.
		stmt := func(i int) string {
			return fmt.Sprintf(`{"Sid":"S%04d","Effect":"Allow","Action":"ecr-public:DescribeImages","Resource":"arn:aws:ecr-public::%s:repository/r%04d"}`, i, acct, i)
		}
		build := func(n int, sep string) string {
			var ss []string
			for i := range n {
				ss = append(ss, stmt(i))
			}
			return `{"Version":"2012-10-17","Statement":[` + strings.Join(ss, ","+sep) + `]}`
		}
		n := 0
		for nonSpaceLen(build(n+1, "")) <= 6144 {
			n++
		}
		big := build(n+1, "")
		send(fmt.Sprintf("CreatePolicy with %d non-space characters", nonSpaceLen(big)), iamForm("CreatePolicy", "PolicyName", "Huge", "PolicyDocument", big), 409, "LimitExceeded")
		// Just under the quota, padded with whitespace beyond it: accepted.
		fits := build(n, strings.Repeat(" ", 200))
		if nonSpaceLen(fits) > 6144 || len(fits) <= 6144 {
			t.Fatalf("test bug: fits has %d non-space of %d characters", nonSpaceLen(fits), len(fits))
		}
		res := c.call("iam", iamForm("CreatePolicy", "PolicyName", "Fits", "PolicyDocument", fits))
		if res.Status != 200 {
			t.Errorf("CreatePolicy with %d non-space characters (%d in all): HTTP %d %s", nonSpaceLen(fits), len(fits), res.Status, res.Body)
		} else {
			c.call("iam", iamForm("DeletePolicy", "PolicyArn", "arn:aws:iam::"+acct+":policy/Fits"))
		}
		c.unchanged("CreatePolicy Fits and DeletePolicy", users, policies)
		// A new version over the quota is refused too, and the policy keeps one version.
		send("CreatePolicyVersion over the quota", iamForm("CreatePolicyVersion", "PolicyArn", "arn:aws:iam::"+acct+":policy/Kept", "PolicyDocument", big, "SetAsDefault", "true"), 409, "LimitExceeded")
		res = c.call("iam", iamForm("ListPolicyVersions", "PolicyArn", "arn:aws:iam::"+acct+":policy/Kept"))
		if strings.Count(res.Body, "<VersionId>") != 1 {
			t.Errorf("ListPolicyVersions after a refused version:\n%s", res.Body)
		}
	})

	t.Run("BadUserNames", func(t *testing.T) {
		for _, name := range []string{"has space", strings.Repeat("a", 65), "", "slash/name", "tab\tname", "ünïcode"} {
			send(fmt.Sprintf("CreateUser %q", name), iamForm("CreateUser", "UserName", name), 400, "ValidationError")
		}
		send("CreateUser with a bad path", iamForm("CreateUser", "UserName", "pathy", "Path", "no-slashes"), 400, "ValidationError")
		// 64 characters is the limit, and allowed.
		long := strings.Repeat("a", 64)
		if res := c.call("iam", iamForm("CreateUser", "UserName", long)); res.Status != 200 {
			t.Errorf("CreateUser with 64 characters: HTTP %d %s", res.Status, res.Body)
		}
		c.call("iam", iamForm("DeleteUser", "UserName", long))
		c.unchanged("CreateUser/DeleteUser of a 64-character name", users, policies)
	})

	t.Run("UnknownActionAndVersion", func(t *testing.T) {
		send("unknown Action", iamForm("CreateUserPlease", "UserName", "x"), 400, "InvalidAction")
		send("unknown STS-only Action on IAM", iamForm("AssumeRole", "UserName", "x"), 400, "InvalidAction")
		res := c.do("no Action", c.request("iam", iamForm("").Encode(), now()))
		if res.Status != 400 || res.Code == "" {
			t.Errorf("no Action: HTTP %d %s", res.Status, res.Code)
		}
		res = c.do("missing Version", c.request("iam", form("CreateUser", "", "UserName", "noversion").Encode(), now()))
		if res.Status != 400 || res.Code == "" {
			t.Errorf("missing Version: HTTP %d %s, want 400", res.Status, res.Code)
		}
		t.Logf("missing Version: %d %s: %s", res.Status, res.Code, res.Message)
		res = c.do("unknown Version", c.request("iam", form("CreateUser", "1999-01-01", "UserName", "badversion").Encode(), now()))
		if res.Status != 400 || res.Code == "" {
			t.Errorf("unknown Version: HTTP %d %s, want 400", res.Status, res.Code)
		}
		c.unchanged("Action/Version errors", users, policies)
		// A body that is not a form.
		r := c.request("iam", `{"Action":"CreateUser","UserName":"json"}`, time.Time{})
		r.Header.Set("Content-Type", "application/json")
		sigv4.Sign(r, c.keyID, c.secret, "", c.region, "iam", sigv4.HashPayload([]byte(`{"Action":"CreateUser","UserName":"json"}`)), now())
		if res := c.do("JSON body", r); res.Status != 400 {
			t.Errorf("JSON body: HTTP %d %s", res.Status, res.Code)
		}
		// A body over the server's limit.
		huge := iamForm("CreateUser", "UserName", "huge", "Pad", strings.Repeat("x", 2<<20)).Encode()
		if res := c.do("2 MiB body", c.request("iam", huge, now())); res.Status < 400 || res.Status >= 500 {
			t.Errorf("2 MiB body: HTTP %d %s, want 4xx", res.Status, res.Code)
		}
		c.unchanged("non-form and oversize bodies", users, policies)
	})

	t.Run("TruncatedBody", func(t *testing.T) {
		body := iamForm("CreateUser", "UserName", "truncated").Encode()
		for _, declared := range []int{len(body) + 1, len(body) + 500} {
			r := c.request("iam", body, now())
			u, _ := url.Parse(srv.URL)
			conn, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			fmt.Fprintf(&b, "POST / HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\nConnection: close\r\n", u.Host, declared)
			for k, vs := range r.Header {
				for _, v := range vs {
					fmt.Fprintf(&b, "%s: %s\r\n", k, v)
				}
			}
			b.WriteString("\r\n")
			b.WriteString(body)
			_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
			if _, err := io.WriteString(conn, b.String()); err != nil {
				t.Fatal(err)
			}
			_ = conn.(*net.TCPConn).CloseWrite() // the client is done: the body ends short
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("Content-Length %d for %d bytes: no HTTP response: %v", declared, len(body), err)
			}
			rb, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			conn.Close()
			res := c.check(fmt.Sprintf("Content-Length %d for %d bytes", declared, len(body)), resp.StatusCode, resp.Header, rb)
			if res.Status < 400 || res.Status >= 500 {
				t.Errorf("Content-Length %d for %d bytes: HTTP %d %s, want 4xx", declared, len(body), res.Status, res.Code)
			}
			t.Logf("truncated body: %d %s", res.Status, res.Code)
			c.unchanged("a truncated CreateUser", users, policies)
		}
	})

	t.Run("Signatures", func(t *testing.T) {
		lu := iamForm("ListUsers").Encode()
		cu := iamForm("CreateUser", "UserName", "sneaky").Encode()

		// A signature with one character changed.
		r := c.request("iam", cu, now())
		a := r.Header.Get("Authorization")
		last := a[len(a)-1]
		flip := byte('0')
		if last == '0' {
			flip = '1'
		}
		r.Header.Set("Authorization", a[:len(a)-1]+string(flip))
		c.want("flipped signature", r, 403, "SignatureDoesNotMatch")
		c.unchanged("a bad signature", users, policies)

		// A body changed after signing.
		r = c.request("iam", lu, now())
		r2, _ := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader(cu))
		r2.Header = r.Header.Clone()
		c.want("body swapped after signing", r2, 403, "SignatureDoesNotMatch")
		c.unchanged("a swapped body", users, policies)

		// Stale and future dates.
		c.want("X-Amz-Date 20 minutes old", c.request("iam", cu, now().Add(-20*time.Minute)), 400, "RequestExpired")
		c.want("X-Amz-Date 20 minutes ahead", c.request("iam", cu, now().Add(20*time.Minute)), 400, "RequestExpired")
		c.unchanged("stale requests", users, policies)

		// Replay: SigV4 has no nonce, so a captured request is good for its
		// 15-minute window (twice, as AWS accepts it) and refused after.
		inWindow := c.request("iam", lu, now().Add(-14*time.Minute))
		for i := range 2 {
			replay, _ := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader(lu))
			replay.Header = inWindow.Header.Clone()
			if res := c.do("replay within the window", replay); res.Status != 200 {
				t.Errorf("replay %d of a request signed 14 minutes ago: HTTP %d %s", i+1, res.Status, res.Code)
			}
		}
		old := c.request("iam", cu, now().Add(-15*time.Minute-30*time.Second))
		replay, _ := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader(cu))
		replay.Header = old.Header.Clone()
		c.want("replay of a request signed 15.5 minutes ago", replay, 400, "RequestExpired")
		c.unchanged("replays", users, policies)

		// No Authorization at all.
		c.want("no Authorization", c.request("iam", cu, time.Time{}), 403, "MissingAuthenticationToken")
		c.want("no Authorization (STS)", c.request("sts", form("GetCallerIdentity", "2011-06-15").Encode(), time.Time{}), 403, "MissingAuthenticationToken")
		// A garbage AWS4 Authorization header is an incomplete signature.
		for _, h := range []string{
			"AWS4-HMAC-SHA256 garbage",
			"AWS4-HMAC-SHA256",
			"AWS4-HMAC-SHA256 Credential=" + c.keyID + ", SignedHeaders=host;x-amz-date",
			"AWS4-HMAC-SHA512 Credential=" + c.keyID + "/20240101/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date, Signature=00",
		} {
			r := c.request("iam", cu, now())
			r.Header.Set("Authorization", h)
			c.want("Authorization: "+h, r, 400, "IncompleteSignature")
		}
		// A header in another scheme is no AWS signature at all: internal/sigv4
		// answers these as missing (TestParseErrors "bearer", "sigv2").
		for _, h := range []string{"garbage", "Bearer abc.def"} {
			r := c.request("iam", cu, now())
			r.Header.Set("Authorization", h)
			c.want("Authorization: "+h, r, 403, "MissingAuthenticationToken")
		}
		c.unchanged("unauthenticated requests", users, policies)

		// An unknown access key.
		u := *c
		u.keyID = "AKIAIOSFODNN7EXAMPLE"
		u.want("unknown access key", u.request("iam", cu, now()), 403, "InvalidClientTokenId")
		// Signed for the wrong service.
		r = c.request("sts", cu, now())
		if res := c.do("IAM request signed for sts", r); res.Status < 400 || res.Status >= 500 {
			t.Errorf("IAM request signed for sts: HTTP %d %s", res.Status, res.Code)
		}
		c.unchanged("wrong keys and scopes", users, policies)
	})

	t.Run("Presigned", func(t *testing.T) {
		get := func(rawQuery string, at time.Time, expires time.Duration, service string) *http.Request {
			r, err := http.NewRequest(http.MethodGet, srv.URL+"/?"+rawQuery, nil)
			if err != nil {
				t.Fatal(err)
			}
			signed := sigv4.Presign(r, c.keyID, c.secret, "", c.region, service, "", at, expires)
			r2, err := http.NewRequest(http.MethodGet, signed, nil)
			if err != nil {
				t.Fatal(err)
			}
			return r2
		}
		res := c.do("presigned GetCallerIdentity", get("Action=GetCallerIdentity&Version=2011-06-15", now(), 15*time.Minute, "sts"))
		if res.Status != 200 || !strings.Contains(res.Body, "<Arn>arn:aws:iam::"+acct+":root</Arn>") {
			t.Errorf("presigned GetCallerIdentity: HTTP %d\n%s", res.Status, res.Body)
		}
		res = c.do("presigned ListUsers", get("Action=ListUsers&Version=2010-05-08", now(), time.Minute, "iam"))
		if res.Status != 200 || !strings.Contains(res.Body, "<UserName>keeper</UserName>") {
			t.Errorf("presigned ListUsers: HTTP %d\n%s", res.Status, res.Body)
		}
		// Expired, and tampered with after signing.
		res = c.do("expired presigned URL", get("Action=GetCallerIdentity&Version=2011-06-15", now().Add(-time.Hour), 15*time.Minute, "sts"))
		if res.Status < 400 {
			t.Errorf("expired presigned URL: HTTP %d", res.Status)
		}
		t.Logf("expired presigned URL: %d %s: %s", res.Status, res.Code, res.Message)
		r := get("Action=ListUsers&Version=2010-05-08", now(), time.Minute, "iam")
		r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "Action=ListUsers", "Action=ListRoles", 1)
		c.want("presigned URL with a changed Action", r, 403, "SignatureDoesNotMatch")
		// A presigned mutating request works too, and then exists exactly once.
		r = get(iamForm("CreateUser", "UserName", "presigned").Encode(), now(), time.Minute, "iam")
		if res := c.do("presigned CreateUser", r); res.Status != 200 {
			t.Errorf("presigned CreateUser: HTTP %d %s", res.Status, res.Body)
		}
		r2, _ := http.NewRequest(http.MethodGet, r.URL.String(), nil)
		c.want("replayed presigned CreateUser", r2, 409, "EntityAlreadyExists")
		c.unchanged("presigned requests", []string{"keeper", "presigned"}, policies)
		c.call("iam", iamForm("DeleteUser", "UserName", "presigned"))
	})

	t.Run("ErrorsCarryRequestIDs", func(t *testing.T) {
		// Distinct requests get distinct IDs, for errors and successes alike.
		seen := map[string]bool{}
		for i := range 5 {
			for _, f := range []url.Values{iamForm("GetUser", "UserName", "nobody"), iamForm("ListUsers")} {
				res := c.call("iam", f)
				if seen[res.RequestID] {
					t.Errorf("request %d: RequestId %s reused", i, res.RequestID)
				}
				seen[res.RequestID] = true
			}
		}
		res := c.call("iam", iamForm("GetUser", "UserName", "nobody"))
		if res.Status != 404 || res.Code != "NoSuchEntity" {
			t.Errorf("GetUser nobody: HTTP %d %s", res.Status, res.Code)
		}
		if !strings.Contains(res.Header.Get("Content-Type"), "xml") {
			t.Errorf("error Content-Type %q", res.Header.Get("Content-Type"))
		}
	})
}

func nonSpaceLen(s string) int {
	n := 0
	for _, r := range s {
		if r != ' ' && r != '\t' && r != '\n' && r != '\r' {
			n++
		}
	}
	return n
}
