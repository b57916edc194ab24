package companymatch

import (
	"math"
	"strconv"
	"strings"
)

// Size is a range of employee counts, Min to Max inclusive. Max 0 means
// open-ended ("10001+"); Min equal to Max is an exact count. The zero
// Size means unknown.
type Size struct{ Min, Max int }

// Buckets are the PDL/LinkedIn employee-size buckets, smallest first.
var Buckets = []Size{
	{1, 10}, {11, 50}, {51, 200}, {201, 500}, {501, 1000},
	{1001, 5000}, {5001, 10000}, {10001, 0},
}

// ParseSize reads an employee count or range. It accepts ranges with
// "-", "–", "to" or a comma ("51-200", "51 to 200", "1,001-5,000",
// Apollo's "11,20"), open ranges ("10001+", "10K+", "over 500", "10001,"),
// upper bounds ("under 10", "<10", "up to 10"), exact counts ("5000"),
// K and M suffixes ("251-1K", "1.5k") and a trailing "employees". A comma
// followed by exactly three digits is a thousands separator. It reports
// false for text it cannot read, a minimum above the maximum, or a size
// with no employees.
func ParseSize(s string) (Size, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, w := range []string{"employees", "employee", "people", "staff"} {
		s = strings.TrimSpace(strings.TrimSuffix(s, w))
	}
	s = strings.NewReplacer("up to ", "upto", "–", "-", "—", "-", " to ", "-", "..", "-", " ", "").Replace(s)
	s = dropThousands(s)
	var lo, hi int
	var ok bool
	switch {
	case strings.HasSuffix(s, "+"):
		lo, ok = parseCount(strings.TrimSuffix(s, "+"))
	case strings.HasSuffix(s, "ormore"):
		lo, ok = parseCount(strings.TrimSuffix(s, "ormore"))
	case strings.HasSuffix(s, ","), strings.HasSuffix(s, "-"):
		lo, ok = parseCount(s[:len(s)-1])
	case hasPrefixAny(s, ">", "over", "morethan"):
		lo, ok = parseCount(trimPrefixAny(s, ">", "over", "morethan"))
		lo++
	case hasPrefixAny(s, "<", "under", "lessthan", "fewerthan"):
		hi, ok = parseCount(trimPrefixAny(s, "<", "under", "lessthan", "fewerthan"))
		lo, hi = 1, hi-1
	case hasPrefixAny(s, "upto", "<="):
		hi, ok = parseCount(trimPrefixAny(s, "upto", "<="))
		lo = 1
	default:
		a, b, isRange := strings.Cut(s, "-")
		if !isRange {
			a, b, isRange = strings.Cut(s, ",")
		}
		if !isRange {
			lo, ok = parseCount(s)
			hi = lo
			break
		}
		var ok2 bool
		lo, ok = parseCount(a)
		hi, ok2 = parseCount(b)
		ok = ok && ok2
	}
	if !ok || lo < 0 || hi < 0 || (hi != 0 && lo > hi) || (lo == 0 && hi == 0) {
		return Size{}, false
	}
	return Size{lo, hi}, true
}

// dropThousands removes commas that separate thousands: a comma between
// digits that is followed by exactly three digits.
func dropThousands(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ',' && i > 0 && isDigit(s[i-1]) && i+3 < len(s) &&
			isDigit(s[i+1]) && isDigit(s[i+2]) && isDigit(s[i+3]) &&
			(i+4 == len(s) || !isDigit(s[i+4])) {
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func hasPrefixAny(s string, ps ...string) bool {
	for _, p := range ps {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func trimPrefixAny(s string, ps ...string) string {
	for _, p := range ps {
		if strings.HasPrefix(s, p) {
			return s[len(p):]
		}
	}
	return s
}

// parseCount reads a non-negative count with an optional K or M suffix.
func parseCount(s string) (int, bool) {
	mult := 1.0
	switch {
	case strings.HasSuffix(s, "k"):
		mult, s = 1e3, s[:len(s)-1]
	case strings.HasSuffix(s, "m"):
		mult, s = 1e6, s[:len(s)-1]
	}
	if s == "" {
		return 0, false
	}
	if mult == 1 {
		n, err := strconv.Atoi(s)
		return n, err == nil && n >= 0
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) || f*mult > math.MaxInt32 {
		return 0, false
	}
	return int(math.Round(f * mult)), true
}

// String returns the canonical text: "51-200", "10001+" or "5000" for an
// exact count; "" for the zero Size.
func (s Size) String() string {
	switch {
	case s == Size{}:
		return ""
	case s.Max == 0:
		return strconv.Itoa(s.Min) + "+"
	case s.Min == s.Max:
		return strconv.Itoa(s.Min)
	}
	return strconv.Itoa(s.Min) + "-" + strconv.Itoa(s.Max)
}

// Bucket returns the PDL/LinkedIn bucket for the size, or "" for the
// zero Size. A bounded range goes to the bucket sharing the most
// employees with it (Overlap), the smaller bucket on a tie, so Clearbit's
// "251-1K" gives "501-1000" and "51-250" gives "51-200". An open-ended
// range goes to the bucket holding its minimum, since only the floor is
// known: "5000+" gives "1001-5000". A range is never collapsed to its
// midpoint.
func (s Size) Bucket() string {
	if s == (Size{}) {
		return ""
	}
	if s.Max == 0 {
		for _, b := range Buckets {
			if s.Min <= b.Max || b.Max == 0 {
				return b.String()
			}
		}
	}
	best, most := Size{}, 0
	for _, b := range Buckets {
		if n := Overlap(s, b); n > most {
			best, most = b, n
		}
	}
	return best.String()
}

// Overlap returns how many employee counts two sizes share, for
// converting between bucket schemes. Two open-ended sizes share
// math.MaxInt; the zero Size shares nothing.
func Overlap(a, b Size) int {
	if a == (Size{}) || b == (Size{}) {
		return 0
	}
	lo := max(a.Min, b.Min)
	switch {
	case a.Max == 0 && b.Max == 0:
		return math.MaxInt
	case a.Max == 0:
		return max(0, b.Max-lo+1)
	case b.Max == 0:
		return max(0, a.Max-lo+1)
	}
	return max(0, min(a.Max, b.Max)-lo+1)
}
