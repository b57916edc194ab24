package smtpprobe

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/textproto"
	"os"
	"time"
)

// maxSession bounds what one session reads from a server.
const maxSession = 64 << 10

// session runs one SMTP session against host: greeting, EHLO (HELO as a
// fallback), MAIL FROM, RCPT TO, QUIT. transient reports a 4xx reply, which
// the caller may retry.
func (p *Prober) session(ctx context.Context, host, rcpt string) (res Result, transient bool) {
	release, err := p.acquire(ctx, host)
	if err != nil {
		if ctx.Err() != nil {
			return ctxResult(ctx.Err(), host), false
		}
		// The rate limiter would wait past ctx's deadline.
		return Result{Verdict: Timeout, MX: host, Text: err.Error(), CheckedAt: time.Now()}, false
	}
	defer release()

	conn, err := p.dial(ctx, host)
	if err != nil {
		return ioResult(ctx, host, err, ConnectFailed), false
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	c := &client{
		conn:    conn,
		r:       textproto.NewReader(bufio.NewReader(io.LimitReader(conn, maxSession))),
		timeout: p.cfg.CommandTimeout,
	}
	from := "<" + p.cfg.MailFrom + ">"
	if p.cfg.MailFrom == "<>" {
		from = "<>"
	}
	steps := []struct {
		cmd, fallback string
		rcpt          bool
	}{
		{cmd: ""}, // the greeting
		{cmd: "EHLO " + p.cfg.HeloName, fallback: "HELO " + p.cfg.HeloName},
		{cmd: "MAIL FROM:" + from},
		{cmd: "RCPT TO:<" + rcpt + ">", rcpt: true},
	}
	for _, st := range steps {
		r, err := c.cmd(st.cmd)
		if err == nil && r.code/100 == 5 && st.fallback != "" {
			r, err = c.cmd(st.fallback)
		}
		if err != nil {
			return ioResult(ctx, host, err, Unknown), false
		}
		if r.code/100 == 2 && !st.rcpt {
			continue
		}
		res = Result{
			Verdict:   classify(r, st.rcpt),
			MX:        host,
			Code:      r.code,
			Enhanced:  r.enhanced,
			Text:      r.text,
			CheckedAt: time.Now(),
		}
		c.cmd("QUIT") // best effort; also waits until the server has seen it
		return res, r.code/100 == 4
	}
	panic("unreachable")
}

// client sends commands and reads replies, each within timeout.
type client struct {
	conn    net.Conn
	r       *textproto.Reader
	timeout time.Duration
}

// cmd sends line (nothing if empty) and reads the reply.
func (c *client) cmd(line string) (reply, error) {
	c.conn.SetDeadline(time.Now().Add(c.timeout))
	if line != "" {
		if _, err := io.WriteString(c.conn, line+"\r\n"); err != nil {
			return reply{}, err
		}
	}
	code, msg, err := c.r.ReadResponse(0)
	if err != nil {
		return reply{}, err
	}
	return parseReply(code, msg), nil
}

// ioResult turns a connection or I/O error into a Result: Timeout for
// deadlines, otherwise the verdict def.
func ioResult(ctx context.Context, host string, err error, def Verdict) Result {
	if ctx.Err() != nil {
		return ctxResult(ctx.Err(), host)
	}
	v := def
	var ne net.Error
	if errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) ||
		(errors.As(err, &ne) && ne.Timeout()) {
		v = Timeout
	}
	return Result{Verdict: v, MX: host, Text: err.Error(), CheckedAt: time.Now()}
}

// ctxResult reports a probe cut short by its context.
func ctxResult(err error, host string) Result {
	v := Unknown
	if errors.Is(err, context.DeadlineExceeded) {
		v = Timeout
	}
	return Result{Verdict: v, MX: host, Text: err.Error(), CheckedAt: time.Now()}
}
