package processors

import (
	"context"
	"fmt"
	"maps"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/publicsuffix"

	"github.com/enricher/enricher/companydata"
	"github.com/enricher/enricher/processors/companyapi"
	"github.com/enricher/enricher/processors/companymatch"
	"github.com/enricher/enricher/processors/emailverify"
	"github.com/enricher/enricher/processors/website"
	"github.com/enricher/enricher/schema"
)

// Sources and methods of company answers.
const (
	SourceEmailDomain   = "email_domain"
	SourceCompanyColumn = "company_column"
	SourceReference     = "reference_dataset"
	SourceContact       = "contact"
	MethodWorkEmail     = "work_email_domain"
	MethodDomainGiven   = "domain_given"
	MethodNameMatch     = "name_match"
	MethodNameVote      = "name_vote"
	MethodDomainLookup  = "domain_lookup"
	// A name as given by the contact has the provenance schema.AsGiven.
)

// Companies finds each contact's company: identity first, then what is
// known of it.
//
// Identity, by precedence: the registrable domain of a work email; a
// domain or URL written in the company column; the company name matched
// against the reference data (only a clear winner; near-ties are
// ambiguous); the domain most other contacts of the job with the same
// company name have (those this process has seen so far). When the email
// domain and the name point at different companies the answer is
// identity_conflict, with both kept.
//
// Values (name, size, location, industry, LinkedIn, founded), each with
// its provenance, come by precedence from: the reference data at that
// domain; the company's homepage (schema.org Organization, then
// OpenGraph), when Web is set; the company column as given (name only).
type Companies struct {
	Data *companydata.Store // nil: no reference data
	Web  *website.Fetcher   // nil: homepages are not read
	// APIs are paid providers asked, in order, for values still missing;
	// APIBudget caps the calls one job may make from this process.
	APIs      []companyapi.Provider
	APIBudget int
	Match     companymatch.Options
	TTL       time.Duration // how long lookups by domain are kept; default 1h

	mu    sync.Mutex
	cache map[string]cached
	sites map[string]site
	// answers are the paid APIs' answers by domain; jobs what this
	// process knows of each job it has seen batches of.
	answers map[string]apiAnswer
	jobs    map[string]*jobState
	// webDown is when reading homepages failed for every domain lately:
	// without a network, not one timeout per company.
	webFailures int
	webDown     time.Time
}

type apiAnswer struct {
	company companyapi.Company
	from    map[companyapi.Field]string
	until   time.Time
}

// jobState is what one job has taught this process so far: its paid-API
// budget, the email domains of the contacts by company name (for the
// vote), and the name lookups already made. Guarded by Companies.mu.
type jobState struct {
	budget    *companyapi.Budget
	tally     map[string]*votes // name key -> the work domains of its contacts
	decisions map[string]companymatch.Decision
	until     time.Time
}

// maxJobEntries bounds the names a job state keeps.
const maxJobEntries = 50000

type site struct {
	info  website.Info
	ok    bool
	until time.Time
}

type cached struct {
	companies []companydata.Company
	until     time.Time
}

// personal reports whether the email check flagged e's domain as one
// whose addresses are anyone's: free, disposable or a relay (a domain the
// operator allowed is none of these).
func personal(e *schema.EmailResult) bool {
	for _, f := range e.Flags {
		switch f {
		case emailverify.FlagFree, emailverify.FlagDisposable, emailverify.FlagRelay:
			return true
		}
	}
	return false
}

// maxCached bounds the domains kept; the cache starts over when full.
const maxCached = 100000

type identity struct {
	emailDomain, columnDomain, name, nameKey string
	personal                                 bool
}

