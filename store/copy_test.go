package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

func TestAppendCopyJSON(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []byte
		want string // the field's bytes after its length; "NULL" for a NULL field
	}{
		{"nil is NULL", nil, "NULL"},
		{"empty", []byte{}, ""},
		{"as it is", []byte(`{"a":"b\\n\"c"}`), `{"a":"b\\n\"c"}`},
		{"NUL escape", []byte(`{"a":"x\u0000y"}`), `{"a":"x\\u0000y"}`},
		{"NUL byte dropped", []byte("{\"a\":\"x\x00y\"}"), `{"a":"xy"}`},
		{"other escapes kept", []byte(`["\u0001","\\"]`), `["\u0001","\\"]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := appendCopyJSON([]byte("x"), tc.in)
			n := int32(binary.BigEndian.Uint32(b[1:5]))
			got := string(b[5:])
			if n == -1 {
				got = "NULL"
			} else if int(n) != len(got) {
				t.Fatalf("length %d, field %q", n, got)
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// testJob is a job id as store.CreateJob makes them.
const testJob = "019ad9b2-6c1e-7f3a-9b4d-2e5f60718293"

func TestAppendCopyRowRefusesNUL(t *testing.T) {
	r := contactRow{JobID: testJob, Row: 1, Status: "ok", Company: "a\x00b"}
	if _, err := appendCopyRow(nil, &r); err == nil {
		t.Error("a NUL in a text column was encoded")
	}
	r.Company = "ab"
	b, err := appendCopyRow(nil, &r)
	if err != nil {
		t.Fatal(err)
	}
	if got := binary.BigEndian.Uint16(b); got != copyColumns {
		t.Errorf("tuple of %d columns, want %d", got, copyColumns)
	}
	// The job id goes as the 16 bytes of a uuid.
	if n := binary.BigEndian.Uint32(b[2:]); n != 16 || fmt.Sprintf("%x", b[6:22]) != strings.ReplaceAll(testJob, "-", "") {
		t.Errorf("job id field of %d bytes: %x", n, b[6:6+min(int(n), 16)])
	}
}

func TestAppendCopyRowRefusesJobIDNotUUID(t *testing.T) {
	r := contactRow{JobID: "job-1", Row: 1, Status: "ok"}
	if _, err := appendCopyRow(nil, &r); err == nil || !strings.Contains(err.Error(), `job id "job-1"`) {
		t.Errorf("err = %v, want one naming the job id", err)
	}
}

// A COPY that ends early stops its encoder, which reports it as such, not
// as a row that cannot be stored.
func TestEncodeCopyStopsWhenTheReaderEnds(t *testing.T) {
	pr, pw := io.Pipe()
	pr.CloseWithError(errCopyEnded)
	rows := make([]contactRow, 2000)
	for i := range rows {
		rows[i] = contactRow{JobID: testJob, Row: i + 1, Status: "ok", Fields: storedFields{values: []string{"a"}}}
	}
	if err := encodeCopy(pw, rows); !errors.Is(err, errCopyEnded) {
		t.Errorf("encodeCopy = %v, want errCopyEnded", err)
	}
}
