package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/uptrace/bun/driver/pgdriver"

	"github.com/enricher/enricher/schema"
)

// copyOutQuery streams a job's contacts in row order, in COPY's binary
// format: PostgreSQL sends them as it reads them, and nothing is parsed
// for delimiters or escapes.
const copyOutQuery = `COPY (SELECT row_no, status, error, fields, email_result, company_result,
	first_name, last_name, email, company, phone
	FROM contacts WHERE job_id = $1 ORDER BY row_no) TO STDOUT WITH (FORMAT binary)`

// eachContactCopy is EachContact on PostgreSQL: one COPY streams the job's
// contacts, which are handed to fn a page at a time from another
// goroutine, so that the next page is read while fn works.
func (s *Store) eachContactCopy(ctx context.Context, jobID string, named []string, fn func(*StoredContact) error) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("read contacts of job %s: %w", jobID, err)
	}
	defer conn.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pages := make(chan []StoredContact, 1)
	copied := make(chan error, 1)
	go func() {
		defer close(pages)
		p := &copyOutParser{named: named, send: func(page []StoredContact) error {
			select {
			case pages <- page:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}}
		_, err := pgdriver.CopyTo(ctx, conn, p, copyOutQuery, jobID)
		if err == nil {
			err = p.finish()
		}
		if err != nil {
			// The COPY may have stopped half way: the connection is not
			// reused.
			discard(conn)
		}
		copied <- err
	}()
	var fnErr error
	for page := range pages {
		for i := 0; i < len(page) && fnErr == nil; i++ {
			fnErr = fn(&page[i])
		}
		if fnErr != nil {
			cancel() // the COPY stops; the loop drains what it sent
		}
	}
	err = <-copied
	if fnErr != nil {
		return fnErr
	}
	if err != nil {
		return fmt.Errorf("read contacts of job %s: %w", jobID, err)
	}
	return nil
}

// copyOutParser reads the binary COPY of copyOutQuery as it is written to
// it, and sends the contacts on exportPage at a time.
type copyOutParser struct {
	send  func([]StoredContact) error
	named []string // the job's named columns, for fields stored empty

	pending []byte // what has come and is not yet a whole tuple
	header  bool   // the header has been read
	done    bool   // the trailer has been read
	page    []StoredContact
}

var errCopyFormat = errors.New("unexpected COPY data")

// Write implements io.Writer.
func (p *copyOutParser) Write(b []byte) (int, error) {
	buf := b // parsed where it is unless a tuple started in an earlier write
	if len(p.pending) > 0 {
		p.pending = append(p.pending, b...)
		buf = p.pending
	}
	if !p.header {
		// The signature, the flags and the length of an extension to skip.
		if len(buf) < len(copySignature) {
			p.pending = append(p.pending[:0], buf...)
			return len(b), nil
		}
		if !bytes.Equal(buf[:11], copySignature[:11]) {
			return 0, fmt.Errorf("%w: no binary COPY signature", errCopyFormat)
		}
		ext := int(binary.BigEndian.Uint32(buf[15:19]))
		if len(buf) < 19+ext {
			p.pending = append(p.pending[:0], buf...)
			return len(b), nil
		}
		buf = buf[19+ext:]
		p.header = true
	}
	for len(buf) >= 2 && !p.done {
		n, err := p.tuple(buf)
		if err != nil {
			return 0, err
		}
		if n == 0 {
			break // not whole yet
		}
		buf = buf[n:]
	}
	p.pending = append(p.pending[:0], buf...)
	return len(b), nil
}

// tuple reads the tuple at the start of buf, and returns how many bytes it
// took, or 0 when buf does not hold all of it yet.
func (p *copyOutParser) tuple(buf []byte) (int, error) {
	count := int16(binary.BigEndian.Uint16(buf))
	if count == -1 {
		p.done = true
		return 2, nil
	}
	if count != 11 {
		return 0, fmt.Errorf("%w: a tuple of %d columns", errCopyFormat, count)
	}
	var cols [11][]byte
	var null [11]bool
	at := 2
	for i := range cols {
		if len(buf) < at+4 {
			return 0, nil
		}
		n := int(int32(binary.BigEndian.Uint32(buf[at:])))
		at += 4
		if n < 0 {
			null[i] = true
			continue
		}
		if len(buf) < at+n {
			return 0, nil
		}
		cols[i] = buf[at : at+n]
		at += n
	}
	if len(cols[0]) != 4 || null[1] || null[2] || null[3] {
		return 0, fmt.Errorf("%w: a contact without its row number, status, error or fields", errCopyFormat)
	}
	c := StoredContact{Row: int(int32(binary.BigEndian.Uint32(cols[0]))), Status: status(cols[1]), Error: string(cols[2])}
	var err error
	if len(cols[3]) > 0 {
		c.Fields, err = decodeFields(cols[3])
		c.Email, c.Company = string(cols[8]), string(cols[9])
	} else {
		// The named values, cut out of one string.
		var sb strings.Builder
		sb.Grow(len(cols[6]) + len(cols[7]) + len(cols[8]) + len(cols[9]) + len(cols[10]))
		for _, col := range cols[6:11] {
			sb.Write(col)
		}
		all := sb.String()
		var v [5]string
		for i, at := 0, 0; i < len(v); i++ {
			v[i], at = all[at:at+len(cols[6+i])], at+len(cols[6+i])
		}
		in := schema.Contact{FirstName: v[0], LastName: v[1], Email: v[2], Company: v[3], Phone: v[4]}
		c.Fields, c.Email, c.Company = in.Values(p.named), v[2], v[3]
	}
	if err != nil {
		return 0, fmt.Errorf("row %d: fields: %w", c.Row, err)
	}
	// One allocation for both results.
	results := make([]byte, len(cols[4])+len(cols[5]))
	if !null[4] {
		c.EmailResult = results[:len(cols[4]):len(cols[4])]
		copy(c.EmailResult, cols[4])
	}
	if !null[5] {
		c.CompanyResult = results[len(cols[4]):]
		copy(c.CompanyResult, cols[5])
	}
	if p.page == nil {
		p.page = make([]StoredContact, 0, exportPage)
	}
	p.page = append(p.page, c)
	if len(p.page) == exportPage {
		page := p.page
		p.page = nil
		if err := p.send(page); err != nil {
			return 0, err
		}
	}
	return at, nil
}

// finish sends the last page, once the COPY has ended.
func (p *copyOutParser) finish() error {
	if !p.done {
		return fmt.Errorf("%w: no trailer", errCopyFormat)
	}
	if len(p.page) == 0 {
		return nil
	}
	return p.send(p.page)
}

// status returns the stored status, without an allocation for the usual
// ones.
func status(b []byte) string {
	switch string(b) {
	case schema.StatusOK:
		return schema.StatusOK
	case schema.StatusFailed:
		return schema.StatusFailed
	}
	return string(b)
}
