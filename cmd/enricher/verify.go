package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
)

// verifyChunk is how many stdin lines are verified together.
const verifyChunk = 1000

// runVerify checks the addresses given as arguments, or else one per line
// of stdin, and prints one JSON object per address in input order.
func runVerify(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	cfg, fs, err := parseConfig("verify-email", args, getenv, stderr, nil)
	if err != nil {
		return err
	}
	v, err := cfg.verifier()
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	emit := func(addrs []string) error {
		for _, r := range v.VerifyAll(ctx, addrs) {
			if err := enc.Encode(r); err != nil {
				return fmt.Errorf("write: %w", err)
			}
		}
		return ctx.Err()
	}
	if fs.NArg() > 0 {
		return emit(fs.Args())
	}
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var chunk []string
	for sc.Scan() {
		chunk = append(chunk, sc.Text())
		if len(chunk) == verifyChunk {
			if err := emit(chunk); err != nil {
				return err
			}
			chunk = chunk[:0]
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read stdin: %w", err)
	}
	return emit(chunk)
}
