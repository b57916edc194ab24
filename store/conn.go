package store

import (
	"bufio"
	"context"
	"database/sql/driver"
	"net"
	"time"

	"github.com/uptrace/bun/driver/pgdriver"
)

// coalesceWrites makes the PostgreSQL driver's connections gather what it
// writes and send it when it next reads. The driver writes each message
// with a syscall of its own and cuts COPY data into 1 KiB messages, so a
// COPY of a million rows took about a million write syscalls; gathered, it
// takes one per 64 KiB. The protocol always reads an answer after writing,
// so nothing waits in the buffer while the server waits for it.
func coalesceWrites() pgdriver.Option {
	return func(conf *pgdriver.Config) {
		dial := conf.Dialer
		conf.Dialer = func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := dial(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return newCoalescedConn(c), nil
		}
	}
}

// dropClosed makes the pool leave out a connection the server closed while
// it sat idle (a restart of PostgreSQL, pg_terminate_backend), whose first
// query would fail, and take another. PostgreSQL does not speak unasked on
// a connection that is not listening for notifications, so anything
// readable on an idle one, its end included, means it is gone.
func dropClosed() pgdriver.Option {
	return pgdriver.WithResetSessionFunc(func(_ context.Context, cn *pgdriver.Conn) error {
		if c := coalesced(cn.Conn()); c != nil && c.peerSpoke() {
			return driver.ErrBadConn
		}
		return nil
	})
}

// coalesced returns the coalescedConn c is, or that a TLS connection c
// runs over (sslmode=require and the like), or nil. Whatever the server
// sends, TLS records included, shows on the socket underneath.
func coalesced(c net.Conn) *coalescedConn {
	if t, ok := c.(interface{ NetConn() net.Conn }); ok {
		c = t.NetConn()
	}
	cc, _ := c.(*coalescedConn)
	return cc
}

// coalescedConn buffers writes until the next Read or Close. The driver
// also sets a write deadline before each message it writes, a change of
// the socket's timer each time; the socket gets the latest one when the
// gathered messages are written to it.
type coalescedConn struct {
	net.Conn
	w             *bufio.Writer // writes to the socket through socketWriter
	writeDeadline time.Time     // for the next write to the socket
}

func newCoalescedConn(c net.Conn) *coalescedConn {
	cc := &coalescedConn{Conn: c}
	cc.w = bufio.NewWriterSize(socketWriter{cc}, 64<<10)
	return cc
}

// socketWriter writes to the socket under the latest write deadline.
type socketWriter struct{ c *coalescedConn }

func (s socketWriter) Write(p []byte) (int, error) {
	if err := s.c.Conn.SetWriteDeadline(s.c.writeDeadline); err != nil {
		return 0, err
	}
	return s.c.Conn.Write(p)
}

func (c *coalescedConn) Write(p []byte) (int, error) { return c.w.Write(p) }

func (c *coalescedConn) SetWriteDeadline(t time.Time) error {
	c.writeDeadline = t
	return nil
}

func (c *coalescedConn) SetDeadline(t time.Time) error {
	c.writeDeadline = t
	return c.Conn.SetReadDeadline(t)
}

func (c *coalescedConn) Read(p []byte) (int, error) {
	if c.w.Buffered() > 0 {
		if err := c.w.Flush(); err != nil {
			return 0, err
		}
	}
	return c.Conn.Read(p)
}

func (c *coalescedConn) Close() error {
	_ = c.w.Flush() // a Terminate message, if any; the connection goes either way
	return c.Conn.Close()
}
