package httpx

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestParseTrustedProxies(t *testing.T) {
	got, err := ParseTrustedProxies(" 10.0.0.0/8, 192.0.2.7 ,fd00::/8,, 10.1.2.3/16, ::ffff:198.51.100.1")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"10.0.0.0/8", "192.0.2.7/32", "fd00::/8", "10.1.0.0/16", "198.51.100.1/32"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i].String() != want[i] {
			t.Errorf("entry %d: got %s, want %s", i, got[i], want[i])
		}
	}
	if none, err := ParseTrustedProxies(""); err != nil || len(none) != 0 {
		t.Errorf(`"": %v, %v`, none, err)
	}
	for _, bad := range []string{"10.0.0.0/33", "example.com", "10.0.0.1:80", "fe80::1%eth0", "10.0.0/8"} {
		if _, err := ParseTrustedProxies(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestClientAddr(t *testing.T) {
	proxies, err := ParseTrustedProxies("10.0.0.0/8, 2001:db8:ffff::/48")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		peer string
		xff  []string
		want string
	}{
		{"an untrusted peer's header is ignored", "198.51.100.9:5555", []string{"203.0.113.7"}, "198.51.100.9"},
		{"a trusted peer without a header", "10.1.1.1:5555", nil, "10.1.1.1"},
		{"one proxy", "10.1.1.1:5555", []string{"203.0.113.7"}, "203.0.113.7"},
		{"a client's forged entry is left of its address", "10.1.1.1:5555", []string{"1.2.3.4, 203.0.113.7"}, "203.0.113.7"},
		{"two proxies", "10.1.1.1:5555", []string{"203.0.113.7, 10.2.2.2"}, "203.0.113.7"},
		{"headers in order", "10.1.1.1:5555", []string{"1.2.3.4", "203.0.113.7", "10.2.2.2"}, "203.0.113.7"},
		{"all trusted: the leftmost", "10.1.1.1:5555", []string{"10.3.3.3, 10.2.2.2"}, "10.3.3.3"},
		{"garbage ends the walk at the last proxy believed", "10.1.1.1:5555", []string{"203.0.113.7, unknown"}, "10.1.1.1"},
		{"garbage left of the client does not matter", "10.1.1.1:5555", []string{"<script>, 203.0.113.7"}, "203.0.113.7"},
		{"entries with ports", "10.1.1.1:5555", []string{"203.0.113.7:4711"}, "203.0.113.7"},
		{"IPv6 behind an IPv6 proxy", "[2001:db8:ffff::1]:5555", []string{"[2001:db8:1::7]:4711"}, "2001:db8:1::7"},
		{"IPv6 bare", "[2001:db8:ffff::1]:5555", []string{"2001:db8:1::7"}, "2001:db8:1::7"},
		{"a v4-mapped peer is the v4 address", "[::ffff:10.1.1.1]:5555", []string{"203.0.113.7"}, "203.0.113.7"},
		{"a zone is no address", "10.1.1.1:5555", []string{"fe80::1%eth0"}, "10.1.1.1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = c.peer
			for _, v := range c.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := proxies.ClientAddr(r); got != c.want {
				t.Errorf("ClientAddr = %s, want %s", got, c.want)
			}
		})
	}
}

func TestTrustedProxiesWrap(t *testing.T) {
	seen := ""
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = RemoteIP(r) })
	proxies, _ := ParseTrustedProxies("127.0.0.1")
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "127.0.0.1:5555"
	r.Header.Set("X-Forwarded-For", "203.0.113.7")
	proxies.Wrap(h).ServeHTTP(httptest.NewRecorder(), r)
	if seen != "203.0.113.7" {
		t.Errorf("behind a trusted proxy the handler saw %s", seen)
	}
	r.RemoteAddr = "127.0.0.1:5555"
	TrustedProxies(nil).Wrap(h).ServeHTTP(httptest.NewRecorder(), r)
	if seen != "127.0.0.1" {
		t.Errorf("trusting no one, the handler saw %s", seen)
	}
}
