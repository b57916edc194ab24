//go:build unix

package store

import (
	"bufio"
	"errors"
	"net"
	"syscall"
	"testing"
)

// An idle connection reads as spoken to once the server sends anything or
// closes it, and not before.
func TestPeerSpoke(t *testing.T) {
	for _, closes := range []bool{false, true} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		accepted := make(chan net.Conn, 1)
		go func() {
			c, err := ln.Accept()
			if err != nil {
				close(accepted)
				return
			}
			accepted <- c
		}()
		raw, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		c := &coalescedConn{Conn: raw, w: bufio.NewWriter(raw)}
		server, ok := <-accepted
		if !ok {
			t.Fatal("accept failed")
		}
		if c.peerSpoke() {
			t.Fatal("peerSpoke before the server did anything")
		}
		if closes {
			server.Close()
		} else {
			defer server.Close()
			if _, err := server.Write([]byte("E")); err != nil {
				t.Fatal(err)
			}
		}
		waitReadable(t, raw)
		if !c.peerSpoke() {
			t.Errorf("close %v: peerSpoke false after the server spoke", closes)
		}
		if !c.peerSpoke() {
			t.Errorf("close %v: peerSpoke consumed what it saw", closes)
		}
	}
}

// waitReadable blocks until c has something to read (or its end).
func waitReadable(t *testing.T, c net.Conn) {
	t.Helper()
	rc, err := c.(syscall.Conn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var b [1]byte
	err = rc.Read(func(fd uintptr) bool {
		_, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		return !errors.Is(err, syscall.EAGAIN) // false: wait until readable
	})
	if err != nil {
		t.Fatal(err)
	}
}
