package httpx

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// TrustedProxies are the addresses of the proxies in front of Wharf (a load
// balancer, an ingress controller) whose X-Forwarded-For is believed. Behind
// them, the peer of every request is a proxy, and aws:SourceIp conditions
// would test the proxy's address instead of the client's. An empty list
// believes no one: a client could otherwise claim any address and pass a
// policy's source-IP condition.
type TrustedProxies []netip.Prefix

// ParseTrustedProxies parses a comma-separated list of CIDR blocks and
// single addresses ("10.0.0.0/8, 192.0.2.7, fd00::/8"); "" is none.
func ParseTrustedProxies(s string) (TrustedProxies, error) {
	var out TrustedProxies
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if strings.Contains(f, "/") {
			p, err := netip.ParsePrefix(f)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q is not an address or a CIDR block", f)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil || a.Zone() != "" {
			return nil, fmt.Errorf("trusted proxy %q is not an address or a CIDR block", f)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

func (t TrustedProxies) trusts(a netip.Addr) bool {
	for _, p := range t {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ClientAddr returns the address of the client a request comes from: its
// peer, unless the peer is a trusted proxy, in which case X-Forwarded-For
// is read from the right (each proxy appends the address it got the request
// from), past every trusted proxy, to the first address that is not one.
// An entry that is not an address ends the walk at the last proxy believed:
// what lies left of it may have been written by anyone.
func (t TrustedProxies) ClientAddr(r *http.Request) string {
	peer, err := netip.ParseAddr(RemoteIP(r))
	if err != nil || !t.trusts(peer.Unmap()) {
		return RemoteIP(r)
	}
	client := peer.Unmap()
	hops := r.Header.Values("X-Forwarded-For")
	for i := len(hops) - 1; i >= 0; i-- {
		entries := strings.Split(hops[i], ",")
		for j := len(entries) - 1; j >= 0; j-- {
			a, ok := forwardedAddr(entries[j])
			if !ok {
				return client.String()
			}
			client = a
			if !t.trusts(a) {
				return client.String()
			}
		}
	}
	return client.String()
}

// forwardedAddr parses one X-Forwarded-For entry: an address, possibly with
// a port ("192.0.2.1:4711", "[2001:db8::1]:4711").
func forwardedAddr(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]"))
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// Wrap makes every handler behind it see the client's address (ClientAddr)
// as the request's RemoteAddr, so that aws:SourceIp, logs and throttles
// name the client rather than the proxy. With no trusted proxies it
// returns h itself.
func (t TrustedProxies) Wrap(h http.Handler) http.Handler {
	if len(t) == 0 {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if client := t.ClientAddr(r); client != RemoteIP(r) {
			r.RemoteAddr = net.JoinHostPort(client, "0")
		}
		h.ServeHTTP(w, r)
	})
}