// Resolve answers for each contact whose email was checked (emails[i]
// nil: the row failed and gets no company). An email domain the check
// flagged free, disposable or a relay is personal: it says nothing of
// the contact's company.
func (c *Companies) Resolve(ctx context.Context, contacts []schema.Contact, emails []*schema.EmailResult) []*schema.CompanyResult {
	ids := make([]identity, len(contacts))
	var domains []string
	// work maps an email domain to its registrable domain, or to "" when
	// the email check found it personal (free, disposable or a relay):
	// once a domain, as most of a batch's contacts share a few domains.
	work := map[string]string{}
	keys := map[string]string{} // normalized names, once a name
	for i, ct := range contacts {
		if emails[i] == nil {
			continue
		}
		id := &ids[i]
		if d := emails[i].Domain; d != "" {
			reg, ok := work[d]
			if !ok {
				if !personal(emails[i]) {
					reg = registrable(d)
					domains = append(domains, reg)
				}
				work[d] = reg
			}
			if reg == "" {
				id.personal = true
			} else {
				id.emailDomain = reg
			}
		}
		id.name = strings.TrimSpace(ct.Company)
		if id.columnDomain = domainIn(id.name); id.columnDomain == "" && id.name != "" {
			key, ok := keys[id.name]
			if !ok {
				key = companymatch.Normalize(id.name)
				keys[id.name] = key
			}
			id.nameKey = key
		}
		if id.columnDomain != "" {
			domains = append(domains, id.columnDomain)
		}
	}
	known := c.byDomain(ctx, domains)

	job := c.job(jobOf(ctx))
	out := make([]*schema.CompanyResult, len(contacts))
	for i := range contacts {
		if emails[i] == nil {
			continue
		}
		id := ids[i]
		var dec *companymatch.Decision
		// A name that fits the company at the email's domain needs no
		// lookup: it can neither conflict with it nor add to it.
		if id.nameKey != "" && c.Data != nil && (id.emailDomain == "" || !nameFits(id.name, known[id.emailDomain])) {
			d := c.decision(ctx, job, id)
			dec = &d
		}
		out[i] = decide(id, dec, known)
	}
	c.vote(job, ids, out)
	var more []string
	for _, r := range out {
		if r != nil && r.Domain != "" {
			if _, ok := known[r.Domain]; !ok {
				more = append(more, r.Domain)
			}
		}
	}
	for d, recs := range c.byDomain(ctx, more) {
		known[d] = recs
	}
	for i, r := range out {
		if r != nil {
			c.describe(r, ids[i], known)
		}
	}
	if c.Web != nil {
		c.fromWebsites(ctx, out)
	}
	if len(c.APIs) > 0 {
		c.fromAPIs(ctx, out)
	}
	return out
}

// fromAPIs asks the paid providers for the values still missing, each
// domain once per TTL, within the job's budget.
func (c *Companies) fromAPIs(ctx context.Context, out []*schema.CompanyResult) {
	budget := c.job(jobOf(ctx)).budget
	for _, r := range out {
		if r == nil || r.Domain == "" || (r.Status != schema.CompanyMatched && r.Status != schema.CompanyIdentityConflict) {
			continue
		}
		var missing []companyapi.Field
		for _, f := range schema.CompanyFields {
			if p, ok := r.Fields[f]; !ok || p.Source == SourceContact {
				missing = append(missing, companyapi.Field(f))
			}
		}
		if len(missing) == 0 {
			continue
		}
		ans, ok := c.askAPIs(ctx, budget, r.Domain, missing)
		if !ok {
			continue
		}
		r.Fields = ownFields(r.Fields)
		got := ans.company
		for f, provider := range ans.from {
			p := schema.Provenance{Source: provider, Method: "company_api", Confidence: r.Confidence * 0.85}
			switch f {
			case companyapi.FieldName:
				r.Name = got.Name
			case companyapi.FieldIndustry:
				r.Industry = got.Industry
			case companyapi.FieldSize:
				sz, ok := companymatch.ParseSize(got.SizeText)
				if !ok {
					continue
				}
				r.Size, r.SizeMin, r.SizeMax = sz.String(), sz.Min, sz.Max
			case companyapi.FieldLocation:
				r.Locality, r.Region = got.Locality, got.Region
				r.CountryCode, r.CountryName, _ = companymatch.Country(got.Country)
			case companyapi.FieldLinkedIn:
				r.LinkedIn = got.LinkedIn
			case companyapi.FieldFounded:
				r.Founded = got.Founded
			}
			r.Fields[string(f)] = p
		}
	}
}

