package companyname

import (
	"fmt"
	"sort"
	"strings"
)

// Candidate is a company a name may mean.
type Candidate struct {
	ID, Name, Domain string
	Country          string // ISO 3166-1 alpha-2, or ""
}

// Query is what is known of the company sought.
type Query struct {
	Name        string
	EmailDomain string // registrable domain of the contact's work email, or ""
	Country     string // ISO 3166-1 alpha-2, or ""
}

// Scored is a candidate with its score and the reasons for it.
type Scored struct {
	Candidate
	Score float64
	Why   []string
}

// Verdict says whether one company was chosen.
type Verdict string

// Verdicts.
const (
	Matched   Verdict = "matched"
	Ambiguous Verdict = "ambiguous"
	NotFound  Verdict = "not_found"
)

// Decision is the outcome of Choose.
type Decision struct {
	Verdict    Verdict
	Best       *Scored  // the chosen company when Matched
	Top        []Scored // up to three best candidates, best first
	Confidence float64
}

// Options tune Choose; zero values mean the defaults.
type Options struct {
	Accept float64 // lowest score accepted; default 0.85
	Margin float64 // how far the best must lead the second; default 0.08
}

// Bonuses and penalties on top of name similarity.
const (
	domainBonus     = 0.15
	countryBonus    = 0.03
	countryPenalty  = 0.05
	namesakeReach   = 0.25 // candidates this close below Accept count as namesakes
	confidenceScale = 0.2  // a lead of this much gives full confidence
)

// Choose picks the company a query means from candidates: each is scored
// by name similarity, plus a bonus when its domain is the contact's email
// domain and a small one when the country agrees (a small penalty when it
// disagrees). Only a clear winner is Matched: a score of at least Accept,
// ahead of the second by Margin, and, when a one-word name alone decides,
// no namesake whose name extends it ("Apple" among Apple Inc. and Apple
// Bank). A near-tie is Ambiguous; nothing close is NotFound.
func Choose(q Query, cands []Candidate, opt Options) Decision {
	if opt.Accept <= 0 {
		opt.Accept = 0.85
	}
	if opt.Margin <= 0 {
		opt.Margin = 0.08
	}
	key := Normalize(q.Name)
	scored := make([]Scored, 0, len(cands))
	for _, c := range cands {
		sim := Similarity(q.Name, c.Name)
		s := Scored{Candidate: c, Score: sim, Why: []string{fmt.Sprintf("name %.2f", sim)}}
		if q.EmailDomain != "" && strings.EqualFold(c.Domain, q.EmailDomain) {
			s.Score += domainBonus
			s.Why = append(s.Why, "email domain agrees")
		}
		if q.Country != "" && c.Country != "" {
			if strings.EqualFold(q.Country, c.Country) {
				s.Score += countryBonus
				s.Why = append(s.Why, "country agrees")
			} else {
				s.Score -= countryPenalty
				s.Why = append(s.Why, "country differs")
			}
		}
		scored = append(scored, s)
	}
	sort.SliceStable(scored, func(i, j int) bool { return scored[i].Score > scored[j].Score })
	d := Decision{Verdict: NotFound, Top: scored[:min(3, len(scored))]}
	if len(scored) == 0 || scored[0].Score < opt.Accept {
		if len(scored) > 0 {
			d.Confidence = clamp(1 - scored[0].Score)
		}
		return d
	}
	best := scored[0]
	lead := best.Score
	if len(scored) > 1 {
		lead = best.Score - scored[1].Score
	}
	agreed := len(best.Why) > 1 && best.Why[1] == "email domain agrees"
	namesake := false
	if !agreed && !strings.Contains(key, " ") {
		for _, s := range scored[1:] {
			if s.Score >= opt.Accept-namesakeReach && strings.HasPrefix(Normalize(s.Name), key+" ") {
				namesake = true
				break
			}
		}
	}
	if lead < opt.Margin || namesake {
		d.Verdict = Ambiguous
		d.Confidence = clamp(1 - best.Score + lead)
		return d
	}
	d.Verdict, d.Best = Matched, &best
	d.Confidence = clamp(min(1, best.Score) * (0.7 + 0.3*min(1, lead/confidenceScale)))
	return d
}

func clamp(f float64) float64 { return max(0, min(1, f)) }
