package store

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"testing"
	"time"

	"github.com/uptrace/bun/driver/pgdriver"
)

// What is written waits in the buffer until the connection reads, then
// goes out in one piece before the read: a server that answers a request
// gets the whole request.
func TestCoalescedConnFlushesBeforeRead(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- err.Error()
			return
		}
		defer c.Close()
		buf := make([]byte, 3)
		if _, err := io.ReadFull(c, buf); err != nil {
			got <- err.Error()
			return
		}
		got <- string(buf)
		_, _ = c.Write([]byte("ok"))
	}()

	var conf pgdriver.Config
	conf.Dialer = func(ctx context.Context, network, addr string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}
	coalesceWrites()(&conf)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := conf.Dialer(ctx, "tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	for _, s := range []string{"a", "b", "c"} {
		if _, err := c.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	if n := c.(*coalescedConn).w.Buffered(); n != 3 {
		t.Fatalf("%d bytes buffered after three writes, want 3", n)
	}
	answer := make([]byte, 2)
	if _, err := io.ReadFull(c, answer); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != "abc" || string(answer) != "ok" {
		t.Errorf("server read %q and answered %q, want abc and ok", s, answer)
	}
}

// The pool's check finds the coalesced connection under TLS too.
func TestCoalescedUnderTLS(t *testing.T) {
	client, server := net.Pipe()
	defer client.Close()
	defer server.Close()
	cc := &coalescedConn{Conn: client}
	tests := []struct {
		name string
		conn net.Conn
		want *coalescedConn
	}{
		{"plain", cc, cc},
		{"tls", tls.Client(cc, &tls.Config{ServerName: "db.example"}), cc},
		{"other", client, nil},
	}
	for _, tt := range tests {
		if got := coalesced(tt.conn); got != tt.want {
			t.Errorf("%s: coalesced = %p, want %p", tt.name, got, tt.want)
		}
	}
}
