package website

import (
	"bytes"
	"encoding/json"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Sources of an Info.
const (
	SourceSchemaOrg = "schema_org"
	SourceOpenGraph = "open_graph"
)

// Parse reads a UTF-8 HTML page fetched from pageURL and returns what
// it says about the organisation behind it.
//
// It reads every <script type="application/ld+json"> (single objects,
// arrays and @graph) for a node of type Organization or one of its
// subtypes (Corporation, LocalBusiness and its subtypes, NGO,
// EducationalOrganization, ...); when there are several, the first whose
// url is on pageURL's host wins, else the first. Scripts that are not
// valid JSON are skipped. It also reads the OpenGraph meta tags, the
// description meta tag and the title.
//
// Source is SourceSchemaOrg when an organisation node was found,
// SourceOpenGraph when only OpenGraph tags were, and empty when neither
// was: that is not an error. Name is the organisation's name, or
// og:site_name when Source is SourceOpenGraph. Description is the
// organisation's description, else og:description, else the description
// meta tag. The error is that of reading r.
func Parse(r io.Reader, pageURL string) (Info, error) {
	doc, err := html.Parse(r)
	if err != nil {
		return Info{}, err
	}
	p := page{}
	p.walk(doc)

	info := Info{URL: pageURL, Title: p.title, OGSiteName: p.og["og:site_name"], OGTitle: p.og["og:title"]}
	if org := pickOrg(p.orgs, pageURL); org != nil {
		info.Source = SourceSchemaOrg
		org.fill(&info)
	} else if len(p.og) > 0 {
		info.Source = SourceOpenGraph
		info.Name = info.OGSiteName
	}
	for _, d := range []string{info.Description, p.og["og:description"], p.description} {
		if d != "" {
			info.Description = d
			break
		}
	}
	return info, nil
}

// page collects what Parse needs from the document tree.
type page struct {
	title       string
	description string
	og          map[string]string // og:* properties, first value of each
	orgs        []node            // organisation nodes, in document order
}

func (p *page) walk(n *html.Node) {
	if n.Type == html.ElementNode {
		switch n.DataAtom {
		case atom.Title:
			if p.title == "" {
				p.title = clean(textOf(n))
			}
		case atom.Meta:
			p.meta(n)
		case atom.Script:
			if isJSONLD(attr(n, "type")) {
				p.jsonLD(textOf(n))
			}
			return
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		p.walk(c)
	}
}

func (p *page) meta(n *html.Node) {
	content := clean(attr(n, "content"))
	if content == "" {
		return
	}
	// OpenGraph asks for property=, but name= is common in the wild.
	key := strings.ToLower(strings.TrimSpace(attr(n, "property")))
	if key == "" {
		key = strings.ToLower(strings.TrimSpace(attr(n, "name")))
	}
	switch {
	case strings.HasPrefix(key, "og:"):
		if p.og == nil {
			p.og = make(map[string]string)
		}
		if _, ok := p.og[key]; !ok {
			p.og[key] = content
		}
	case key == "description" && p.description == "":
		p.description = content
	}
}

func isJSONLD(typ string) bool {
	mt, _, _ := strings.Cut(typ, ";")
	return strings.EqualFold(strings.TrimSpace(mt), "application/ld+json")
}

// jsonLD collects the organisation nodes of one script.
func (p *page) jsonLD(src string) {
	src = strings.TrimSpace(src)
	// Tolerate wrappers and slips seen on real sites: CDATA and comment
	// wrappers, a trailing semicolon, raw line breaks inside strings.
	for _, w := range [][2]string{{"<![CDATA[", "]]>"}, {"//<![CDATA[", "//]]>"}, {"<!--", "-->"}} {
		if strings.HasPrefix(src, w[0]) && strings.HasSuffix(src, w[1]) {
			src = strings.TrimSpace(src[len(w[0]) : len(src)-len(w[1])])
		}
	}
	src = strings.TrimSuffix(src, ";")
	src = strings.NewReplacer("\n", " ", "\r", " ", "\t", " ").Replace(src)

	var v any
	dec := json.NewDecoder(strings.NewReader(src))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return
	}
	var top []node
	collectTop(v, &top)
	var orgs []node
	for _, n := range top {
		if n.isOrg() {
			orgs = append(orgs, n)
		}
	}
	if len(orgs) == 0 {
		// A WebSite or WebPage often carries its owner inline.
		for _, n := range top {
			for _, k := range []string{"publisher", "provider", "copyrightHolder"} {
				if o, ok := n[k].(map[string]any); ok && node(o).isOrg() {
					orgs = append(orgs, o)
				}
			}
		}
	}
	p.orgs = append(p.orgs, orgs...)
}

// collectTop flattens arrays and @graph into the top-level nodes.
func collectTop(v any, out *[]node) {
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			collectTop(e, out)
		}
	case map[string]any:
		if g, ok := v["@graph"]; ok {
			collectTop(g, out)
		}
		if _, ok := v["@type"]; ok {
			*out = append(*out, v)
		}
	}
}

// node is a JSON-LD node object.
type node map[string]any

func (n node) isOrg() bool {
	for _, t := range list(n["@type"]) {
		s, _ := t.(string)
		for _, prefix := range []string{"http://schema.org/", "https://schema.org/", "schema:"} {
			s = strings.TrimPrefix(s, prefix)
		}
		if orgTypes[s] || strings.HasSuffix(s, "Organization") || strings.HasSuffix(s, "Business") || strings.HasSuffix(s, "Store") {
			return true
		}
	}
	return false
}

