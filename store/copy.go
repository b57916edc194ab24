package store

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/driver/pgdriver"
)

// copyContactsQuery names the columns in the order appendCopyRow writes them.
const copyContactsQuery = `COPY contacts (job_id, row_no, status, error, first_name, last_name, email, company, phone,
	fields, email_status, company_domain, email_result, company_result) FROM STDIN WITH (FORMAT binary)`

// copyColumns is how many columns copyContactsQuery names.
const copyColumns = 14

// copySignature starts COPY's binary format: the signature, then no flags
// and no header extension.
var copySignature = []byte("PGCOPY\n\xff\r\n\x00\x00\x00\x00\x00\x00\x00\x00\x00")

// copyChunk is how much encoded data is handed to the connection at once.
const copyChunk = 128 << 10

// errCopyEnded stops the encoder of a COPY that ended before it.
var errCopyEnded = errors.New("the COPY ended")

// copyContacts writes rows with one COPY on conn, inside the transaction
// open on it. The rows hold what the INSERT of insertContacts would have
// stored. They are encoded while PostgreSQL reads them: COPY's binary
// format, which neither side has to escape or parse for delimiters.
func copyContacts(ctx context.Context, conn bun.Conn, rows []contactRow) error {
	pr, pw := io.Pipe()
	encoded := make(chan error, 1)
	go func() {
		err := encodeCopy(pw, rows)
		pw.CloseWithError(err)
		encoded <- err
	}()
	// The driver reads 1 KiB at a time: the pipe is read in large pieces.
	_, err := pgdriver.CopyFrom(ctx, conn, bufio.NewReaderSize(pr, copyChunk), copyContactsQuery)
	pr.CloseWithError(errCopyEnded) // stops the encoder if the COPY ended early
	if encErr := <-encoded; encErr != nil && !errors.Is(encErr, errCopyEnded) {
		return fmt.Errorf("copy contacts: %w", encErr) // a row that cannot be stored
	}
	if err != nil {
		return fmt.Errorf("copy %d contacts: %w", len(rows), err)
	}
	return nil
}

// encodeCopy writes rows to w in COPY's binary format.
func encodeCopy(w io.Writer, rows []contactRow) error {
	buf := make([]byte, 0, copyChunk+4<<10)
	buf = append(buf, copySignature...)
	var err error
	for i := range rows {
		if buf, err = appendCopyRow(buf, &rows[i]); err != nil {
			return fmt.Errorf("row %d: %w", rows[i].Row, err)
		}
		if len(buf) >= copyChunk {
			if _, err := w.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	buf = binary.BigEndian.AppendUint16(buf, 0xffff) // the trailer
	_, err = w.Write(buf)
	return err
}

// appendCopyRow appends r as a tuple of COPY's binary format.
func appendCopyRow(b []byte, r *contactRow) ([]byte, error) {
	fields, err := r.Fields.text()
	if err != nil {
		return b, fmt.Errorf("fields: %w", err)
	}
	job, err := uuid.Parse(r.JobID) // the type of contacts.job_id
	if err != nil {
		return b, fmt.Errorf("job id %q: %w", r.JobID, err)
	}
	b = binary.BigEndian.AppendUint16(b, copyColumns)
	b = binary.BigEndian.AppendUint32(b, uint32(len(job)))
	b = append(b, job[:]...)
	b = binary.BigEndian.AppendUint32(b, 4)
	b = binary.BigEndian.AppendUint32(b, uint32(int32(r.Row)))
	for _, v := range [...]string{r.Status, r.Error, r.FirstName, r.LastName, r.Email, r.Company, r.Phone} {
		b = appendCopyText(b, v)
	}
	b = appendCopyJSON(b, fields)
	b = appendCopyText(b, r.EmailStatus)
	b = appendCopyText(b, r.CompanyDomain)
	b = appendCopyJSON(b, r.EmailResult)
	b = appendCopyJSON(b, r.CompanyResult)
	for _, v := range [...]string{r.Status, r.Error, r.FirstName, r.LastName, r.Email, r.Company, r.Phone, r.EmailStatus, r.CompanyDomain} {
		if strings.IndexByte(v, 0) >= 0 {
			// As the INSERT: PostgreSQL text cannot hold NUL.
			return b, errors.New("a text column holds a NUL character")
		}
	}
	return b, nil
}

// appendCopyText appends s as a field: its length, then its bytes.
func appendCopyText(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

// appendCopyJSON appends the JSON j as a field, NULL when j is nil, with
// the text bun's INSERT stores for it: a \u0000 escape, which PostgreSQL's
// JSON types refuse, becomes the six characters \u0000 (written \\u0000),
// and NUL bytes are dropped.
func appendCopyJSON(b, j []byte) []byte {
	if j == nil {
		return binary.BigEndian.AppendUint32(b, 0xffffffff)
	}
	if bytes.IndexByte(j, 0) < 0 && !bytes.Contains(j, []byte(`\u0000`)) {
		b = binary.BigEndian.AppendUint32(b, uint32(len(j)))
		return append(b, j...)
	}
	at := len(b)
	b = append(b, 0, 0, 0, 0)
	for i := 0; i < len(j); i++ {
		switch c := j[i]; c {
		case 0:
		case '\\':
			if bytes.HasPrefix(j[i+1:], []byte("u0000")) {
				b = append(b, `\\u0000`...)
				i += 5
			} else {
				b = append(b, c)
			}
		default:
			b = append(b, c)
		}
	}
	binary.BigEndian.PutUint32(b[at:], uint32(len(b)-at-4))
	return b
}
