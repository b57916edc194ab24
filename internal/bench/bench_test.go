package bench

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
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

func TestCPUTime(t *testing.T) {
	before, err := CPUTime(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	machineBefore, err := MachineCPU()
	if err != nil {
		t.Fatal(err)
	}
	// Busy until the process's counter has moved by a few ticks.
	deadline := time.Now().Add(10 * time.Second)
	after := before
	for after-before < 50*time.Millisecond && time.Now().Before(deadline) {
		x := 0
		for i := range 10_000_000 {
			x += i * i
		}
		sink = x
		if after, err = CPUTime(os.Getpid()); err != nil {
			t.Fatal(err)
		}
	}
	if after-before < 50*time.Millisecond {
		t.Fatalf("CPU time went from %v to %v while the test spun", before, after)
	}
	machineAfter, err := MachineCPU()
	if err != nil {
		t.Fatal(err)
	}
	if machineAfter-machineBefore < after-before-20*time.Millisecond {
		t.Errorf("the machine was busy %v, less than this process's %v", machineAfter-machineBefore, after-before)
	}
	if _, err := CPUTime(-1); err == nil {
		t.Error("CPUTime of no process gave no error")
	}
}

var sink int

func TestWriteTableCPU(t *testing.T) {
	r := &Report{CPUs: 2, Stacks: []StackResult{{Stack: "real", JobID: "j", E2ESecs: 10,
		Processes: []ProcessResult{{Name: "worker-1", JobCPUSecs: 4.5}, {Name: "api", JobCPUSecs: 1.25}},
		CPU:       &CPUUse{MachineSecs: 19, BenchSecs: 1.5, OtherSecs: 11.75}}}}
	var b strings.Builder
	if err := r.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	want := "19.0 s of 2 CPUs × 10.0 s (95%): worker-1 4.5, api 1.2, this benchmark 1.5, the rest 11.8 (Kafka, PostgreSQL, other work)"
	if !strings.Contains(b.String(), want) {
		t.Errorf("table\n%s\nwant %q", b.String(), want)
	}
}

func TestWriteTableWarmup(t *testing.T) {
	tests := []struct {
		warm *Warmup
		want string // "" for no warm-up line
	}{
		{nil, ""},
		{&Warmup{Status: "SUCCEEDED", E2ESecs: 12.3}, "12.30 s end to end (SUCCEEDED): the same file through a stack of its own first"},
		{&Warmup{Status: "FAILED", E2ESecs: 1, Error: "upload:\n  refused"}, "failed: upload: refused"},
	}
	for _, tt := range tests {
		r := &Report{Stacks: []StackResult{{Stack: "real", JobID: "j", Warmup: tt.warm}}}
		var b strings.Builder
		if err := r.WriteTable(&b); err != nil {
			t.Fatal(err)
		}
		got := b.String()
		if tt.want == "" && strings.Contains(got, "warm-up") || tt.want != "" && !strings.Contains(got, tt.want) {
			t.Errorf("warm-up %+v: table\n%s\nwant %q", tt.warm, got, tt.want)
		}
	}
}
