package bench

import (
	"os"
	"path/filepath"
	"testing"
)

func TestZone(t *testing.T) {
	zone := Zone(1000)
	fates := map[string]int{}
	for i := range 1000 {
		fate := DomainFate(i)
		fates[fate]++
		d, ok := zone[Domain(i)]
		switch {
		case fate == "nxdomain" && ok, fate != "nxdomain" && !ok:
			t.Fatalf("%s (%s): in zone = %v", Domain(i), fate, ok)
		case fate == "null_mx" && (len(d.MX) != 1 || d.MX[0].Host != "."):
			t.Fatalf("%s: want a null MX, got %+v", Domain(i), d)
		case fate == "a_only" && (len(d.MX) != 0 || len(d.A) != 1):
			t.Fatalf("%s: want one A record only, got %+v", Domain(i), d)
		}
	}
	if fates["mx"] < 800 || fates["nxdomain"] == 0 || fates["null_mx"] == 0 || fates["a_only"] == 0 {
		t.Errorf("fates = %v", fates)
	}
	for _, p := range append(Webmail, Disposable...) {
		if len(zone[p].MX) == 0 {
			t.Errorf("provider %s has no MX", p)
		}
	}
}

func TestCountCSV(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.csv")
	content := "email,row,x\na@b.test,1,\"two\nlines\"\nc@d.test,2,\ne@f.test,2,\n"
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	rows, distinct, err := CountCSV(path, 3)
	if err != nil || rows != 3 || distinct != 2 {
		t.Errorf("CountCSV = %d rows, %d distinct, %v; want 3, 2", rows, distinct, err)
	}
}

func TestPeakRSS(t *testing.T) {
	rss, err := PeakRSS(os.Getpid())
	if err != nil || rss < 1<<20 {
		t.Errorf("PeakRSS = %d, %v", rss, err)
	}
}
