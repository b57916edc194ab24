package smtptest

import (
	"bufio"
	"net"
	"net/textproto"
	"slices"
	"strings"
	"testing"
	"time"
)

// dial connects to s and reads the greeting.
func dial(t *testing.T, s *Server) (*textproto.Conn, string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", s.Addr(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(5 * time.Second))
	tc := textproto.NewConn(c)
	t.Cleanup(func() { tc.Close() })
	_, msg, err := tc.ReadResponse(220)
	if err != nil {
		t.Fatalf("greeting: %v", err)
	}
	return tc, msg
}

func cmd(t *testing.T, c *textproto.Conn, line string) (int, string) {
	t.Helper()
	if err := c.PrintfLine("%s", line); err != nil {
		t.Fatal(err)
	}
	code, msg, err := c.ReadResponse(0)
	if err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	return code, msg
}

func TestDialogue(t *testing.T) {
	s, err := Start(Script{
		Mail: func(from string) string {
			if from == "" {
				return "550 5.7.1 no null sender"
			}
			return "250 2.1.0 sender ok"
		},
		Rcpt: func(rcpt string, attempt int) string {
			if strings.EqualFold(rcpt, "grey@test") && attempt == 1 {
				return "450-4.7.1 greylisted\n450 4.7.1 try again later"
			}
			if rcpt == "nobody@test" {
				return "550 5.1.1 no such user"
			}
			return "250 2.1.5 OK"
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	c, greeting := dial(t, s)
	if greeting != "mx.test ESMTP" {
		t.Errorf("greeting = %q", greeting)
	}
	steps := []struct {
		line string
		code int
		msg  string
	}{
		{"EHLO client.test", 250, "mx.test\nPIPELINING\n8BITMIME"},
		{"RCPT TO:<a@test>", 503, "5.5.1 need MAIL before RCPT"},
		{"MAIL FROM:<>", 550, "5.7.1 no null sender"},
		{"MAIL FROM:<me@client.test> SIZE=10", 250, "2.1.0 sender ok"},
		{"RCPT TO:<grey@test>", 450, "4.7.1 greylisted\n4.7.1 try again later"},
		{"RCPT TO:<GREY@test>", 250, "2.1.5 OK"},
		{"rcpt to:<nobody@test>", 550, "5.1.1 no such user"},
		{"RCPT TO:nobody@test", 501, "5.5.4 syntax: RCPT TO:<address>"},
		{"NOOP", 250, "2.0.0 OK"},
		{"RSET", 250, "2.0.0 OK"},
		{"RCPT TO:<a@test>", 503, "5.5.1 need MAIL before RCPT"},
		{"DATA", 502, "5.5.2 command not implemented"},
		{"HELO client.test", 250, "mx.test"},
		{"QUIT", 221, "2.0.0 bye"},
	}
	for _, st := range steps {
		code, msg := cmd(t, c, st.line)
		if code != st.code || msg != st.msg {
			t.Errorf("%s: got %d %q, want %d %q", st.line, code, msg, st.code, st.msg)
		}
	}
	if got := s.Commands(); len(got) != len(steps) || got[0] != "EHLO client.test" {
		t.Errorf("Commands() = %q", got)
	}
	if s.Sessions() != 1 || s.MaxConcurrent() != 1 {
		t.Errorf("Sessions() = %d, MaxConcurrent() = %d; want 1, 1", s.Sessions(), s.MaxConcurrent())
	}
}

func TestHang(t *testing.T) {
	s, err := Start(Script{Hang: true})
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	_, err = bufio.NewReader(c).ReadString('\n')
	if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
		t.Errorf("read from tarpit: %v, want timeout", err)
	}
	// Close must not wait for the client to hang up.
	if err := s.Close(); err != nil {
		t.Error(err)
	}
}

func TestConcurrentSessions(t *testing.T) {
	s, err := Start(Script{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	a, _ := dial(t, s)
	b, _ := dial(t, s)
	cmd(t, a, "QUIT")
	cmd(t, b, "QUIT")
	c, _ := dial(t, s)
	cmd(t, c, "QUIT")
	if s.Sessions() != 3 || s.MaxConcurrent() != 2 {
		t.Errorf("Sessions() = %d, MaxConcurrent() = %d; want 3, 2", s.Sessions(), s.MaxConcurrent())
	}
	if got, want := s.Commands(), []string{"QUIT", "QUIT", "QUIT"}; !slices.Equal(got, want) {
		t.Errorf("Commands() = %q, want %q", got, want)
	}
}
