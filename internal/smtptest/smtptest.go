// Package smtptest runs a scripted SMTP server on the loopback interface for
// tests.
//
// The server speaks just enough SMTP for address probing: the greeting,
// EHLO, HELO, MAIL FROM, RCPT TO, RSET, NOOP and QUIT. Every reply can be
// scripted, including multi-line replies. It never relays or stores mail:
// DATA and everything else is answered with 502.
package smtptest

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/textproto"
	"strings"
	"sync"
)

// Script describes how the server answers. Reply strings are complete SMTP
// reply lines including the code, such as "550 5.1.1 no such user"; a
// multi-line reply has its lines separated by "\n", as in
// "250-mx.test\n250 PIPELINING". The zero Script accepts every recipient.
//
// The functions are called from the server's session goroutines and must be
// safe for concurrent use. They may block, for instance to hold sessions open
// while a test counts them; Close does not return until they do.
type Script struct {
	// Greeting is sent when a connection is accepted.
	// Default "220 mx.test ESMTP".
	Greeting string

	// EHLO is the reply to EHLO. Default "250-mx.test\n250-PIPELINING\n250 8BITMIME".
	// Set it to a 5xx reply to make clients fall back to HELO.
	EHLO string

	// HELO is the reply to HELO. Default "250 mx.test".
	HELO string

	// Mail returns the reply to MAIL FROM for the reverse path (without the
	// angle brackets; "" for the null sender). Default "250 2.1.0 OK".
	Mail func(from string) string

	// Rcpt returns the reply to RCPT TO for the address (without the angle
	// brackets). attempt counts the RCPT commands for that address across
	// all sessions, starting at 1; addresses are compared case-insensitively.
	// Default "250 2.1.5 OK".
	Rcpt func(rcpt string, attempt int) string

	// Hang makes the server accept connections and never answer (a tarpit).
	Hang bool
}

// Server is a scripted SMTP server listening on 127.0.0.1.
type Server struct {
	ln     net.Listener
	script Script
	wg     sync.WaitGroup

	mu         sync.Mutex
	closed     bool
	conns      map[net.Conn]struct{}
	sessions   int
	active     int
	maxActive  int
	attempts   map[string]int
	transcript []string
}

// Start starts a server on 127.0.0.1 with a port chosen by the system.
func Start(script Script) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	if script.Greeting == "" {
		script.Greeting = "220 mx.test ESMTP"
	}
	if script.EHLO == "" {
		script.EHLO = "250-mx.test\n250-PIPELINING\n250 8BITMIME"
	}
	if script.HELO == "" {
		script.HELO = "250 mx.test"
	}
	s := &Server{
		ln:       ln,
		script:   script,
		conns:    make(map[net.Conn]struct{}),
		attempts: make(map[string]int),
	}
	s.wg.Add(1)
	go s.serve()
	return s, nil
}

// Addr returns the server's address, "127.0.0.1:port".
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Port returns the port the server listens on.
func (s *Server) Port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// Sessions returns the number of connections accepted so far.
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions
}

// MaxConcurrent returns the largest number of sessions that were open at the
// same time. A session counts as open from the moment it is accepted until
// the server receives QUIT or the connection ends, whichever comes first;
// since QUIT is counted before it is answered, a client that waits for the
// reply to QUIT before starting its next session is never counted twice.
func (s *Server) MaxConcurrent() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxActive
}

// Commands returns every command line the server received, in order, across
// all sessions.
func (s *Server) Commands() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.transcript...)
}

// Close stops the server, closes all open connections and waits for the
// session goroutines to end.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	err := s.ln.Close()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return err
}

func (s *Server) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return // closed
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			c.Close()
			return
		}
		s.conns[c] = struct{}{}
		s.sessions++
		s.active++
		s.maxActive = max(s.maxActive, s.active)
		s.wg.Add(1)
		s.mu.Unlock()
		go s.handle(c)
	}
}

func (s *Server) handle(c net.Conn) {
	defer s.wg.Done()
	ended := false
	end := func() {
		if ended {
			return
		}
		ended = true
		s.mu.Lock()
		s.active--
		s.mu.Unlock()
	}
	defer func() {
		end()
		c.Close()
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
	}()

	if s.script.Hang {
		io.Copy(io.Discard, c) // until the client or Close hangs up
		return
	}

	r := textproto.NewReader(bufio.NewReader(c))
	if reply(c, s.script.Greeting) != nil {
		return
	}
	haveMail := false
	for {
		line, err := r.ReadLine()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.transcript = append(s.transcript, line)
		s.mu.Unlock()

		verb, arg, _ := strings.Cut(line, " ")
		var out string
		switch strings.ToUpper(verb) {
		case "EHLO":
			haveMail = false
			out = s.script.EHLO
		case "HELO":
			haveMail = false
			out = s.script.HELO
		case "MAIL":
			path, ok := pathArg(arg, "FROM:")
			switch {
			case !ok:
				out = "501 5.5.4 syntax: MAIL FROM:<address>"
			case s.script.Mail != nil:
				out = s.script.Mail(path)
			default:
				out = "250 2.1.0 OK"
			}
			haveMail = strings.HasPrefix(out, "2")
		case "RCPT":
			path, ok := pathArg(arg, "TO:")
			switch {
			case !haveMail:
				out = "503 5.5.1 need MAIL before RCPT"
			case !ok:
				out = "501 5.5.4 syntax: RCPT TO:<address>"
			case s.script.Rcpt != nil:
				out = s.script.Rcpt(path, s.attempt(path))
			default:
				s.attempt(path)
				out = "250 2.1.5 OK"
			}
		case "RSET":
			haveMail = false
			out = "250 2.0.0 OK"
		case "NOOP":
			out = "250 2.0.0 OK"
		case "QUIT":
			end()
			reply(c, "221 2.0.0 bye")
			return
		default:
			out = "502 5.5.2 command not implemented"
		}
		if reply(c, out) != nil {
			return
		}
	}
}

func (s *Server) attempt(addr string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := strings.ToLower(addr)
	s.attempts[key]++
	return s.attempts[key]
}

// pathArg extracts the path from "FROM:<path> params" or "TO:<path>".
func pathArg(arg, prefix string) (string, bool) {
	arg = strings.TrimSpace(arg)
	if len(arg) < len(prefix) || !strings.EqualFold(arg[:len(prefix)], prefix) {
		return "", false
	}
	arg = strings.TrimSpace(arg[len(prefix):])
	if !strings.HasPrefix(arg, "<") {
		return "", false
	}
	path, _, ok := strings.Cut(arg[1:], ">")
	return path, ok
}

// reply writes a scripted reply, one CRLF-terminated line per "\n"-separated
// line.
func reply(w io.Writer, text string) error {
	if text == "" {
		return errors.New("smtptest: empty reply")
	}
	var b strings.Builder
	for line := range strings.SplitSeq(strings.TrimRight(text, "\r\n"), "\n") {
		b.WriteString(strings.TrimSuffix(line, "\r"))
		b.WriteString("\r\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
