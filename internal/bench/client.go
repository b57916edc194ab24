package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Job is the part of the GraphQL Job the benchmark reads.
type Job struct {
	ID        string        `json:"id"`
	Status    string        `json:"status"`
	Error     *string       `json:"error"`
	Total     *int          `json:"total"`
	Batches   *int          `json:"batches"`
	Processed int           `json:"processed"`
	Succeeded int           `json:"succeeded"`
	Failed    int           `json:"failed"`
	Workers   []WorkerShare `json:"workers"`
}

// WorkerShare is how much of a job one worker enriched.
type WorkerShare struct {
	Worker  string  `json:"worker"`
	Batches int     `json:"batches"`
	Rows    int     `json:"rows"`
	Share   float64 `json:"batch_share"` // of the job's batches
}

const jobFields = `id status error total batches processed succeeded failed workers { worker batches rows }`

// Terminal reports whether the job has ended.
func (j Job) Terminal() bool {
	switch j.Status {
	case "SUCCEEDED", "COMPLETED_WITH_ERRORS", "FAILED", "CANCELLED":
		return true
	}
	return false
}

// Client talks to the enricher API at Base ("http://host:port").
type Client struct {
	Base string
	HTTP *http.Client
}

func (c *Client) http() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return http.DefaultClient
}

// query posts a GraphQL query and decodes its data into out.
func (c *Client) query(ctx context.Context, q string, vars map[string]any, out any) error {
	body, err := json.Marshal(map[string]any{"query": q, "variables": vars})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.Base+"/query", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return decode(resp, out)
}

func decode(resp *http.Response, out any) error {
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("read response: %w", err)
	}
	var r struct {
		Data   json.RawMessage
		Errors []struct{ Message string }
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return fmt.Errorf("HTTP %d, not a GraphQL response: %.200s", resp.StatusCode, raw)
	}
	if len(r.Errors) > 0 {
		var msgs []string
		for _, e := range r.Errors {
			msgs = append(msgs, e.Message)
		}
		return fmt.Errorf("graphql: %s", strings.Join(msgs, "; "))
	}
	if out != nil {
		if err := json.Unmarshal(r.Data, out); err != nil {
			return fmt.Errorf("decode data: %w", err)
		}
	}
	return nil
}

// WaitReady polls the API until it answers a query or ctx ends.
func (c *Client) WaitReady(ctx context.Context, exited <-chan struct{}) error {
	for {
		err := c.query(ctx, "{ __typename }", nil, nil)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("API at %s not ready: %w (last: %v)", c.Base, ctx.Err(), err)
		case <-exited:
			return fmt.Errorf("API at %s exited before it was ready", c.Base)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Upload sends the file at path as uploadContacts (GraphQL multipart
// request spec), streaming it from the file with its length, as curl and
// browsers send a file: the API reads a body with a length as it arrives
// (one without is stored first, so that one over its limit is refused
// before it becomes a job).
func (c *Client) Upload(ctx context.Context, path string) (Job, error) {
	f, err := os.Open(path)
	if err != nil {
		return Job{}, fmt.Errorf("upload: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return Job{}, fmt.Errorf("upload: %w", err)
	}
	if !st.Mode().IsRegular() {
		return Job{}, fmt.Errorf("upload: %s is not a regular file, whose length is known", path)
	}
	// The parts before the file's bytes, and the end of the body after them.
	var frame bytes.Buffer
	mw := multipart.NewWriter(&frame)
	if err := mw.WriteField("operations", `{"query":"mutation($file: Upload!) { uploadContacts(file: $file) { `+jobFields+` } }","variables":{"file":null}}`); err != nil {
		return Job{}, fmt.Errorf("upload: %w", err)
	}
	if err := mw.WriteField("map", `{"0":["variables.file"]}`); err != nil {
		return Job{}, fmt.Errorf("upload: %w", err)
	}
	if _, err := mw.CreateFormFile("0", filepath.Base(path)); err != nil {
		return Job{}, fmt.Errorf("upload: %w", err)
	}
	head := frame.Len()
	if err := mw.Close(); err != nil {
		return Job{}, fmt.Errorf("upload: %w", err)
	}
	body := io.MultiReader(bytes.NewReader(frame.Bytes()[:head]), io.LimitReader(f, st.Size()), bytes.NewReader(frame.Bytes()[head:]))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.Base+"/query", body)
	if err != nil {
		return Job{}, fmt.Errorf("upload: %w", err)
	}
	req.ContentLength = int64(frame.Len()) + st.Size()
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := c.http().Do(req)
	if err != nil {
		return Job{}, fmt.Errorf("upload: %w", err)
	}
	defer resp.Body.Close()
	var out struct{ UploadContacts *Job }
	if err := decode(resp, &out); err != nil {
		return Job{}, fmt.Errorf("upload: %w", err)
	}
	if out.UploadContacts == nil {
		return Job{}, errors.New("upload: no job returned")
	}
	return *out.UploadContacts, nil
}

// Job reads a job.
func (c *Client) Job(ctx context.Context, id string) (Job, error) {
	var out struct{ Job *Job }
	if err := c.query(ctx, "query($id: ID!) { job(id: $id) { "+jobFields+" } }", map[string]any{"id": id}, &out); err != nil {
		return Job{}, fmt.Errorf("job %s: %w", id, err)
	}
	if out.Job == nil {
		return Job{}, fmt.Errorf("job %s: not found", id)
	}
	return *out.Job, nil
}

// WaitTerminal polls the job every interval until it has ended; once
// nearly all its rows are processed, every nearEnd at most, so that the
// end is seen within a few milliseconds of it without polling that often
// throughout.
func (c *Client) WaitTerminal(ctx context.Context, id string, every time.Duration) (Job, error) {
	for {
		j, err := c.Job(ctx, id)
		if err == nil && j.Terminal() {
			return j, nil
		}
		wait := every
		if err == nil && j.Total != nil && j.Processed >= *j.Total-*j.Total/20 {
			wait = min(every, nearEnd)
		}
		select {
		case <-ctx.Done():
			return j, fmt.Errorf("job %s did not end (status %s, %d processed): %w", id, j.Status, j.Processed, ctx.Err())
		case <-time.After(wait):
		}
	}
}

// nearEnd is how often WaitTerminal polls a job in its last twentieth.
const nearEnd = 10 * time.Millisecond

// Export downloads the job's enriched CSV into w and returns its bytes.
func (c *Client) Export(ctx context.Context, id string, w io.Writer) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.Base+"/jobs/"+id+"/results.csv", nil)
	if err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	resp, err := c.http().Do(req)
	if err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return 0, fmt.Errorf("export: HTTP %d: %s", resp.StatusCode, b)
	}
	n, err := io.Copy(w, resp.Body)
	if err != nil {
		return n, fmt.Errorf("export: %w", err)
	}
	return n, nil
}
