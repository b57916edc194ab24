package companymatch

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// Candidate is a company that a query might mean.
type Candidate struct {
	ID      string
	Name    string
	Domain  string // website or registrable domain; "www." and URLs are tolerated
	Country string // ISO 3166-1 alpha-2; names and alpha-3 codes are read too
}

// Query describes the company a contact row names.
type Query struct {
	Name        string
	EmailDomain string // registrable domain of a work email, or ""
	Country     string // ISO 3166-1 alpha-2, or ""
}

// Scored is a candidate with its score and the reasons for it, such as
// "name 0.93", "domain agrees" or "country differs (GB)".
type Scored struct {
	Candidate
	Score float64
	Why   []string
}

// Verdict is the outcome of Choose.
type Verdict string

// Verdicts.
const (
	Matched   Verdict = "matched"   // one clear winner
	Ambiguous Verdict = "ambiguous" // several candidates fit; see Decision.Top
	NotFound  Verdict = "not_found" // no candidate fits well enough
)

// Decision is the outcome of Choose.
type Decision struct {
	Verdict Verdict
	// Best is the chosen candidate. It is set only when Verdict is Matched.
	Best *Scored
	// Top holds up to three candidates, best first, for review.
	Top []Scored
	// Confidence estimates the chance that Top[0] is the company meant,
	// in [0,1]: above 0.5 when Matched, at most 0.5 otherwise. When
	// Matched it is 0.5 + 0.5 × min(1, best score) × min(1, lead/(2×Margin));
	// when Ambiguous, min(1, best score)/(1 + rivals); when NotFound, half
	// the best score, or 0 without candidates.
	Confidence float64
}

// Options tune Choose. Zero fields take the defaults.
type Options struct {
	Accept float64 // minimum score to accept; default 0.85
	Margin float64 // lead the best needs over the second; default 0.08
}

// Default options.
const (
	DefaultAccept = 0.85
	DefaultMargin = 0.08
)

// Evidence weights added to the name similarity by Choose.
const (
	domainBonus    = 0.15 // email domain equals the candidate's domain
	countryBonus   = 0.05 // countries agree
	countryPenalty = 0.05 // countries differ
	// namesakeFloor is the name similarity from which a longer namesake
	// ("Apple Bank" for "Apple") blocks acceptance.
	namesakeFloor = 0.6
	epsilon       = 1e-9
)

// Choose scores the candidates for a query and accepts only a clear
// winner. It never guesses silently.
//
// A candidate's score is its name Similarity to the query, plus 0.15 when
// the query's email domain equals the candidate's domain (both reduced to
// the registrable domain), plus 0.05 when the countries agree or minus
// 0.05 when both are known and differ. Scores can thus exceed 1. A
// differing domain is noted in Why but costs nothing, since mail and web
// domains often differ.
//
// The best candidate is Matched when its score is at least Accept, it
// leads the second by at least Margin, and no longer namesake stands
// against it: if the best lacks domain agreement and another candidate's
// name starts with all of the query's words and then goes on ("Apple
// Bank" for "Apple", "Google Cloud" for "Google") with a name similarity
// of at least 0.6, people who drop trailing words could mean either, and
// the verdict is Ambiguous. A near tie is Ambiguous too. A best score
// below Accept is NotFound.
func Choose(q Query, cands []Candidate, opt Options) Decision {
	if opt.Accept == 0 {
		opt.Accept = DefaultAccept
	}
	if opt.Margin == 0 {
		opt.Margin = DefaultMargin
	}
	qTok := normTokens(q.Name)
	qDomain := registrable(q.EmailDomain)
	qCountry, _, _ := Country(q.Country)

	scored := make([]Scored, len(cands))
	namesake := make([]bool, len(cands))
	for i, c := range cands {
		cTok := normTokens(c.Name)
		name := similarityTokens(qTok, cTok)
		s := Scored{Candidate: c, Score: name, Why: []string{fmt.Sprintf("name %.2f", name)}}
		if qDomain != "" {
			switch cd := registrable(c.Domain); {
			case cd == qDomain:
				s.Score += domainBonus
				s.Why = append(s.Why, "domain agrees")
			case cd != "":
				s.Why = append(s.Why, "domain differs ("+cd+")")
			}
		}
		if qCountry != "" {
			if cc, _, ok := Country(c.Country); ok {
				if cc == qCountry {
					s.Score += countryBonus
					s.Why = append(s.Why, "country agrees")
				} else {
					s.Score -= countryPenalty
					s.Why = append(s.Why, "country differs ("+cc+")")
				}
			}
		}
		scored[i] = s
		namesake[i] = name >= namesakeFloor && extends(qTok, cTok)
	}
	order := make([]int, len(scored))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool {
		a, b := scored[order[i]], scored[order[j]]
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		return a.ID < b.ID
	})

	var d Decision
	if len(order) == 0 {
		d.Verdict = NotFound
		return d
	}
	for _, i := range order[:min(3, len(order))] {
		d.Top = append(d.Top, scored[i])
	}
	best := scored[order[0]]
	if best.Score+epsilon < opt.Accept {
		d.Verdict = NotFound
		d.Confidence = clamp01(best.Score) / 2
		return d
	}

	// Rivals: candidates within the margin, and longer namesakes when the
	// best has no domain agreement to set it apart.
	rivals := 0
	second := 0.0
	if len(order) > 1 {
		second = scored[order[1]].Score
	}
	for _, i := range order[1:] {
		if best.Score-scored[i].Score+epsilon < opt.Margin {
			rivals++
		}
	}
	if !hasWhy(best, "domain agrees") {
		shown := false
		for k, i := range order[1:] {
			if !namesake[i] || best.Score-scored[i].Score+epsilon < opt.Margin {
				continue // not a namesake, or already counted as a near tie
			}
			rivals++
			d.Top[0].Why = append(d.Top[0].Why, fmt.Sprintf("namesake %q", scored[i].Name))
			if k+1 < len(d.Top) {
				shown = true
			} else if !shown { // make sure the review list shows one
				if len(d.Top) == 3 {
					d.Top = d.Top[:2]
				}
				d.Top = append(d.Top, scored[i])
				shown = true
			}
		}
	}
	if rivals > 0 {
		d.Verdict = Ambiguous
		d.Confidence = clamp01(best.Score) / float64(rivals+1)
		return d
	}
	d.Verdict = Matched
	b := d.Top[0]
	d.Best = &b
	gap := best.Score - second
	d.Confidence = 0.5 + 0.5*clamp01(best.Score)*clamp01(gap/(2*opt.Margin))
	return d
}

// extends reports whether the words of q are a proper prefix of c.
func extends(q, c []string) bool {
	if len(q) == 0 || len(c) <= len(q) {
		return false
	}
	for i := range q {
		if q[i] != c[i] {
			return false
		}
	}
	return true
}

func hasWhy(s Scored, why string) bool {
	for _, w := range s.Why {
		if w == why {
			return true
		}
	}
	return false
}

func clamp01(x float64) float64 {
	return math.Max(0, math.Min(1, x))
}

// registrable reduces a domain, URL or email address to its registrable
// domain (eTLD+1), lower case. It returns "" for an empty input.
func registrable(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		s = s[i+1:]
	}
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimSuffix(s, ".")
	if s == "" {
		return ""
	}
	if r, err := publicsuffix.EffectiveTLDPlusOne(s); err == nil {
		return r
	}
	return strings.TrimPrefix(s, "www.")
}
