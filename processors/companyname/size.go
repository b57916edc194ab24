package companyname

import (
	"strconv"
	"strings"
)

// Size is an employee range; Max 0 means no upper bound.
type Size struct{ Min, Max int }

// Buckets are the People Data Labs and LinkedIn employee ranges.
var Buckets = []Size{{1, 10}, {11, 50}, {51, 200}, {201, 500}, {501, 1000}, {1001, 5000}, {5001, 10000}, {10001, 0}}

// ParseSize reads an employee range or count: "51-200", "10001+",
// "1,001-5,000", "51 to 200", "250" (an exact count: Min = Max).
func ParseSize(s string) (Size, bool) {
	s = strings.ToLower(strings.NewReplacer(",", "", " ", "", "employees", "", "to", "-", "–", "-").Replace(s))
	if s == "" {
		return Size{}, false
	}
	if n, ok := strings.CutSuffix(s, "+"); ok {
		v, err := strconv.Atoi(n)
		return Size{Min: v}, err == nil && v > 0
	}
	lo, hi, ranged := strings.Cut(s, "-")
	a, err := strconv.Atoi(lo)
	if err != nil || a < 0 {
		return Size{}, false
	}
	if !ranged {
		return Size{Min: a, Max: a}, a > 0
	}
	b, err := strconv.Atoi(hi)
	if err != nil || b < a {
		return Size{}, false
	}
	return Size{Min: a, Max: b}, b > 0
}

// String is the canonical text: "51-200", "10001+", or "250".
func (s Size) String() string {
	switch {
	case s.Max == 0:
		return strconv.Itoa(s.Min) + "+"
	case s.Min == s.Max:
		return strconv.Itoa(s.Min)
	}
	return strconv.Itoa(s.Min) + "-" + strconv.Itoa(s.Max)
}

// Bucket is the PDL bucket sharing the most employees with s (the lower
// one on a tie), so ranges convert by overlap, never by a midpoint.
func (s Size) Bucket() string {
	best, most := Buckets[0], -1
	for _, b := range Buckets {
		if o := Overlap(s, b); o > most {
			best, most = b, o
		}
	}
	return best.String()
}

// Overlap is how many employee counts two ranges have in common.
func Overlap(a, b Size) int {
	const open = 1 << 30
	hi := func(s Size) int {
		if s.Max == 0 {
			return open
		}
		return s.Max
	}
	n := min(hi(a), hi(b)) - max(a.Min, b.Min) + 1
	if n < 0 {
		return 0
	}
	if a.Max == 0 && b.Max == 0 {
		return open
	}
	return n
}
