package store

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/driver/pgdriver"

	"github.com/enricher/enricher/schema"
)

// copyContactsQuery names the columns in the order appendCopyRow writes them.
const copyContactsQuery = `COPY contacts (job_id, row_no, status, error, first_name, last_name, email, company, phone,
	fields, email_status, company_domain, email_result, company_result) FROM STDIN`

// copyContacts writes rows with one COPY on conn, inside the transaction
// open on it, building the data in buf, which it returns for reuse. The
// rows hold what the INSERT of insertContacts would have stored.
func copyContacts(ctx context.Context, conn bun.Conn, rows []contactRow, buf []byte) ([]byte, error) {
	var err error
	for i := range rows {
		if buf, err = appendCopyRow(buf, &rows[i]); err != nil {
			return buf, fmt.Errorf("copy contacts: row %d: %w", rows[i].Row, err)
		}
	}
	if _, err := pgdriver.CopyFrom(ctx, conn, bytes.NewReader(buf), copyContactsQuery); err != nil {
		return buf, fmt.Errorf("copy %d contacts: %w", len(rows), err)
	}
	return buf, nil
}

// appendCopyRow appends r as a line of COPY's text format.
func appendCopyRow(b []byte, r *contactRow) ([]byte, error) {
	fields, err := schema.Marshal(r.Fields)
	if err != nil {
		return b, fmt.Errorf("fields: %w", err)
	}
	for i, v := range []string{r.JobID, strconv.Itoa(r.Row), r.Status, r.Error, r.FirstName, r.LastName, r.Email, r.Company, r.Phone} {
		if strings.IndexByte(v, 0) >= 0 {
			// As the INSERT: PostgreSQL text cannot hold NUL.
			return b, fmt.Errorf("column %d holds a NUL character", i+1)
		}
		if i > 0 {
			b = append(b, '\t')
		}
		b = appendCopyText(b, v)
	}
	b = append(b, '\t')
	b = appendCopyJSON(b, fields)
	b = append(b, '\t')
	b = appendCopyText(b, r.EmailStatus)
	b = append(b, '\t')
	b = appendCopyText(b, r.CompanyDomain)
	for _, j := range []jsonText{r.EmailResult, r.CompanyResult} {
		b = append(b, '\t')
		if j == nil {
			b = append(b, `\N`...)
		} else {
			b = appendCopyJSON(b, j)
		}
	}
	return append(b, '\n'), nil
}

// appendCopyText appends s escaped for COPY's text format.
func appendCopyText(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			b = append(b, `\\`...)
		case '\t':
			b = append(b, `\t`...)
		case '\n':
			b = append(b, `\n`...)
		case '\r':
			b = append(b, `\r`...)
		default:
			b = append(b, c)
		}
	}
	return b
}

// appendCopyJSON appends the JSON j for COPY's text format, with the text
// bun's INSERT stores for it: a \u0000 escape, which PostgreSQL's JSON
// types refuse, becomes the six characters \u0000 (written \\u0000), and
// NUL bytes are dropped.
func appendCopyJSON(b, j []byte) []byte {
	for i := 0; i < len(j); i++ {
		switch c := j[i]; c {
		case 0:
		case '\\':
			if bytes.HasPrefix(j[i+1:], []byte("u0000")) {
				b = append(b, `\\\\u0000`...)
				i += 5
			} else {
				b = append(b, `\\`...)
			}
		case '\t':
			b = append(b, `\t`...)
		case '\n':
			b = append(b, `\n`...)
		case '\r':
			b = append(b, `\r`...)
		default:
			b = append(b, c)
		}
	}
	return b
}