func (c *Companies) askAPIs(ctx context.Context, budget *companyapi.Budget, domain string, missing []companyapi.Field) (apiAnswer, bool) {
	now := time.Now()
	c.mu.Lock()
	if a, ok := c.answers[domain]; ok && now.Before(a.until) {
		c.mu.Unlock()
		return a, true
	}
	c.mu.Unlock()
	got, from, _ := companyapi.Fill(ctx, c.APIs, budget, domain, missing)
	if len(from) == 0 {
		return apiAnswer{}, false
	}
	a := apiAnswer{company: got, from: from, until: now.Add(c.ttl())}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.answers == nil || len(c.answers) > maxCached {
		c.answers = map[string]apiAnswer{}
	}
	c.answers[domain] = a
	return a, true
}

// job is the state of a job in this process, made on its first batch and
// dropped a day after its last.
func (c *Companies) job(id string) *jobState {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	if c.jobs == nil {
		c.jobs = map[string]*jobState{}
	}
	j, ok := c.jobs[id]
	if !ok || now.After(j.until) {
		for old, st := range c.jobs {
			if now.After(st.until) {
				delete(c.jobs, old)
			}
		}
		j = &jobState{budget: companyapi.NewBudget(c.APIBudget), tally: map[string]*votes{}, decisions: map[string]companymatch.Decision{}}
		c.jobs[id] = j
	}
	j.until = now.Add(24 * time.Hour)
	return j
}

// noData reports whether there is no reference data to ask: none
// configured, none loaded, or the store cannot say.
func (c *Companies) noData(ctx context.Context) bool {
	if c.Data == nil {
		return true
	}
	empty, err := c.Data.Empty(ctx)
	return empty || err != nil
}

// decision matches a company name against the reference data once per
// job (per name and email domain, which takes part in the match).
func (c *Companies) decision(ctx context.Context, job *jobState, id identity) companymatch.Decision {
	if c.noData(ctx) {
		return companymatch.Decision{Verdict: companymatch.NotFound} // not remembered: costs nothing to say again
	}
	key := id.nameKey + "\x00" + id.emailDomain
	c.mu.Lock()
	d, ok := job.decisions[key]
	c.mu.Unlock()
	if ok {
		return d
	}
	d = slim(c.matchName(ctx, id))
	c.mu.Lock()
	if len(job.decisions) < maxJobEntries {
		job.decisions[key] = d
	}
	c.mu.Unlock()
	return d
}

func (c *Companies) ttl() time.Duration {
	if c.TTL <= 0 {
		return time.Hour
	}
	return c.TTL
}

// matchName looks the company name up in the reference data.
func (c *Companies) matchName(ctx context.Context, id identity) companymatch.Decision {
	found, err := c.Data.Candidates(ctx, id.nameKey, companymatch.Trigrams(id.nameKey), 20)
	if err != nil {
		return companymatch.Decision{Verdict: companymatch.NotFound}
	}
	cands := make([]companymatch.Candidate, len(found))
	for i, f := range found {
		cands[i] = companymatch.Candidate{ID: f.ID, Name: f.Name, Domain: f.Domain, Country: f.CountryCode}
	}
	return companymatch.Choose(companymatch.Query{Name: id.name, EmailDomain: id.emailDomain}, cands, c.Match)
}

// slim keeps of a decision what decide reads (the verdict, the confidence,
// the best candidate's domain, and for an ambiguous name the names, domains
// and scores of the top candidates), so that a job's many remembered
// decisions stay small.
func slim(d companymatch.Decision) companymatch.Decision {
	out := companymatch.Decision{Verdict: d.Verdict, Confidence: d.Confidence}
	if d.Best != nil {
		out.Best = &companymatch.Scored{Candidate: companymatch.Candidate{Domain: d.Best.Domain}}
	}
	if d.Verdict == companymatch.Ambiguous {
		out.Top = make([]companymatch.Scored, len(d.Top))
		for i, t := range d.Top {
			out.Top[i] = companymatch.Scored{Candidate: companymatch.Candidate{Name: t.Name, Domain: t.Domain}, Score: t.Score}
		}
	}
	return out
}

