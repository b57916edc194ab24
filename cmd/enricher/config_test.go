package main

import (
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

func TestConfigPrecedence(t *testing.T) {
	env := map[string]string{"BATCH_SIZE": "250", "KAFKA_SESSION_TIMEOUT": "3s", "HTTP_ADDR": "127.0.0.1:1"}
	cfg, fs, err := parseConfig("x", []string{"FILE", "--http-addr", "127.0.0.1:2", "-batch-size=300"}, func(k string) string { return env[k] }, io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.batchSize != 300 || cfg.httpAddr != "127.0.0.1:2" || cfg.sessionTimeout != 3*time.Second || cfg.partitions != 6 {
		t.Errorf("config = %+v: flags should beat the environment, which beats the defaults", cfg)
	}
	if fs.NArg() != 1 || fs.Arg(0) != "FILE" {
		t.Errorf("positional arguments = %v", fs.Args())
	}
	if _, _, err := parseConfig("x", nil, func(k string) string { return map[string]string{"BATCH_SIZE": "many"}[k] }, io.Discard, nil); err == nil || !strings.Contains(err.Error(), "BATCH_SIZE") {
		t.Errorf("a bad environment value should be named in the error, got %v", err)
	}
}

// The README's table lists every setting, with its flag and variable.
func TestReadmeListsEverySetting(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range settings(&config{}) {
		row := "| `--" + s.flag + "` | `" + s.env + "` |"
		if !strings.Contains(string(readme), row) {
			t.Errorf("README.md has no row %q", row)
		}
	}
}

func TestMemoryLimit(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"200MiB", 200 << 20, true},
		{"1GiB", 1 << 30, true},
		{"512 KiB", 512 << 10, true},
		{"1000B", 1000, true},
		{"123456", 123456, true},
		{"0", 0, true},
		{"", 0, false},
		{"-1MiB", 0, false},
		{"lots", 0, false},
		{"9999999999GiB", 0, false},
	}
	for _, tt := range tests {
		c := &config{memoryLimit: tt.in}
		got, err := c.memoryLimitBytes()
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("memoryLimitBytes(%q) = %d, %v; want %d, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestMemorySettings(t *testing.T) {
	tests := []struct {
		limit, gc string
		wantLimit int64
		wantGC    int
		ok        bool
	}{
		{"128MiB", "off", 128 << 20, -1, true},
		{"128MiB", " off ", 128 << 20, -1, true},
		{"0", "off", 0, 0, false}, // never collected
		{"0", "100", 0, 100, true},
		{"64MiB", "50", 64 << 20, 50, true},
		{"64MiB", "0", 0, 0, false},
		{"64MiB", "-1", 0, 0, false},
		{"64MiB", "Off", 0, 0, false},
		{"64MiB", "", 0, 0, false},
		{"lots", "off", 0, 0, false},
	}
	for _, tt := range tests {
		c := &config{memoryLimit: tt.limit, gcPercent: tt.gc}
		limit, gc, err := c.memorySettings()
		if (err == nil) != tt.ok || limit != tt.wantLimit || gc != tt.wantGC {
			t.Errorf("memorySettings(%q, %q) = %d, %d, %v; want %d, %d, ok %v", tt.limit, tt.gc, limit, gc, err, tt.wantLimit, tt.wantGC, tt.ok)
		}
	}
}
