package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
)

func TestKeysCommandErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		args []string
		want string
	}{
		{nil, "usage"},
		{[]string{"frob"}, `unknown command "frob"`},
		{[]string{"create"}, "--tenant is required"},
		{[]string{"create", "--tenant", "a b"}, `tenant "a b"`},
		{[]string{"create", "--tenant", "t", "extra"}, "unexpected arguments"},
		{[]string{"revoke"}, "give the ID of one key"},
		{[]string{"revoke", "no-such-id"}, `no key has the ID "no-such-id"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			args := append([]string{"keys"}, tt.args...)
			if len(tt.args) > 0 {
				args = append(args, "--data-dir", dir)
			}
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), args, func(string) string { return "" }, nil, &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one saying %q", err, tt.want)
			}
			if stdout.Len() != 0 {
				t.Errorf("printed %q on a failure", stdout.String())
			}
		})
	}
}

// --auth has no fixed default: api turns it on, dev off, unless it is set.
func TestAuthSetting(t *testing.T) {
	tests := []struct {
		env           string
		args          []string
		forAPI, onDev bool
	}{
		{"", nil, true, false},
		{"false", nil, false, false},
		{"true", nil, true, true},
		{"", []string{"--auth"}, true, true},
		{"true", []string{"--auth=false"}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.env+strings.Join(tt.args, ""), func(t *testing.T) {
			cfg, _, err := parseConfig("x", tt.args, func(k string) string { return map[string]string{"ENRICHER_AUTH": tt.env}[k] }, io.Discard, nil)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.auth.or(true) != tt.forAPI || cfg.auth.or(false) != tt.onDev {
				t.Errorf("auth for api %v, for dev %v; want %v, %v", cfg.auth.or(true), cfg.auth.or(false), tt.forAPI, tt.onDev)
			}
		})
	}
}