// decide settles a contact's company identity.
func decide(id identity, dec *companymatch.Decision, known map[string][]companydata.Company) *schema.CompanyResult {
	matched := dec != nil && dec.Verdict == companymatch.Matched && dec.Best != nil
	switch {
	case id.emailDomain != "":
		r := &schema.CompanyResult{Status: schema.CompanyMatched, Domain: id.emailDomain, Confidence: 0.9, Source: SourceEmailDomain, Method: MethodWorkEmail}
		if matched && dec.Best.Domain != "" && dec.Best.Domain != id.emailDomain && !nameFits(id.name, known[id.emailDomain]) {
			r.Status, r.Confidence = schema.CompanyIdentityConflict, 0.4
			r.EmailDomain, r.NameDomain = id.emailDomain, dec.Best.Domain
			r.Reason = fmt.Sprintf("the email domain is %s but %q is %s", id.emailDomain, id.name, dec.Best.Domain)
		}
		return r
	case id.columnDomain != "":
		return &schema.CompanyResult{Status: schema.CompanyMatched, Domain: id.columnDomain, Confidence: 0.85, Source: SourceCompanyColumn, Method: MethodDomainGiven}
	case matched:
		return &schema.CompanyResult{Status: schema.CompanyMatched, Domain: dec.Best.Domain, Confidence: dec.Confidence, Source: SourceReference, Method: MethodNameMatch}
	case dec != nil && dec.Verdict == companymatch.Ambiguous:
		r := &schema.CompanyResult{Status: schema.CompanyAmbiguous, Confidence: dec.Confidence,
			Reason: fmt.Sprintf("%q fits %d companies about equally well", id.name, len(dec.Top))}
		for _, t := range dec.Top {
			r.Candidates = append(r.Candidates, schema.CompanyCandidate{Name: t.Name, Domain: t.Domain, Score: t.Score})
		}
		return r
	case id.personal && id.name == "":
		return &schema.CompanyResult{Status: schema.CompanyPersonalEmail, Reason: schema.CompanyReason(schema.CompanyPersonalEmail, "")}
	case id.name != "":
		return &schema.CompanyResult{Status: schema.CompanyNotFound, Name: id.name, Reason: schema.CompanyReason(schema.CompanyNotFound, id.name)}
	}
	return &schema.CompanyResult{Status: schema.CompanyNotFound, Reason: schema.CompanyReason(schema.CompanyNotFound, "")}
}

// nameFits reports whether a company name agrees with a record known at a
// domain.
func nameFits(name string, at []companydata.Company) bool {
	for _, c := range at {
		if companymatch.Similarity(name, c.Name) >= 0.6 {
			return true
		}
	}
	return false
}

// vote lets contacts whose company name was not resolved take the domain
// most of the job's contacts with that name have at work: those of this
// batch and of the job's batches this process enriched before it.
func (c *Companies) vote(job *jobState, ids []identity, out []*schema.CompanyResult) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, id := range ids {
		if id.nameKey == "" || id.emailDomain == "" || out[i] == nil || out[i].Status != schema.CompanyMatched {
			continue
		}
		t := job.tally[id.nameKey]
		if t == nil {
			if len(job.tally) >= maxJobEntries {
				continue
			}
			t = &votes{}
			job.tally[id.nameKey] = t
		}
		t.add(id.emailDomain)
	}
	for i, id := range ids {
		r := out[i]
		if r == nil || id.nameKey == "" || (r.Status != schema.CompanyNotFound && r.Status != schema.CompanyPersonalEmail) {
			continue
		}
		winner, best, total := job.tally[id.nameKey].leader()
		if best*2 > total {
			*r = schema.CompanyResult{Status: schema.CompanyMatched, Domain: winner, Confidence: 0.7 * float64(best) / float64(total),
				Source: SourceContact, Method: MethodNameVote,
				Reason: fmt.Sprintf("%d of %d contacts named %q in this job are at %s", best, total, id.name, winner)}
		}
	}
}

// votes counts the work domains of the contacts with one company name.
// Most names have one domain, held without a map.
type votes struct {
	domain string
	n      int
	others map[string]int // the other domains, once there are any
}

