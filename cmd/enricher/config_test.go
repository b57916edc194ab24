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
