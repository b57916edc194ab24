package bench

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// TestWaitTerminalNearEnd: a job in its last twentieth is polled every
// nearEnd, not every interval, so that its end is seen at once.
func TestWaitTerminalNearEnd(t *testing.T) {
	tests := []struct {
		name      string
		processed int // of 1000, before the job ends on the third poll
		wantEnd   bool
	}{
		{"last twentieth", 960, true},
		{"exactly 95%", 950, true},
		{"earlier", 900, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var polls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				status, processed := "RUNNING", tt.processed
				if polls.Add(1) >= 3 {
					status, processed = "SUCCEEDED", 1000
				}
				fmt.Fprintf(w, `{"data":{"job":{"id":"j","status":%q,"total":1000,"processed":%d}}}`, status, processed)
			}))
			defer srv.Close()
			// With an hour between polls, only the near-end polling can
			// see the end before the deadline.
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			c := &Client{Base: srv.URL}
			j, err := c.WaitTerminal(ctx, "j", time.Hour)
			if ended := err == nil && j.Status == "SUCCEEDED"; ended != tt.wantEnd {
				t.Errorf("ended = %v (%v, %s after %d polls), want %v", ended, err, j.Status, polls.Load(), tt.wantEnd)
			}
		})
	}
}
