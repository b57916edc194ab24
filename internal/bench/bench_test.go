package bench

import (
	"os"
	"path/filepath"
	"strings"
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

func TestWriteTableLag(t *testing.T) {
	tests := []struct {
		done float64
		want string
	}{
		{12.5, "workers done at 12.50 s"},
		{0, "no sample saw the workers done before the job ended"},
	}
	for _, tt := range tests {
		r := &Report{Stacks: []StackResult{{Stack: "real", JobID: "j", Lag: &Lag{Samples: 3, MaxBatches: 7, WorkersDoneSecs: tt.done}}}}
		var b strings.Builder
		if err := r.WriteTable(&b); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), tt.want) || strings.Contains(b.String(), "done at 0.00") {
			t.Errorf("workers done after %v s: table\n%s\nwant %q", tt.done, b.String(), tt.want)
		}
	}
}
