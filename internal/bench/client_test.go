package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
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

// TestUploadSendsLength: the upload is a GraphQL multipart request with
// its length, the file's bytes as they are.
func TestUploadSendsLength(t *testing.T) {
	path := filepath.Join(t.TempDir(), "contacts.csv")
	content := "email,company\njane@acme.test,Acme\n" + strings.Repeat("x@y.test,Y\n", 10000)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.TransferEncoding) > 0 || r.ContentLength <= int64(len(content)) {
			t.Errorf("transfer encoding %v, length %d: want the length of the whole body", r.TransferEncoding, r.ContentLength)
		}
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			t.Errorf("not a multipart form: %v", err)
			return
		}
		if ops := r.FormValue("operations"); !strings.Contains(ops, "uploadContacts(file: $file)") {
			t.Errorf("operations %s", ops)
		}
		if m := r.FormValue("map"); m != `{"0":["variables.file"]}` {
			t.Errorf("map %s", m)
		}
		f, h, err := r.FormFile("0")
		if err != nil {
			t.Errorf("file: %v", err)
			return
		}
		got, _ := io.ReadAll(f)
		if string(got) != content || h.Filename != "contacts.csv" {
			t.Errorf("file %s of %d bytes, want %d", h.Filename, len(got), len(content))
		}
		fmt.Fprint(w, `{"data":{"uploadContacts":{"id":"j","status":"RUNNING","total":10001}}}`)
	}))
	defer srv.Close()
	job, err := (&Client{Base: srv.URL}).Upload(context.Background(), path)
	if err != nil || job.ID != "j" || job.Total == nil || *job.Total != 10001 {
		t.Fatalf("Upload = %+v, %v", job, err)
	}
}
