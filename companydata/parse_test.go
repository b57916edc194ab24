package companydata

import "testing"

func TestRegistrableDomain(t *testing.T) {
	tests := []struct{ in, want string }{
		{"acme.com", "acme.com"},
		{"acme.com/about", "acme.com"},
		{"HTTPS://WWW.Acme.com:8443/about?x=1#top", "acme.com"},
		{"http://user@shop.acme.co.uk", "acme.co.uk"},
		{"www.acme.io.", "acme.io"},
		{"  blog.acme.com  ", "acme.com"},
		{"co.uk", ""},
		{"localhost", ""},
		{"192.168.1.1", ""},
		{"not a domain.com", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := registrableDomain(tt.in); got != tt.want {
			t.Errorf("registrableDomain(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in       string
		min, max int
	}{
		{"51-200", 51, 200},
		{"10001+", 10001, 0},
		{"1,001-5,000", 1001, 5000},
		{" 2 - 10 ", 2, 10},
		{"10K+", 10000, 0},
		{"250", 250, 250},
		{"200-51", 0, 0},
		{"myself only", 0, 0},
		{"", 0, 0},
	}
	for _, tt := range tests {
		if min, max := parseSize(tt.in); min != tt.min || max != tt.max {
			t.Errorf("parseSize(%q) = %d, %d, want %d, %d", tt.in, min, max, tt.min, tt.max)
		}
	}
}
