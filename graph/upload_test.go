package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// uploadReader is a GraphQL executor that answers with the content of the
// uploads in the variables, read in full, by variable name. ready, when
// set, is called once the first bytes of the upload named "file" are read.
type uploadReader struct {
	ready func()
}

func (e uploadReader) CreateOperationContext(_ context.Context, p *graphql.RawParams) (*graphql.OperationContext, gqlerror.List) {
	return &graphql.OperationContext{RawQuery: p.Query, Variables: p.Variables}, nil
}

func (e uploadReader) DispatchOperation(ctx context.Context, rc *graphql.OperationContext) (graphql.ResponseHandler, context.Context) {
	got := map[string]string{}
	var errs gqlerror.List
	for name, v := range rc.Variables {
		up, ok := v.(graphql.Upload)
		if !ok {
			continue
		}
		var b bytes.Buffer
		if name == "file" && e.ready != nil {
			first := make([]byte, 1)
			if _, err := io.ReadFull(up.File, first); err != nil {
				errs = append(errs, gqlerror.Errorf("%s: %v", name, err))
				continue
			}
			b.Write(first)
			e.ready()
		}
		if _, err := io.Copy(&b, up.File); err != nil {
			errs = append(errs, gqlerror.Errorf("%s: %v", name, err))
			continue
		}
		got[name] = up.Filename + ":" + b.String()
	}
	data, _ := json.Marshal(got)
	return graphql.OneShot(&graphql.Response{Data: data, Errors: errs}), ctx
}

func (e uploadReader) DispatchError(_ context.Context, list gqlerror.List) *graphql.Response {
	return &graphql.Response{Errors: list}
}

// part is one part of a multipart request.
type part struct{ name, file, body string }

func multipartBody(t *testing.T, parts ...part) (string, []byte) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, p := range parts {
		var w io.Writer
		var err error
		if p.file != "" {
			w, err = mw.CreateFormFile(p.name, p.file)
		} else {
			w, err = mw.CreateFormField(p.name)
		}
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.WriteString(w, p.body)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return mw.FormDataContentType(), b.Bytes()
}

const operations = `{"query":"mutation($file: Upload!, $other: Upload) { x }","variables":{"file":null,"other":null}}`

