package dnscheck

import (
	"net/netip"
	"testing"
)

func TestIsRoutable(t *testing.T) {
	tests := []struct {
		addr string
		want bool
	}{
		// Public-looking addresses (test data only: nothing is sent there).
		{"8.8.8.8", true},
		{"1.1.1.1", true},
		{"142.250.27.26", true},
		{"100.63.255.255", true},  // just below shared space
		{"100.128.0.0", true},     // just above shared space
		{"172.15.255.255", true},  // just below 172.16/12
		{"172.32.0.0", true},      // just above 172.16/12
		{"198.17.255.255", true},  // just below benchmarking
		{"198.20.0.0", true},      // just above benchmarking
		{"223.255.255.255", true}, // last before multicast
		{"2606:4700:4700::1111", true},
		{"2a00:1450:4001:80b::201a", true},
		{"2002:808:808::1", true}, // 6to4 is deprecated, not special-purpose

		{"0.0.0.0", false},
		{"0.1.2.3", false},
		{"10.0.0.1", false},
		{"10.255.255.255", false},
		{"100.64.0.1", false},
		{"100.127.255.255", false},
		{"127.0.0.1", false},
		{"127.1.2.3", false},
		{"169.254.1.1", false},
		{"172.16.0.1", false},
		{"172.31.255.255", false},
		{"192.0.0.8", false},
		{"192.0.2.1", false},
		{"192.88.99.1", false},
		{"192.168.1.1", false},
		{"198.18.0.1", false},
		{"198.19.255.255", false},
		{"198.51.100.7", false},
		{"203.0.113.5", false},
		{"224.0.0.1", false},
		{"239.255.255.250", false},
		{"240.0.0.1", false},
		{"255.255.255.255", false},

		{"::", false},
		{"::1", false},
		{"::ffff:8.8.8.8", false}, // IPv4-mapped in an AAAA record
		{"::ffff:10.0.0.1", false},
		{"64:ff9b::808:808", false}, // NAT64
		{"100::1", false},           // discard-only
		{"2001::1", false},          // Teredo
		{"2001:2::1", false},        // benchmarking
		{"2001:db8::1", false},
		{"3fff::1", false},
		{"fc00::1", false},
		{"fd12:3456::1", false},
		{"fe80::1", false},
		{"fec0::1", false},
		{"ff02::1", false},
		{"fe80::1%eth0", false},
	}
	for _, tt := range tests {
		if got := isRoutable(netip.MustParseAddr(tt.addr)); got != tt.want {
			t.Errorf("isRoutable(%s) = %v, want %v", tt.addr, got, tt.want)
		}
	}
	if isRoutable(netip.Addr{}) {
		t.Error("isRoutable(zero Addr) = true")
	}
}

func TestIsUsable(t *testing.T) {
	tests := []struct {
		addr string
		want bool
	}{
		{"127.0.0.1", true},
		{"10.1.2.3", true},
		{"fd00::1", true},
		{"8.8.8.8", true},
		{"0.0.0.0", false},
		{"::", false},
		{"224.0.0.1", false},
	}
	for _, tt := range tests {
		if got := isUsable(netip.MustParseAddr(tt.addr)); got != tt.want {
			t.Errorf("isUsable(%s) = %v, want %v", tt.addr, got, tt.want)
		}
	}
}
