package companymatch

import (
	"math"
	"testing"
)

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want Size
		ok   bool
	}{
		{"51-200", Size{51, 200}, true},
		{"10001+", Size{10001, 0}, true},
		{"1,001-5,000", Size{1001, 5000}, true},
		{"5000", Size{5000, 5000}, true},
		{"5,000", Size{5000, 5000}, true},
		{"51 to 200", Size{51, 200}, true},
		{"51 – 200 employees", Size{51, 200}, true},
		{" 11-50 Employees ", Size{11, 50}, true},
		{"251-1K", Size{251, 1000}, true},
		{"1K-5K", Size{1000, 5000}, true},
		{"10K+", Size{10000, 0}, true},
		{"1.5k", Size{1500, 1500}, true},
		{"11,20", Size{11, 20}, true},         // Apollo filter form
		{"1001,2000", Size{1001, 2000}, true}, // Apollo filter form
		{"10001,", Size{10001, 0}, true},      // Apollo open range
		{"over 500", Size{501, 0}, true},
		{"500 or more", Size{500, 0}, true},
		{"<10", Size{1, 9}, true},
		{"under 50", Size{1, 49}, true},
		{"up to 10", Size{1, 10}, true},
		{"0-1", Size{0, 1}, true}, // LinkedIn "0-1 employees"
		{"", Size{}, false},
		{"0", Size{}, false},
		{"0+", Size{}, false},
		{"200-51", Size{}, false},
		{"-5", Size{}, false},
		{"many", Size{}, false},
		{"51-", Size{51, 0}, true},
		{"1-10-100", Size{}, false},
	}
	for _, tt := range tests {
		got, ok := ParseSize(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseSize(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestSizeString(t *testing.T) {
	tests := []struct {
		s    Size
		want string
	}{
		{Size{}, ""},
		{Size{51, 200}, "51-200"},
		{Size{10001, 0}, "10001+"},
		{Size{5000, 5000}, "5000"},
	}
	for _, tt := range tests {
		if got := tt.s.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.s, got, tt.want)
		}
	}
	for _, b := range Buckets { // canonical text round-trips
		if got, ok := ParseSize(b.String()); !ok || got != b {
			t.Errorf("ParseSize(%q) = %v, %v", b.String(), got, ok)
		}
	}
}

func TestBucket(t *testing.T) {
	tests := []struct{ in, want string }{
		{"1-10", "1-10"},
		{"0-1", "1-10"},
		{"2-10", "1-10"},
		{"10001+", "10001+"},
		{"5000", "1001-5000"},
		{"5001", "5001-10000"},
		{"51-250", "51-200"},       // Clearbit: 150 of 200 employees in 51-200
		{"251-1K", "501-1000"},     // Clearbit: 500 in 501-1000 vs 250 in 201-500
		{"1K-5K", "1001-5000"},     // 4000 vs 1
		{"10K-50K", "10001+"},      // 40000 vs 1
		{"5000+", "1001-5000"},     // open range: the bucket of its floor
		{"100K+", "10001+"},        // open range
		{"1,10", "1-10"},           // Apollo
		{"11,20", "11-50"},         // Apollo
		{"1001,2000", "1001-5000"}, // Apollo
		{"6-15", "1-10"},           // tie 5 vs 5: smaller bucket
	}
	for _, tt := range tests {
		s, ok := ParseSize(tt.in)
		if !ok {
			t.Fatalf("ParseSize(%q) failed", tt.in)
		}
		if got := s.Bucket(); got != tt.want {
			t.Errorf("ParseSize(%q).Bucket() = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := (Size{}).Bucket(); got != "" {
		t.Errorf("zero Bucket() = %q", got)
	}
}

func TestOverlap(t *testing.T) {
	tests := []struct {
		a, b Size
		want int
	}{
		{Size{251, 1000}, Size{201, 500}, 250},
		{Size{251, 1000}, Size{501, 1000}, 500},
		{Size{51, 200}, Size{201, 500}, 0},
		{Size{51, 200}, Size{200, 500}, 1},
		{Size{5000, 0}, Size{1001, 5000}, 1},
		{Size{1001, 5000}, Size{5000, 0}, 1},
		{Size{5000, 0}, Size{10001, 0}, math.MaxInt},
		{Size{20000, 0}, Size{1, 10}, 0},
		{Size{42, 42}, Size{11, 50}, 1},
		{Size{}, Size{1, 10}, 0},
	}
	for _, tt := range tests {
		if got := Overlap(tt.a, tt.b); got != tt.want {
			t.Errorf("Overlap(%v, %v) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := Overlap(tt.b, tt.a); got != tt.want {
			t.Errorf("Overlap(%v, %v) = %d, want %d (symmetry)", tt.b, tt.a, got, tt.want)
		}
	}
}
