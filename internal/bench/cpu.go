package bench

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// userHZ is the unit of the CPU times in /proc: USER_HZ, 100 on every
// architecture Linux runs on today.
const userHZ = 100

func ticks(n uint64) time.Duration { return time.Duration(n) * time.Second / userHZ }

// CPUTime returns the CPU time process pid has used so far, in user and
// system mode (utime and stime of /proc/PID/stat).
func CPUTime(pid int) (time.Duration, error) {
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, fmt.Errorf("cpu time: %w", err)
	}
	// The command name, in parentheses, may hold spaces and parentheses:
	// the fields that follow start after the last ')'.
	end := bytes.LastIndexByte(raw, ')')
	if end < 0 {
		return 0, fmt.Errorf("cpu time: no command name in /proc/%d/stat", pid)
	}
	f := strings.Fields(string(raw[end+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("cpu time: %d fields in /proc/%d/stat", len(f), pid)
	}
	var sum uint64
	for _, s := range f[11:13] { // fields 14 and 15: utime and stime
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("cpu time: %w", err)
		}
		sum += n
	}
	return ticks(sum), nil
}

// MachineCPU returns the time all CPUs of the machine have spent busy
// since boot: the first line of /proc/stat, less idle, iowait and the
// time a hypervisor gave to others (steal).
func MachineCPU() (time.Duration, error) {
	raw, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, fmt.Errorf("machine cpu: %w", err)
	}
	line, _, _ := bytes.Cut(raw, []byte("\n"))
	f := strings.Fields(string(line))
	if len(f) < 5 || f[0] != "cpu" {
		return 0, errors.New("machine cpu: no cpu line in /proc/stat")
	}
	var busy uint64
	for i, s := range f[1:] {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("machine cpu: %w", err)
		}
		switch i {
		case 3, 4, 7: // idle, iowait, steal
		case 8, 9: // guest and guest_nice, already counted in user and nice
		default:
			busy += n
		}
	}
	return ticks(busy), nil
}

// cpuMeter takes the CPU times of the machine, of this process and of the
// stack's processes at the start of the job and again at its end.
type cpuMeter struct {
	pids    []int
	machine time.Duration
	self    time.Duration
	procs   []time.Duration
	err     error
}

func startCPU(pids []int) *cpuMeter {
	m := &cpuMeter{pids: pids, procs: make([]time.Duration, len(pids))}
	m.machine, m.self, m.err = m.read(m.procs)
	return m
}

func (m *cpuMeter) read(procs []time.Duration) (machine, self time.Duration, err error) {
	var errs []error
	machine, err = MachineCPU()
	errs = append(errs, err)
	self, err = CPUTime(os.Getpid())
	errs = append(errs, err)
	for i, pid := range m.pids {
		procs[i], err = CPUTime(pid)
		errs = append(errs, err)
	}
	return machine, self, errors.Join(errs...)
}

// stop fills in what was used since the start: each process's share in
// res.Processes (in the order of the pids), the benchmark's own, the
// machine's, and what is left of the machine's for everything else.
func (m *cpuMeter) stop(res *StackResult) error {
	procs := make([]time.Duration, len(m.pids))
	machine, self, err := m.read(procs)
	if err = errors.Join(m.err, err); err != nil {
		return err
	}
	c := &CPUUse{MachineSecs: (machine - m.machine).Seconds(), BenchSecs: (self - m.self).Seconds()}
	c.OtherSecs = c.MachineSecs - c.BenchSecs
	for i := range procs {
		s := (procs[i] - m.procs[i]).Seconds()
		res.Processes[i].JobCPUSecs = s
		c.OtherSecs -= s
	}
	c.OtherSecs = max(c.OtherSecs, 0) // the counters tick at different moments
	res.CPU = c
	return nil
}

// CPUUse is the CPU time spent while the job ran, upload start to job
// end, in seconds of one CPU.
type CPUUse struct {
	MachineSecs float64 `json:"machine_seconds"` // every process of the machine
	BenchSecs   float64 `json:"bench_seconds"`   // the benchmark: its upload and DNS server
	// OtherSecs is the machine's less the stack's processes and the
	// benchmark's: Kafka and PostgreSQL on the real stack, and any other
	// work the machine had.
	OtherSecs float64 `json:"other_seconds"`
}