func (v *votes) add(domain string) {
	switch {
	case v.n == 0:
		v.domain, v.n = strings.Clone(domain), 1 // not the whole address it was cut from
	case v.domain == domain:
		v.n++
	case v.others == nil:
		v.others = map[string]int{strings.Clone(domain): 1}
	default:
		if _, ok := v.others[domain]; !ok {
			domain = strings.Clone(domain)
		}
		v.others[domain]++
	}
}

// leader is the domain with the most votes (the first in order on a tie),
// its votes and the votes of all; "", 0, 0 for a nil v.
func (v *votes) leader() (winner string, best, total int) {
	if v == nil {
		return "", 0, 0
	}
	winner, best, total = v.domain, v.n, v.n
	for d, n := range v.others {
		total += n
		if n > best || (n == best && d < winner) {
			winner, best = d, n
		}
	}
	return winner, best, total
}

// nameAsGiven is the Fields of a result whose only value with a
// provenance is the contact's company name as given, most of them when
// there is no reference data: one map that all of them share, so it is
// never written to (see ownFields).
var nameAsGiven = map[string]schema.Provenance{"name": schema.AsGiven}

// ownFields is a copy of fields to add values to: fields may be
// nameAsGiven, or nil.
func ownFields(fields map[string]schema.Provenance) map[string]schema.Provenance {
	own := make(map[string]schema.Provenance, len(fields)+len(schema.CompanyFields))
	maps.Copy(own, fields)
	return own
}

// describe fills in what the reference data knows of the company at the
// result's domain, each value with its provenance.
func (c *Companies) describe(r *schema.CompanyResult, id identity, known map[string][]companydata.Company) {
	recs := known[r.Domain]
	if r.Domain == "" || len(recs) == 0 {
		if r.Domain != "" && id.name != "" && id.columnDomain == "" {
			r.Name, r.Fields = id.name, nameAsGiven
		}
		return
	}
	rec := recs[0]
	for _, x := range recs[1:] {
		if id.name != "" && companymatch.Similarity(id.name, x.Name) > companymatch.Similarity(id.name, rec.Name) {
			rec = x
		}
	}
	p := schema.Provenance{Source: SourceReference + ":" + rec.Source, Method: MethodDomainLookup, Confidence: r.Confidence}
	r.Fields = map[string]schema.Provenance{}
	set := func(field string, ok bool) {
		if ok {
			r.Fields[field] = p
		}
	}
	r.Name = rec.Name
	set("name", rec.Name != "")
	r.Size, r.SizeMin, r.SizeMax = rec.SizeText, rec.SizeMin, rec.SizeMax
	set("size", rec.SizeMin > 0)
	r.Locality, r.Region, r.CountryCode, r.CountryName = rec.Locality, rec.Region, rec.CountryCode, rec.CountryName
	set("location", rec.Locality != "" || rec.Region != "" || rec.CountryName != "")
	r.Industry = rec.Industry
	set("industry", rec.Industry != "")
	r.LinkedIn = rec.LinkedIn
	set("linkedin", rec.LinkedIn != "")
	r.Founded = rec.Founded
	set("founded", rec.Founded > 0)
}

// fromWebsites fills the values the reference data did not give from the
// companies' homepages, each domain read once and kept for TTL.
func (c *Companies) fromWebsites(ctx context.Context, out []*schema.CompanyResult) {
	for _, r := range out {
		if r == nil || r.Domain == "" || (r.Status != schema.CompanyMatched && r.Status != schema.CompanyIdentityConflict) {
			continue
		}
		if _, fromData := r.Fields["name"]; fromData && r.Fields["name"].Source != SourceContact {
			continue
		}
		info, ok := c.homepage(ctx, r.Domain)
		if !ok {
			continue
		}
		r.Fields = ownFields(r.Fields)
		p := schema.Provenance{Source: "company_website", Method: info.Source, Confidence: r.Confidence * 0.9}
		name := info.Name
		if name == "" {
			name = info.LegalName
		}
		if name != "" {
			r.Name, r.Fields["name"] = name, p
		}
		if sz, ok := companymatch.ParseSize(info.Employees); ok && r.SizeMin == 0 {
			r.Size, r.SizeMin, r.SizeMax, r.Fields["size"] = sz.String(), sz.Min, sz.Max, p
		}
		if info.Locality != "" || info.Region != "" || info.Country != "" {
			r.Locality, r.Region = info.Locality, info.Region
			r.CountryCode, r.CountryName, _ = companymatch.Country(info.Country)
			r.Fields["location"] = p
		}
		if info.Founded > 0 {
			r.Founded, r.Fields["founded"] = info.Founded, p
		}
		for _, u := range info.SameAs {
			if strings.Contains(u, "linkedin.com/company/") {
				r.LinkedIn, r.Fields["linkedin"] = u, p
				break
			}
		}
	}
}

