package store

import (
	"bufio"
	"context"
	"database/sql/driver"
	"net"

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
			return &coalescedConn{Conn: c, w: bufio.NewWriterSize(c, 64<<10)}, nil
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

// coalescedConn buffers writes until the next Read or Close.
type coalescedConn struct {
	net.Conn
	w *bufio.Writer
}

func (c *coalescedConn) Write(p []byte) (int, error) { return c.w.Write(p) }

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
