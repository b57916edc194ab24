package streams

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/enricher/enricher/contactcsv"
	"github.com/enricher/enricher/schema"
	"github.com/enricher/enricher/store"
)

// JobWriter records jobs as their uploads are read. *store.Store is one.
type JobWriter interface {
	CreateJob(ctx context.Context, tenant, fileName string, columns []string) (*store.Job, error)
	FinishUpload(ctx context.Context, id string, total, batches int) (*store.Job, error)
	FailJob(ctx context.Context, id, reason string) (*store.Job, error)
}

// InputError is an upload that cannot become a job: empty, binary, without
// an email column... Its message is meant for the user.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// Dispatcher turns an uploaded CSV into a job and its contact batches,
// reading and producing as a stream: memory does not grow with the file.
//
// A batch holds contacts of one lane, and the lanes are the partitions of
// the batches topic: a work domain's contacts all go to the lane its name
// hashes to, so each domain is resolved and remembered by the one worker
// that owns that partition, not by every worker. Addresses of the domains
// Spread names (webmail: a few domains, a quarter of the rows, known to
// every worker at once) and rows without a domain go to the lanes in turn,
// and so do the rows of a work domain past its first SpreadAfter: one
// company with a tenth of a file's rows would otherwise give its lane, and
// the worker that owns it, that much more than the others, for the price
// of one more DNS query a worker. The batches go to their lane's partition
// when Client partitions with LanePartitioner.
type Dispatcher struct {
	Client *kgo.Client
	Topics Topics
	Spread func(domain string) bool // domains spread over all lanes; nil: none
	// SpreadAfter is how many rows of one work domain go to its own lane
	// before the rest are spread; 0 means 256, a negative value never.
	// Rows are counted in a table of 4,096 slots by hash: a domain whose
	// slot another takes starts counting again.
	SpreadAfter int
	Jobs        JobWriter
	BatchSize   int // contacts per batch record; default 500
	// BatchBytes cuts a batch early when its values pass this many bytes,
	// so wide rows do not make records too large; default 1 MiB.
	BatchBytes int
	MaxRows    int // rows a job may have; 0 for no limit
	CSV        contactcsv.Options
	Log        *slog.Logger
}

// defaultSpreadAfter is Dispatcher.SpreadAfter when it is 0. In the
// benchmark's 1,000,000-row file (companies as skewed as they come, the
// largest with 46,513 rows), 256 domains have more rows than that; with
// their rest spread, its six lanes hold 16.2 to 17.3% of the rows each
// instead of 15.0 to 21.6%.
const defaultSpreadAfter = 256