// homepage reads a domain's homepage, from the cache when it can.
func (c *Companies) homepage(ctx context.Context, domain string) (website.Info, bool) {
	ttl := c.TTL
	if ttl <= 0 {
		ttl = time.Hour
	}
	now := time.Now()
	c.mu.Lock()
	if s, ok := c.sites[domain]; ok && now.Before(s.until) {
		c.mu.Unlock()
		return s.info, s.ok
	}
	down := now.Before(c.webDown)
	c.mu.Unlock()
	if down {
		return website.Info{}, false
	}
	info, err := c.Web.Fetch(ctx, domain)
	ok := err == nil && info.Source != ""
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sites == nil || len(c.sites) > maxCached {
		c.sites = map[string]site{}
	}
	c.sites[domain] = site{info: info, ok: ok, until: now.Add(ttl)}
	if err != nil {
		if c.webFailures++; c.webFailures >= 20 {
			c.webDown, c.webFailures = now.Add(time.Minute), 0
		}
	} else {
		c.webFailures = 0
	}
	return info, ok
}

// byDomain reads the reference records of domains, from the cache when it
// can: each distinct domain is looked up once.
func (c *Companies) byDomain(ctx context.Context, domains []string) map[string][]companydata.Company {
	out := map[string][]companydata.Company{}
	if c.noData(ctx) {
		return out // nothing to ask, and nothing to remember
	}
	ttl := c.TTL
	if ttl <= 0 {
		ttl = time.Hour
	}
	now := time.Now()
	var missing []string
	c.mu.Lock()
	for _, d := range domains {
		if d == "" {
			continue
		}
		if e, ok := c.cache[d]; ok && now.Before(e.until) {
			out[d] = e.companies
		} else if _, seen := out[d]; !seen {
			out[d] = nil
			missing = append(missing, d)
		}
	}
	c.mu.Unlock()
	if len(missing) == 0 {
		return out
	}
	found, err := c.Data.ByDomain(ctx, missing)
	if err != nil {
		return out // not cached: asked again next time
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cache == nil || len(c.cache) > maxCached {
		c.cache = map[string]cached{}
	}
	for _, d := range missing {
		out[d] = found[d]
		c.cache[d] = cached{companies: found[d], until: now.Add(ttl)}
	}
	return out
}

// registrable is the registrable domain (public suffix list) of d.
func registrable(d string) string {
	if reg, err := publicsuffix.EffectiveTLDPlusOne(d); err == nil {
		return reg
	}
	return d
}

// domainIn returns the registrable domain when a company column holds a
// domain or URL ("acme.com", "https://www.acme.com/about"), else "".
func domainIn(s string) string {
	if s == "" || strings.ContainsAny(s, " \t") {
		return ""
	}
	host := s
	if strings.Contains(s, "://") {
		u, err := url.Parse(s)
		if err != nil {
			return ""
		}
		host = u.Hostname()
	} else if i := strings.IndexAny(host, "/?#"); i >= 0 {
		host = host[:i]
	}
	host = strings.TrimPrefix(strings.ToLower(strings.TrimSuffix(host, ".")), "www.")
	if !strings.Contains(host, ".") {
		return ""
	}
	suffix, icann := publicsuffix.PublicSuffix(host)
	if !icann || suffix == host {
		return ""
	}
	return registrable(host)
}
