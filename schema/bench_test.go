package schema_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/enricher/enricher/schema"
)

// benchRecord is a result record of 500 rows shaped like those of
// `enricher bench`: work addresses with their company from the domain.
func benchRecord() []byte {
	var sb strings.Builder
	sb.WriteString(`{"version":4,"job_id":"01a23112-de11-759e-9fb4-543e58cfc077","batch_no":7,"worker":"worker-1","processed_at":"2026-12-01T10:07:29.906937447Z","results":[`)
	for i := range 500 {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"input":{"row":%d,"line":%d,"first_name":"Maya","last_name":"Castillo","email":"maya.castillo%d@alder%d.test","company":"Alder %d Systems Ltd."},"status":"ok",`+
			`"email":{"status":"valid","reason":"mailbox_not_checked","domain":"alder%d.test","score":0.8,"flags":["mailbox_not_checked"],"mx":["mx.alder%d.test"],"checked_at":"2026-12-01T10:07:29.906937447Z"},`+
			`"company":{"status":"matched","confidence":0.9,"domain":"alder%d.test","name":"Alder %d Systems Ltd.","source":"email_domain","method":"work_email_domain","fields":{"name":{"source":"contact","method":"as_given","confidence":0.5}}}}`,
			i+1, i+2, i, i, i, i, i, i, i)
	}
	sb.WriteString(`]}`)
	return []byte(sb.String())
}

// BenchmarkResultBatch measures the two ends of the results topic: a
// worker encoding a result record and the aggregator reading it.
func BenchmarkResultBatch(b *testing.B) {
	value := benchRecord()
	var batch schema.ResultBatch
	if err := schema.Unmarshal(value, &batch); err != nil {
		b.Fatal(err)
	}
	b.Run("encode", func(b *testing.B) {
		var buf bytes.Buffer
		b.SetBytes(int64(len(value)))
		for b.Loop() {
			if _, err := schema.MarshalTo(&buf, batch); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode raw", func(b *testing.B) {
		b.SetBytes(int64(len(value)))
		for b.Loop() {
			var raw schema.RawResultBatch
			if err := schema.DecodeRawResultBatch(value, &raw); err != nil {
				b.Fatal(err)
			}
		}
	})
}