// Submit reads a CSV upload, stores its job and produces its batches. A
// file that is no contacts CSV at all gives an *InputError and no job. A
// file that breaks off in the middle gives a FAILED job with the reason;
// rows that could not be read become failed contacts naming the row.
func (d *Dispatcher) Submit(ctx context.Context, fileName string, r io.Reader) (*store.Job, error) {
	size, maxBytes := d.BatchSize, d.BatchBytes
	if size <= 0 {
		size = 500
	}
	if maxBytes <= 0 {
		maxBytes = 1 << 20
	}
	rd, err := contactcsv.NewReader(r, d.CSV)
	if err != nil {
		return nil, &InputError{Err: err}
	}
	job, err := d.Jobs.CreateJob(ctx, store.TenantOf(ctx), fileName, rd.Header())
	if err != nil {
		return nil, err
	}
	log := d.Log.With("job", job.ID)
	named := contactcsv.NamedColumns(rd.Header())
	log.Info("upload started", "file", fileName, "columns", len(rd.Header()), "encoding", rd.Encoding(), "delimiter", string(rd.Delimiter()))

	var (
		mu       sync.Mutex
		produced error
	)
	promise := func(_ *kgo.Record, err error) {
		if err != nil {
			mu.Lock()
			if produced == nil {
				produced = err
			}
			mu.Unlock()
		}
	}
	failed := func() error {
		mu.Lock()
		defer mu.Unlock()
		return produced
	}

	type lane struct {
		contacts []schema.Contact
		bytes    int
	}
	lanes := make([]lane, d.lanes(ctx))
	after := d.SpreadAfter
	if after == 0 {
		after = defaultSpreadAfter
	}
	laner := &laner{n: len(lanes), spread: d.Spread, after: max(after, 0)}
	total, batches := 0, 0
	flush := func(l int) error {
		b := &lanes[l]
		if len(b.contacts) == 0 {
			return nil
		}
		value, err := schema.Marshal(schema.ContactBatch{Version: schema.RecordVersion, JobID: job.ID, BatchNo: batches, Contacts: b.contacts})
		if err != nil {
			return fmt.Errorf("encode batch %d: %w", batches, err)
		}
		key := job.ID + "/" + strconv.Itoa(batches)
		d.Client.Produce(ctx, &kgo.Record{Topic: d.Topics.Batches, Key: []byte(key), Value: value, Partition: int32(l)}, promise)
		batches++
		b.contacts, b.bytes = b.contacts[:0], 0
		return failed()
	}

	rows, stop := readAhead(rd)
	var readErr error
	for chunk := range rows {
		if chunk.err != nil {
			readErr = fmt.Errorf("reading stopped after row %d: %w", total, chunk.err)
			break
		}
		for _, row := range chunk.rows {
			if d.MaxRows > 0 && row.Number > d.MaxRows {
				readErr = fmt.Errorf("the file has more than %d rows, the limit per job", d.MaxRows)
				break
			}
			total++
			c := contact(row, named)
			l := laner.lane(c.Email)
			b := &lanes[l]
			b.contacts = append(b.contacts, c)
			for _, f := range row.Fields {
				b.bytes += len(f) + 4
			}
			if len(b.contacts) == size || b.bytes >= maxBytes {
				if err := flush(l); err != nil {
					readErr = fmt.Errorf("produce batches: %w", err)
					break
				}
			}
		}
		if readErr != nil {
			break
		}
	}
	stop()
	for l := range lanes {
		if readErr == nil {
			readErr = flush(l)
		}
	}
	if err := d.Client.Flush(ctx); err != nil && readErr == nil {
		readErr = fmt.Errorf("produce batches: %w", err)
	}
	if err := failed(); err != nil && readErr == nil {
		readErr = fmt.Errorf("produce batches: %w", err)
	}
	if readErr != nil {
		log.Warn("upload failed", "rows", total, "err", readErr)
		j, err := d.Jobs.FailJob(context.WithoutCancel(ctx), job.ID, readErr.Error())
		if err != nil {
			return nil, errors.Join(readErr, err)
		}
		d.Publish(ctx, j)
		return j, nil
	}
	j, err := d.Jobs.FinishUpload(ctx, job.ID, total, batches)
	if err != nil {
		return nil, err
	}
	log.Info("upload read", "rows", total, "batches", batches)
	d.Publish(ctx, j)
	return j, nil
}

// rowChunk is a run of rows read ahead, or the error that ended reading.
type rowChunk struct {
	rows []contactcsv.Row
	err  error
}

// readAheadRows is how many rows a rowChunk holds, and readAheadChunks how
// many chunks may wait: the reading runs at most 4,096 rows ahead.
const (
	readAheadRows   = 256
	readAheadChunks = 16
)

// readAhead reads rd's rows on a goroutine of its own, so that parsing
// the CSV and encoding and producing the batches each have a core when
// there are two. The channel ends after the last row, or after a chunk
// that holds the error that stopped reading. stop ends the reading early
// and returns once the goroutine has stopped touching rd.
func readAhead(rd *contactcsv.Reader) (rows <-chan rowChunk, stop func()) {
	ch := make(chan rowChunk, readAheadChunks)
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		defer close(ch)
		send := func(c rowChunk) bool {
			select {
			case ch <- c:
				return true
			case <-quit:
				return false
			}
		}
		chunk := make([]contactcsv.Row, 0, readAheadRows)
		for {
			row, err := rd.Next()
			if errors.Is(err, io.EOF) {
				if len(chunk) > 0 {
					send(rowChunk{rows: chunk})
				}
				return
			}
			if err != nil {
				if send(rowChunk{rows: chunk}) {
					send(rowChunk{err: err})
				}
				return
			}
			if chunk = append(chunk, row); len(chunk) == readAheadRows {
				if !send(rowChunk{rows: chunk}) {
					return
				}
				chunk = make([]contactcsv.Row, 0, readAheadRows)
			}
		}
	}()
	return ch, func() {
		close(quit)
		<-done
	}
}