func TestStreamedUploads(t *testing.T) {
	tests := []struct {
		name   string
		parts  []part
		status int
		data   map[string]string // uploads as read: file name and content
		err    string            // part of the error message
	}{
		{name: "one file",
			parts:  []part{{name: "operations", body: operations}, {name: "map", body: `{"0":["variables.file"]}`}, {name: "0", file: "a.csv", body: "email\na@x.test\n"}},
			status: http.StatusOK, data: map[string]string{"file": "a.csv:email\na@x.test\n"}},
		{name: "two files, the first kept",
			parts: []part{{name: "operations", body: operations}, {name: "map", body: `{"0":["variables.other"],"1":["variables.file"]}`},
				{name: "0", file: "o.csv", body: "other"}, {name: "1", file: "f.csv", body: "file"}},
			status: http.StatusOK, data: map[string]string{"other": "o.csv:other", "file": "f.csv:file"}},
		{name: "one file in two places",
			parts:  []part{{name: "operations", body: operations}, {name: "map", body: `{"0":["variables.file","variables.other"]}`}, {name: "0", file: "a.csv", body: "abc"}},
			status: http.StatusOK, data: map[string]string{"file": "a.csv:abc", "other": "a.csv:abc"}},
		{name: "map first",
			parts:  []part{{name: "map", body: `{"0":["variables.file"]}`}, {name: "operations", body: operations}},
			status: http.StatusUnprocessableEntity, err: `expected the part "operations", got "map"`},
		{name: "operations not JSON",
			parts:  []part{{name: "operations", body: `{"query":`}},
			status: http.StatusUnprocessableEntity, err: `part "operations" is not valid JSON`},
		{name: "no map",
			parts:  []part{{name: "operations", body: operations}},
			status: http.StatusUnprocessableEntity, err: `the first parts must be "operations" and "map"`},
		{name: "file the map does not name",
			parts:  []part{{name: "operations", body: operations}, {name: "map", body: `{"0":["variables.file"]}`}, {name: "1", file: "a.csv", body: "x"}},
			status: http.StatusUnprocessableEntity, err: `part "1" is not a file the map names`},
		{name: "file missing",
			parts:  []part{{name: "operations", body: operations}, {name: "map", body: `{"0":["variables.file"],"1":["variables.other"]}`}, {name: "0", file: "a.csv", body: "x"}},
			status: http.StatusUnprocessableEntity, err: `the request ends before the files the map names: [1]`},
		{name: "path through a value that holds none",
			parts:  []part{{name: "operations", body: `{"query":"x","variables":{"file":"text"}}`}, {name: "map", body: `{"0":["variables.file.0"]}`}, {name: "0", file: "a.csv", body: "x"}},
			status: http.StatusUnprocessableEntity, err: `the path "variables.file.0" does not lead to a variable`},
		{name: "path outside the variables",
			parts:  []part{{name: "operations", body: operations}, {name: "map", body: `{"0":["query"]}`}, {name: "0", file: "a.csv", body: "x"}},
			status: http.StatusUnprocessableEntity, err: "invalid operations paths for key 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct, body := multipartBody(t, tt.parts...)
			req := httptest.NewRequest(http.MethodPost, "/query", bytes.NewReader(body))
			req.Header.Set("Content-Type", ct)
			tr := streamedUploads{maxBytes: 1 << 20}
			if !tr.Supports(req) {
				t.Fatal("the transport does not take a multipart POST")
			}
			rec := httptest.NewRecorder()
			tr.Do(rec, req, uploadReader{})
			if rec.Code != tt.status {
				t.Errorf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			var resp struct {
				Data   map[string]string
				Errors []struct{ Message string }
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
				t.Fatalf("response %q: %v", rec.Body, err)
			}
			if tt.err != "" {
				if len(resp.Errors) != 1 || !strings.Contains(resp.Errors[0].Message, tt.err) {
					t.Errorf("errors %+v, want one with %q", resp.Errors, tt.err)
				}
				return
			}
			if len(resp.Errors) > 0 {
				t.Errorf("errors %+v", resp.Errors)
			}
			if len(resp.Data) != len(tt.data) {
				t.Errorf("uploads %q, want %q", resp.Data, tt.data)
			}
			for k, v := range tt.data {
				if resp.Data[k] != v {
					t.Errorf("upload %s = %q, want %q", k, resp.Data[k], v)
				}
			}
		})
	}
}

// TestUploadReadAsItArrives sends the start of a file, and the rest only
// once the operation has read the start: an upload written to disk before
// the operation starts never gets there.
func TestUploadReadAsItArrives(t *testing.T) {
	ct, body := multipartBody(t, part{name: "operations", body: operations}, part{name: "map", body: `{"0":["variables.file"]}`},
		part{name: "0", file: "a.csv", body: "email\na@x.test\n"})
	cut := bytes.Index(body, []byte("email\n")) + len("email\n")
	pr, pw := io.Pipe()
	started := make(chan struct{})
	go func() {
		_, _ = pw.Write(body[:cut])
		select {
		case <-started:
			_, _ = pw.Write(body[cut:])
			pw.Close()
		case <-time.After(10 * time.Second):
			pw.CloseWithError(io.ErrUnexpectedEOF)
		}
	}()
	req := httptest.NewRequest(http.MethodPost, "/query", pr)
	req.Header.Set("Content-Type", ct)
	rec := httptest.NewRecorder()
	streamedUploads{maxBytes: 1 << 20}.Do(rec, req, uploadReader{ready: func() { close(started) }})
	want := `{"data":{"file":"a.csv:email\na@x.test\n"}}`
	if got := rec.Body.String(); got != want {
		t.Errorf("response %s, want %s", got, want)
	}
}

func TestStreamedFileSeek(t *testing.T) {
	f := &streamedFile{r: strings.NewReader("abcdef")}
	if _, err := io.ReadFull(f, make([]byte, 4)); err != nil {
		t.Fatal(err)
	}
	if off, err := f.Seek(0, io.SeekCurrent); off != 4 || err != nil {
		t.Errorf("Seek(0, SeekCurrent) = %d, %v; want 4, nil", off, err)
	}
	if _, err := f.Seek(0, io.SeekStart); err == nil {
		t.Error("Seek to the start of a streamed upload succeeded")
	}
}
