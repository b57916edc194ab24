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

// deadlineConn records the write deadlines set on it and the writes made
// under each.
type deadlineConn struct {
	net.Conn
	set    []time.Time
	writes []time.Time // the deadline in force at each write
}

func (c *deadlineConn) SetWriteDeadline(t time.Time) error {
	c.set = append(c.set, t)
	return nil
}

func (c *deadlineConn) Write(p []byte) (int, error) {
	c.writes = append(c.writes, c.set[len(c.set)-1])
	return len(p), nil
}

func (c *deadlineConn) SetReadDeadline(time.Time) error { return nil }
func (c *deadlineConn) Read([]byte) (int, error)        { return 0, io.EOF }

// The socket gets a write deadline when something is written to it, the
// latest the driver set, not one per message the driver writes.
func TestCoalescedConnWriteDeadline(t *testing.T) {
	sock := &deadlineConn{}
	c := newCoalescedConn(sock)
	base := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for i := range 100 {
		_ = c.SetWriteDeadline(base.Add(time.Duration(i) * time.Second))
		if _, err := c.Write([]byte("message")); err != nil {
			t.Fatal(err)
		}
	}
	if len(sock.set) != 0 || len(sock.writes) != 0 {
		t.Fatalf("%d deadlines and %d writes reached the socket before a read", len(sock.set), len(sock.writes))
	}
	_, _ = c.Read(make([]byte, 1))
	if want := base.Add(99 * time.Second); len(sock.writes) != 1 || !sock.writes[0].Equal(want) || len(sock.set) != 1 {
		t.Errorf("socket saw deadlines %v and writes under %v, want one write under %v", sock.set, sock.writes, want)
	}
	// A message larger than the buffer goes out as it is written, under
	// the deadline set for it.
	_ = c.SetDeadline(base.Add(time.Hour))
	if _, err := c.Write(make([]byte, 100<<10)); err != nil {
		t.Fatal(err)
	}
	if last := sock.writes[len(sock.writes)-1]; !last.Equal(base.Add(time.Hour)) {
		t.Errorf("a large write went out under %v, want %v", last, base.Add(time.Hour))
	}
}
