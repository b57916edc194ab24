package graph

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"slices"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// streamedUploads serves GraphQL multipart requests (the "GraphQL
// multipart request" convention: an operations part, a map part, then the
// files) and hands the last file to the operation as it arrives: an
// upload's rows are read, batched and produced while the rest of it is
// still on the wire, and it is never written to disk. Files before the
// last one, which a request with several uploads has, go to temporary
// files first, as they must be read out of order.
//
// gqlgen's own MultipartForm transport writes every file to a temporary
// file before the operation starts, unless the whole request fits in its
// MaxMemory.
type streamedUploads struct {
	maxBytes int64 // largest request body
}

func (streamedUploads) Supports(r *http.Request) bool {
	if r.Header.Get("Upgrade") != "" || r.Method != http.MethodPost {
		return false
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "multipart/form-data"
}

func (t streamedUploads) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	w.Header().Set("Content-Type", "application/json")
	start := graphql.Now()
	r.Body = http.MaxBytesReader(w, r.Body, t.maxBytes)
	defer r.Body.Close()
	fail := func(format string, args ...any) {
		w.WriteHeader(http.StatusUnprocessableEntity)
		writeResponse(w, &graphql.Response{Errors: gqlerror.List{gqlerror.Errorf(format, args...)}})
	}

	mr, err := r.MultipartReader()
	if err != nil {
		fail("not a multipart request: %v", err)
		return
	}
	var params graphql.RawParams
	if err := decodePart(mr, "operations", &params); err != nil {
		fail("%v", err)
		return
	}
	var files map[string][]string
	if err := decodePart(mr, "map", &files); err != nil {
		fail("%v", err)
		return
	}
	for len(files) > 0 {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			fail("the request ends before the files the map names: %v", slices.Sorted(maps.Keys(files)))
			return
		}
		if err != nil {
			fail("reading the request: %v", err)
			return
		}
		key := part.FormName()
		paths, ok := files[key]
		if !ok || len(paths) == 0 {
			fail("part %q is not a file the map names", key)
			return
		}
		delete(files, key)
		up := graphql.Upload{Filename: part.FileName(), ContentType: part.Header.Get("Content-Type"), Size: -1}
		var stored string
		if len(files) == 0 && len(paths) == 1 {
			up.File = &streamedFile{r: part}
		} else { // read after later parts, or more than once: keep it
			if stored, up.Size, err = spool(part); err != nil {
				fail("file %q: %v", key, err)
				return
			}
			defer os.Remove(stored)
		}
		for _, path := range paths {
			if stored != "" {
				f, err := os.Open(stored)
				if err != nil {
					fail("file %q: reading it back: %v", key, err)
					return
				}
				defer f.Close()
				up.File = f
			}
			if err := addUpload(&params, up, key, path); err != nil {
				w.WriteHeader(http.StatusUnprocessableEntity)
				writeResponse(w, &graphql.Response{Errors: gqlerror.List{err}})
				return
			}
		}
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}

	rc, errs := exec.CreateOperationContext(r.Context(), &params)
	if errs != nil {
		resp := exec.DispatchError(graphql.WithOperationContext(r.Context(), rc), errs)
		if errcode.GetErrorKind(errs) == errcode.KindProtocol {
			w.WriteHeader(http.StatusUnprocessableEntity)
		}
		writeResponse(w, resp)
		return
	}
	responses, ctx := exec.DispatchOperation(r.Context(), rc)
	writeResponse(w, responses(ctx))
}

// addUpload puts up where path says in the variables of params. gqlgen's
// AddUpload panics on a path through a value that is neither an object nor
// a list; that is an error of the request here.
func addUpload(params *graphql.RawParams, up graphql.Upload, key, path string) (err *gqlerror.Error) {
	defer func() {
		if recover() != nil {
			err = gqlerror.Errorf("file %q: the path %q does not lead to a variable", key, path)
		}
	}()
	return params.AddUpload(up, key, path)
}

// decodePart reads the next part, which must be the form field name, as
// JSON into v.
func decodePart(mr *multipart.Reader, name string, v any) error {
	part, err := mr.NextPart()
	if err != nil {
		return fmt.Errorf("the first parts must be %q and %q: %w", "operations", "map", err)
	}
	if part.FormName() != name {
		return fmt.Errorf("expected the part %q, got %q (the parts go: operations, map, files)", name, part.FormName())
	}
	if err := json.NewDecoder(part).Decode(v); err != nil {
		return fmt.Errorf("part %q is not valid JSON: %w", name, err)
	}
	return nil
}

// spool copies a file part to a temporary file and returns its name and
// size.
func spool(part io.Reader) (string, int64, error) {
	f, err := os.CreateTemp("", "enricher-upload-*")
	if err != nil {
		return "", 0, fmt.Errorf("storing it: %w", err)
	}
	n, err := io.Copy(f, part)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", 0, fmt.Errorf("storing it: %w", err)
	}
	return f.Name(), n, nil
}

// streamedFile is a file read as it arrives. It can tell where it is but
// not go elsewhere.
type streamedFile struct {
	r   io.Reader
	off int64
}

func (f *streamedFile) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	f.off += int64(n)
	return n, err
}

func (f *streamedFile) Seek(offset int64, whence int) (int64, error) {
	if offset == 0 && whence == io.SeekCurrent {
		return f.off, nil
	}
	return f.off, errors.New("an upload is read as it arrives; it cannot seek")
}

func writeResponse(w io.Writer, resp *graphql.Response) {
	b, err := json.Marshal(resp)
	if err != nil {
		b = []byte(`{"errors":[{"message":"the response could not be encoded"}]}`)
	}
	_, _ = w.Write(b)
}