// Publish announces a job's new state; the feed's resync covers a loss.
func (d *Dispatcher) Publish(ctx context.Context, j *store.Job) {
	rec, err := ProgressRecord(d.Topics.Progress, j)
	if err == nil {
		err = d.Client.ProduceSync(ctx, rec).FirstErr()
	}
	if err != nil {
		d.Log.Warn("publish job progress", "job", j.ID, "err", err)
	}
}

// lanes returns the number of partitions of the batches topic, or 1 when
// the broker cannot say.
func (d *Dispatcher) lanes(ctx context.Context) int {
	topics, err := kadm.NewClient(d.Client).ListTopics(ctx, d.Topics.Batches)
	if err == nil {
		if t, ok := topics[d.Topics.Batches]; ok && t.Err == nil && len(t.Partitions) > 0 {
			return len(t.Partitions)
		}
		err = errors.New("topic not listed")
	}
	d.Log.Warn("partitions of the batches topic unknown; one lane", "topic", d.Topics.Batches, "err", err)
	return 1
}

// laner assigns rows to lanes (see Dispatcher).
type laner struct {
	n      int
	spread func(string) bool
	after  int // rows of a work domain on its own lane; 0 for all of them
	turn   int // the next lane of the rows spread in turn
	// memo holds Spread's answer and the rows seen so far for recent
	// domains, by hash: a lookup in the lists for every row was an eighth
	// of the upload's CPU.
	memo [4096]struct {
		domain string
		spread bool
		rows   int
	}
}

// lane returns the lane of the row with address email: the FNV-1a hash of
// its domain, lower-cased, so that every API process sends a domain to
// the same lane; the next lane in turn for a row without a domain, at a
// domain Spread names, or at a domain that already had its share of rows
// on its own lane.
func (l *laner) lane(email string) int {
	domain := ""
	if at := strings.LastIndexByte(email, '@'); at >= 0 {
		domain = strings.TrimRight(strings.TrimSpace(email[at+1:]), ">.")
	}
	if domain == "" {
		return l.next()
	}
	h := uint64(14695981039346656037)
	for i := 0; i < len(domain); i++ {
		c := domain[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		h = (h ^ uint64(c)) * 1099511628211
	}
	m := &l.memo[h%uint64(len(l.memo))]
	if !strings.EqualFold(m.domain, domain) {
		m.domain, m.rows = domain, 0
		m.spread = l.spread != nil && l.spread(strings.ToLower(domain))
	}
	if m.spread {
		return l.next()
	}
	if m.rows++; l.after > 0 && m.rows > l.after {
		return l.next()
	}
	return int(h % uint64(l.n))
}

func (l *laner) next() int {
	t := l.turn
	l.turn = (l.turn + 1) % l.n
	return t
}

// LanePartitioner puts each record of the batches topic on the partition
// its Partition field names (its lane; see Dispatcher), and every other
// record where franz-go's default partitioner would.
func LanePartitioner(batches string) kgo.Partitioner {
	return lanePartitioner{batches: batches, others: kgo.UniformBytesPartitioner(64<<10, true, true, nil)}
}

type lanePartitioner struct {
	batches string
	others  kgo.Partitioner
}

func (p lanePartitioner) ForTopic(topic string) kgo.TopicPartitioner {
	if topic != p.batches {
		return p.others.ForTopic(topic)
	}
	return kgo.BasicConsistentPartitioner(func(string) func(*kgo.Record, int) int {
		return func(r *kgo.Record, n int) int { return int(r.Partition) % n }
	}).ForTopic(topic)
}

// contact is the record of row. A row of a file whose columns are all
// named (named is not nil) goes without its fields when they are its named
// values, as most are: the aggregator stores them from those (see
// schema.Contact).
func contact(row contactcsv.Row, named []string) schema.Contact {
	c := schema.Contact{
		Row:       row.Number,
		Line:      row.Line,
		FirstName: row.Get(contactcsv.FirstName),
		LastName:  row.Get(contactcsv.LastName),
		Email:     row.Get(contactcsv.Email),
		Company:   row.Get(contactcsv.Company),
		Phone:     row.Get(contactcsv.Phone),
		Fields:    row.Fields,
	}
	if row.Err != nil {
		c.Error = row.Err.Error()
		return c
	}
	if named != nil && len(row.Fields) == len(named) {
		for i, v := range row.Fields {
			if c.Named(named[i]) != v {
				return c
			}
		}
		c.Fields = nil
	}
	return c
}
