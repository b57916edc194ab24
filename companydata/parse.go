package companydata

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/publicsuffix"
)

// etldPlusOne returns the registrable domain of host name h, or "" if h
// is not a domain name with one.
func etldPlusOne(h string) string {
	if h == "" || !strings.Contains(h, ".") || len(h) > 253 {
		return ""
	}
	if _, err := netip.ParseAddr(h); err == nil {
		return ""
	}
	for _, r := range h {
		if r <= ' ' || strings.ContainsRune(`"'<>[]{}|^%,;`, r) {
			return ""
		}
	}
	d, err := publicsuffix.EffectiveTLDPlusOne(h)
	if err != nil {
		return ""
	}
	return d
}

// parseSize turns a head-count bucket such as "51-200", "10001+",
// "1,001-5,000", "10K+" or "250" into a range; max 0 means open ended.
// A text it does not understand gives 0, 0.
func parseSize(text string) (min, max int) {
	t := strings.ToLower(strings.TrimSpace(text))
	t = strings.ReplaceAll(t, ",", "")
	t = strings.ReplaceAll(t, " ", "")
	if lo, ok := strings.CutSuffix(t, "+"); ok {
		n, ok := headCount(lo)
		if !ok {
			return 0, 0
		}
		return n, 0
	}
	if lo, hi, ok := strings.Cut(t, "-"); ok {
		a, ok1 := headCount(lo)
		b, ok2 := headCount(hi)
		if !ok1 || !ok2 || b < a {
			return 0, 0
		}
		return a, b
	}
	n, ok := headCount(t)
	if !ok {
		return 0, 0
	}
	return n, n
}

// headCount parses a non-negative count, with an optional "k" suffix.
func headCount(s string) (int, bool) {
	mul := 1
	if v, ok := strings.CutSuffix(s, "k"); ok {
		s, mul = v, 1000
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 100_000_000 {
		return 0, false
	}
	return n * mul, true
}

// foundedYear returns y if it is a plausible founding year, else 0.
func foundedYear(y int) int {
	if y < 1000 || y > time.Now().Year()+1 {
		return 0
	}
	return y
}

// flexYear is a year given as a JSON number, a string or null.
type flexYear int

func (y *flexYear) UnmarshalJSON(b []byte) error {
	b = bytes.Trim(b, `"`)
	if f, err := strconv.ParseFloat(string(b), 64); err == nil && f >= 0 && f < 1e5 {
		*y = flexYear(f)
	}
	return nil // null or an odd value: unknown, not a bad line
}

// pdlRecord is one line of the PDL Free Company Dataset NDJSON file.
type pdlRecord struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Website     string   `json:"website"`
	Founded     flexYear `json:"founded"`
	Size        string   `json:"size"`
	Locality    string   `json:"locality"`
	Region      string   `json:"region"`
	Country     string   `json:"country"`
	Industry    string   `json:"industry"`
	LinkedInURL string   `json:"linkedin_url"`
}

// parsePDL decodes a PDL NDJSON line.
func parsePDL(line []byte) (raw, error) {
	var p pdlRecord
	if err := json.Unmarshal(line, &p); err != nil {
		return raw{}, err
	}
	return raw{
		id: p.ID, name: p.Name, website: p.Website, founded: int(p.Founded), size: p.Size,
		locality: p.Locality, region: p.Region, country: p.Country, industry: p.Industry, linkedin: p.LinkedInURL,
	}, nil
}

// raw is a company as a file gives it, before cleaning.
type raw struct {
	id, name, website, size, locality, region, country, industry, linkedin string
	founded                                                                int
}

// csvColumns maps the header names of the CSV format to their columns.
var csvColumns = map[string]string{
	"id": "id", "name": "name", "domain": "domain", "website": "domain",
	"size": "size", "locality": "locality", "region": "region", "country": "country",
	"industry": "industry", "linkedin_url": "linkedin_url", "linkedin": "linkedin_url",
	"founded": "founded",
}

// csvHeader returns the column index of each known column of header, and
// whether it names the required name column.
func csvHeader(header []string) (map[string]int, bool) {
	idx := make(map[string]int)
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff")
		}
		h = strings.ToLower(strings.TrimSpace(h))
		h = strings.NewReplacer(" ", "_", "-", "_").Replace(h)
		if col, ok := csvColumns[h]; ok {
			if _, dup := idx[col]; !dup {
				idx[col] = i
			}
		}
	}
	_, ok := idx["name"]
	return idx, ok
}

// parseCSV turns a CSV record into a raw company using the column indexes
// of csvHeader.
func parseCSV(rec []string, idx map[string]int) raw {
	get := func(col string) string {
		if i, ok := idx[col]; ok {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	founded, _ := strconv.Atoi(strings.TrimSuffix(get("founded"), ".0"))
	return raw{
		id: get("id"), name: get("name"), website: get("domain"), founded: founded, size: get("size"),
		locality: get("locality"), region: get("region"), country: get("country"),
		industry: get("industry"), linkedin: get("linkedin_url"),
	}
}