// orgTypes are schema.org subtypes of Organization whose names do not end
// in Organization, Business or Store (those are accepted by name).
var orgTypes = map[string]bool{
	"Corporation": true, "NGO": true, "Airline": true, "Consortium": true,
	"Cooperative": true, "FundingScheme": true, "LibrarySystem": true,
	"PerformingGroup": true, "MusicGroup": true, "DanceGroup": true, "TheaterGroup": true,
	"PoliticalParty": true, "WorkersUnion": true, "SportsTeam": true, "Project": true,
	"FundingAgency": true, "ResearchProject": true, "CollegeOrUniversity": true,
	"School": true, "ElementarySchool": true, "HighSchool": true, "MiddleSchool": true,
	"Preschool": true, "GovernmentOffice": true, "Library": true,
	// LocalBusiness and common subtypes.
	"AccountingService": true, "Attorney": true, "AutoDealer": true, "AutoRepair": true,
	"BankOrCreditUnion": true, "Bakery": true, "BarOrPub": true, "CafeOrCoffeeShop": true,
	"ChildCare": true, "Dentist": true, "Electrician": true, "EmploymentAgency": true,
	"FinancialService": true, "FoodEstablishment": true, "GeneralContractor": true,
	"Hospital": true, "Hotel": true, "InsuranceAgency": true, "LegalService": true,
	"LodgingBusiness": true, "Notary": true, "Optician": true, "Pharmacy": true,
	"Physician": true, "Plumber": true, "ProfessionalService": true, "RealEstateAgent": true,
	"Restaurant": true, "TravelAgency": true, "VeterinaryCare": true,
}

// pickOrg returns the organisation whose url is on pageURL's host, else
// the first, else nil.
func pickOrg(orgs []node, pageURL string) *node {
	if len(orgs) == 0 {
		return nil
	}
	if pu, err := url.Parse(pageURL); err == nil && pu.Hostname() != "" {
		want := strings.TrimPrefix(strings.ToLower(pu.Hostname()), "www.")
		for i, o := range orgs {
			ou, err := url.Parse(text(o["url"]))
			if err == nil && strings.TrimPrefix(strings.ToLower(ou.Hostname()), "www.") == want {
				return &orgs[i]
			}
		}
	}
	return &orgs[0]
}

func (n node) fill(info *Info) {
	info.Name = text(n["name"])
	info.LegalName = text(n["legalName"])
	info.Description = text(n["description"])
	info.Employees = employees(n["numberOfEmployees"])
	info.Founded = year(n["foundingDate"])
	for _, v := range list(n["sameAs"]) {
		s := text(v)
		if u, err := url.Parse(s); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && !slices.Contains(info.SameAs, s) {
			info.SameAs = append(info.SameAs, s)
		}
	}
	addr := postalAddress(n["address"])
	if addr == nil {
		if loc, ok := first(n["location"]).(map[string]any); ok {
			addr = postalAddress(loc["address"])
		}
	}
	if addr != nil {
		info.Locality = text(addr["addressLocality"])
		info.Region = text(addr["addressRegion"])
		info.Country = text(addr["addressCountry"])
	}
}

// postalAddress returns the first address given as an object; an address
// given as plain text is not split into parts.
func postalAddress(v any) node {
	for _, e := range list(v) {
		if m, ok := e.(map[string]any); ok {
			return m
		}
	}
	return nil
}

// employees renders numberOfEmployees: a QuantitativeValue's value as is,
// its minValue and maxValue as "min-max" (or "min+" without a maximum),
// or a number or text as is.
func employees(v any) string {
	m, ok := first(v).(map[string]any)
	if !ok {
		return text(v)
	}
	if s := text(m["value"]); s != "" {
		return s
	}
	lo, hi := text(m["minValue"]), text(m["maxValue"])
	switch {
	case lo != "" && hi != "":
		return lo + "-" + hi
	case lo != "":
		return lo + "+"
	case hi != "":
		return "1-" + hi
	}
	return ""
}

// year returns the year of a foundingDate such as "2009", "2009-03-01"
// or 2009, or 0.
func year(v any) int {
	s := text(v)
	if len(s) < 4 || (len(s) > 4 && s[4] >= '0' && s[4] <= '9') {
		return 0
	}
	y, err := strconv.Atoi(s[:4])
	if err != nil || y < 1000 {
		return 0
	}
	return y
}

// text returns a JSON-LD value as trimmed text: strings, numbers, value
// objects ({"@value": ...}), named objects ({"name": ...}, as for a
// Country) and the first non-empty element of an array.
func text(v any) string {
	switch v := v.(type) {
	case string:
		return clean(v)
	case json.Number:
		return v.String()
	case map[string]any:
		if s := text(v["@value"]); s != "" {
			return s
		}
		return text(v["name"])
	case []any:
		for _, e := range v {
			if s := text(e); s != "" {
				return s
			}
		}
	}
	return ""
}

func list(v any) []any {
	if a, ok := v.([]any); ok {
		return a
	}
	if v == nil {
		return nil
	}
	return []any{v}
}

func first(v any) any {
	if l := list(v); len(l) > 0 {
		return l[0]
	}
	return nil
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

func textOf(n *html.Node) string {
	var b bytes.Buffer
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}

// clean collapses runs of white space.
func clean(s string) string { return strings.Join(strings.Fields(s), " ") }
