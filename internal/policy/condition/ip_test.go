package condition_test

import "testing"

// IAM User Guide, IP address condition operators: IpAddress matches the
// specified IP address or range, NotIpAddress all addresses except it. Values use
// the standard CIDR format; IPv4 and IPv6 addresses and ranges are supported
// (203.0.113.0/24, 2001:DB8:1234:5678::/64).
func TestIpAddress(t *testing.T) {
	const k = "aws:SourceIp"
	runEval(t, []evalCase{
		{"v4 in range", "IpAddress", k, []string{"203.0.113.0/24"}, false, one(k, "203.0.113.255"), true},
		{"v4 range start", "IpAddress", k, []string{"203.0.113.0/24"}, false, one(k, "203.0.113.0"), true},
		{"v4 out of range", "IpAddress", k, []string{"203.0.113.0/24"}, false, one(k, "203.0.114.0"), false},
		{"v4 bare address is /32", "IpAddress", k, []string{"203.0.113.5"}, false, one(k, "203.0.113.5"), true},
		{"v4 bare address neighbour", "IpAddress", k, []string{"203.0.113.5"}, false, one(k, "203.0.113.6"), false},
		{"v4 /32", "IpAddress", k, []string{"203.0.113.5/32"}, false, one(k, "203.0.113.5"), true},
		{"v4 /0 matches all v4", "IpAddress", k, []string{"0.0.0.0/0"}, false, one(k, "198.51.100.1"), true},
		{"v4 /0 does not match v6", "IpAddress", k, []string{"0.0.0.0/0"}, false, one(k, "2001:db8::1"), false},
		{"v4 non-canonical range", "IpAddress", k, []string{"10.0.0.1/24"}, false, one(k, "10.0.0.200"), true},
		{"v4 non-canonical range outside", "IpAddress", k, []string{"10.0.0.1/24"}, false, one(k, "10.0.1.1"), false},
		{"v4 /8", "IpAddress", k, []string{"10.0.0.0/8"}, false, one(k, "10.255.1.2"), true},
		{"v6 in range", "IpAddress", k, []string{"2001:DB8:1234:5678::/64"}, false, one(k, "2001:db8:1234:5678:abcd::1"), true},
		{"v6 in range uppercase request", "IpAddress", k, []string{"2001:db8:1234:5678::/64"}, false, one(k, "2001:DB8:1234:5678::FFFF"), true},
		{"v6 out of range", "IpAddress", k, []string{"2001:DB8:1234:5678::/64"}, false, one(k, "2001:db8:1234:5679::1"), false},
		{"v6 bare address is /128", "IpAddress", k, []string{"2001:db8::1"}, false, one(k, "2001:db8::1"), true},
		{"v6 bare address neighbour", "IpAddress", k, []string{"2001:db8::1"}, false, one(k, "2001:db8::2"), false},
		{"v6 full form vs compressed", "IpAddress", k, []string{"2001:0db8:0000:0000:0000:0000:0000:0001"}, false, one(k, "2001:db8::1"), true},
		{"v6 range does not match v4", "IpAddress", k, []string{"::/0"}, false, one(k, "10.0.0.1"), false},
		{"v4-mapped request in v4 range", "IpAddress", k, []string{"203.0.113.0/24"}, false, one(k, "::ffff:203.0.113.9"), true},
		{"v4-mapped request out of v4 range", "IpAddress", k, []string{"203.0.113.0/24"}, false, one(k, "::ffff:198.51.100.9"), false},
		{"v4-mapped policy address", "IpAddress", k, []string{"::ffff:203.0.113.9"}, false, one(k, "203.0.113.9"), true},
		{"v4-mapped policy range", "IpAddress", k, []string{"::ffff:203.0.113.0/120"}, false, one(k, "203.0.113.77"), true},
		{"v4 range vs v6 request", "IpAddress", k, []string{"203.0.113.0/24"}, false, one(k, "2001:db8::1"), false},
		{"request not an address", "IpAddress", k, []string{"0.0.0.0/0"}, false, one(k, "example.com"), false},
		{"request with port", "IpAddress", k, []string{"0.0.0.0/0"}, false, one(k, "203.0.113.9:443"), false},
		{"request empty", "IpAddress", k, []string{"0.0.0.0/0"}, false, one(k, ""), false},
		{"v4 and v6 together v6", "IpAddress", k, []string{"203.0.113.0/24", "2001:DB8:1234:5678::/64"}, false, one(k, "2001:db8:1234:5678::9"), true},
		{"v4 and v6 together v4", "IpAddress", k, []string{"203.0.113.0/24", "2001:DB8:1234:5678::/64"}, false, one(k, "203.0.113.9"), true},
		{"not in range", "NotIpAddress", k, []string{"203.0.113.0/24"}, false, one(k, "203.0.113.9"), false},
		{"not outside range", "NotIpAddress", k, []string{"203.0.113.0/24"}, false, one(k, "198.51.100.9"), true},
		{"not v4-mapped inside", "NotIpAddress", k, []string{"203.0.113.0/24"}, false, one(k, "::ffff:203.0.113.9"), false},
		{"not missing", "NotIpAddress", k, []string{"203.0.113.0/24"}, false, req{}, true},
		{"not v6 outside", "NotIpAddress", k, []string{"2001:DB8:1234:5678::/64"}, false, one(k, "2001:db8::1"), true},
		{"missing", "IpAddress", k, []string{"0.0.0.0/0"}, false, req{}, false},
		{"if exists missing", "IpAddressIfExists", k, []string{"203.0.113.0/24"}, false, req{}, true},
		{"if exists outside", "IpAddressIfExists", k, []string{"203.0.113.0/24"}, false, one(k, "198.51.100.1"), false},
		{"not if exists missing", "NotIpAddressIfExists", k, []string{"203.0.113.0/24"}, false, req{}, true},
	})
}
