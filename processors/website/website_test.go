package website

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/enricher/enricher/internal/safehttp"
)

func TestParse(t *testing.T) {
	tests := []struct {
		file, url string
		want      Info
	}{
		{"single.html", "https://acme.example/", Info{
			Name: "Acme Robotics", LegalName: "Acme Robotics, Inc.",
			Locality: "San Francisco", Region: "CA", Country: "US",
			Employees: "51-200", Founded: 2009,
			SameAs:     []string{"https://www.linkedin.com/company/acme-robotics", "https://twitter.com/acmerobotics"},
			OGSiteName: "Acme Robotics", OGTitle: "Acme Robotics – Industrial automation",
			Description: "Acme builds pick-and-place robots for small factories.",
			Title:       "Acme Robotics | Industrial automation that ships",
			Source:      SourceSchemaOrg, URL: "https://acme.example/",
		}},
		{"graph.html", "https://mueller-maschinenbau.example/", Info{
			Name: "Müller Maschinenbau", LegalName: "Müller Maschinenbau GmbH & Co. KG",
			Locality: "Stuttgart", Region: "Baden-Württemberg", Country: "DE",
			Employees: "250", Founded: 1953,
			SameAs:     []string{"https://www.linkedin.com/company/mueller-maschinenbau/", "https://de.wikipedia.org/wiki/M%C3%BCller_Maschinenbau"},
			OGSiteName: "Müller Maschinenbau", OGTitle: "Startseite - Müller Maschinenbau",
			Title:  "Startseite - Müller Maschinenbau",
			Source: SourceSchemaOrg, URL: "https://mueller-maschinenbau.example/",
		}},
		{"array.html", "https://daluca.example/", Info{
			Name: "Trattoria Da Luca", Locality: "London", Country: "GB",
			Employees: "12", Founded: 2015,
			SameAs: []string{"https://www.instagram.com/daluca"},
			Title:  "Trattoria Da Luca",
			Source: SourceSchemaOrg, URL: "https://daluca.example/",
		}},
		{"textaddress.html", "https://helpinghands.example/", Info{
			Name: "Helping Hands Foundation", Employees: "11-50", Founded: 1998,
			Description: "A charity spread over two lines.",
			Title:       "Helping Hands Foundation",
			Source:      SourceSchemaOrg, URL: "https://helpinghands.example/",
		}},
		{"malformed.html", "https://globex.example/", Info{
			Name: "Globex Corporation", OGSiteName: "Globex Corporation", OGTitle: "Globex – Home",
			Description: "Globex makes everything.", Title: "Globex",
			Source: SourceOpenGraph, URL: "https://globex.example/",
		}},
		{"opengraph.html", "https://initech.example/", Info{
			Name: "Initech", OGSiteName: "Initech", OGTitle: "Initech, logiciels de gestion",
			Description: "Initech édite des logiciels de gestion.",
			Title:       "Initech — Logiciels",
			Source:      SourceOpenGraph, URL: "https://initech.example/",
		}},
		{"publisher.html", "https://blog.hooli.example/", Info{
			Name: "Hooli", Employees: "1000+", Locality: "Palo Alto", Region: "CA", Country: "US",
			Title: "Blog", Source: SourceSchemaOrg, URL: "https://blog.hooli.example/",
		}},
		{"none.html", "https://jane.example/", Info{Title: "Just a page", URL: "https://jane.example/"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			got, err := Parse(f, tt.url)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseFields(t *testing.T) {
	tests := []struct {
		name, jsonLD string
		want         Info
	}{
		{"employees exact in QuantitativeValue", `{"@type":"Corporation","name":"A","numberOfEmployees":{"@type":"QuantitativeValue","value":"42"}}`,
			Info{Name: "A", Employees: "42"}},
		{"employees max only", `{"@type":"Organization","name":"A","numberOfEmployees":{"maxValue":10}}`,
			Info{Name: "A", Employees: "1-10"}},
		{"founding datetime", `{"@type":"Organization","name":"A","foundingDate":"2001-01-01T00:00:00Z"}`,
			Info{Name: "A", Founded: 2001}},
		{"founding not a year", `{"@type":"Organization","name":"A","foundingDate":"20010"}`,
			Info{Name: "A"}},
		{"schema prefixed type", `{"@type":"http://schema.org/EducationalOrganization","name":"U"}`,
			Info{Name: "U"}},
		{"value object name", `{"@type":"Organization","name":{"@value":"V","@language":"en"}}`,
			Info{Name: "V"}},
		{"LocalBusiness", `{"@type":"LocalBusiness","name":"Shop","address":{"@type":"PostalAddress","addressCountry":{"@type":"Country","name":"France"}}}`,
			Info{Name: "Shop", Country: "France"}},
		{"not an organisation", `{"@type":"Product","name":"Widget","brand":{"@type":"Organization","name":"Brand"}}`,
			Info{}},
		{"trailing semicolon", `{"@type":"Organization","name":"Semi"};`,
			Info{Name: "Semi"}},
		{"not JSON", `{"@type": "Organization", name: "Loose"}`, Info{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := `<html><head><script type="application/ld+json">` + tt.jsonLD + `</script></head></html>`
			got, err := Parse(strings.NewReader(page), "")
			if err != nil {
				t.Fatal(err)
			}
			if tt.want.Name != "" {
				tt.want.Source = SourceSchemaOrg
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}

func TestFetch(t *testing.T) {
	single, err := os.ReadFile(filepath.Join("testdata", "single.html"))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/en/", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/en/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(single)
	})
	mux.HandleFunc("/latin1/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=iso-8859-1")
		io.WriteString(w, "<html><head><meta property=\"og:site_name\" content=\"M\xfcller\"></head></html>")
	})
	mux.HandleFunc("/big/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write(single[:strings.Index(string(single), "<body>")])
		io.WriteString(w, strings.Repeat("<p>filler</p>", 1000))
	})
	mux.HandleFunc("/pdf/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
		io.WriteString(w, "%PDF-1.7")
	})
	mux.HandleFunc("/gone/", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "gone", http.StatusGone)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	// A port on loopback that refuses connections: listen, note, close.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()

	tests := []struct {
		name     string
		urls     []string
		wantErr  error
		wantURL  string
		wantName string
	}{
		{"redirected", []string{srv.URL + "/"}, nil, srv.URL + "/en/", "Acme Robotics"},
		{"fallback after refused connection", []string{closed + "/", srv.URL + "/en/"}, nil, srv.URL + "/en/", "Acme Robotics"},
		{"fallback after TLS failure", []string{strings.Replace(srv.URL, "http:", "https:", 1) + "/", srv.URL + "/en/"}, nil, srv.URL + "/en/", "Acme Robotics"},
		{"charset converted", []string{srv.URL + "/latin1/"}, nil, srv.URL + "/latin1/", "Müller"},
		{"truncated body parsed", []string{srv.URL + "/big/"}, nil, srv.URL + "/big/", "Acme Robotics"},
		{"not HTML", []string{srv.URL + "/pdf/", srv.URL + "/en/"}, ErrNotHTML, "", ""},
		{"no fallback on status", []string{srv.URL + "/gone/", srv.URL + "/en/"}, &StatusError{}, "", ""},
		{"no fallback on forbidden", []string{"http://10.0.0.1/", srv.URL + "/en/"}, safehttp.ErrForbiddenAddress, "", ""},
	}
	client := safehttp.New(safehttp.Config{Allow: loopback, MaxBytes: int64(len(single))})
	defer client.CloseIdleConnections()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := New(client)
			f.URLs = func(domain string) []string {
				if domain != "acme.example" {
					t.Errorf("URLs(%q), want acme.example", domain)
				}
				return tt.urls
			}
			info, err := f.Fetch(context.Background(), "Acme.Example.")
			var se *StatusError
			switch {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("Fetch: %v", err)
			case errors.As(tt.wantErr, &se):
				if !errors.As(err, &se) || se.StatusCode != http.StatusGone {
					t.Fatalf("err = %v, want HTTP 410", err)
				}
			case !errors.Is(err, tt.wantErr):
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if info.URL != tt.wantURL || info.Name != tt.wantName {
				t.Errorf("got URL %q name %q, want %q %q", info.URL, info.Name, tt.wantURL, tt.wantName)
			}
		})
	}
}

func TestFetchRefusesLoopbackByDefault(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("request reached the server")
	}))
	defer srv.Close()
	f := New(safehttp.New(safehttp.Config{}))
	f.URLs = func(string) []string { return []string{srv.URL + "/"} }
	if _, err := f.Fetch(context.Background(), "acme.example"); !errors.Is(err, safehttp.ErrForbiddenAddress) {
		t.Errorf("err = %v, want ErrForbiddenAddress", err)
	}
}

func TestFetchInvalidDomain(t *testing.T) {
	f := New(safehttp.New(safehttp.Config{Timeout: time.Second}))
	f.URLs = func(d string) []string {
		t.Errorf("fetched %q", d)
		return nil
	}
	for _, d := range []string{"", "acme.example/path", "user@acme.example", "acme.example:8080", "[::1]", "a b.example"} {
		if _, err := f.Fetch(context.Background(), d); err == nil {
			t.Errorf("Fetch(%q) succeeded", d)
		}
	}
}
