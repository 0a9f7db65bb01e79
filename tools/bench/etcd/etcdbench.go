// etcdbench: a small load generator for etcd v3, used by tools/bench/etcd_peer.sh
// to give Capstan's store benchmark a same-machine reference point.
//
// Why this exists instead of etcd's own tools/benchmark: Debian ships etcd's
// Go source as golang-etcd-server-dev, but without the tools/ directory, and
// this machine reaches no other source. So this program re-creates the
// workloads of `benchmark put` / `benchmark range` with the same load model:
//
//   - `--conns` gRPC connections (one clientv3.Client each) shared round-robin
//     by `--clients` goroutines (client i uses connection i % conns);
//   - a single producer feeds `--total` requests into a channel that the
//     clients drain, one synchronous request at a time per client;
//   - throughput = completed requests / wall time of the whole run, computed
//     by etcd's own pkg/report (the same code that prints "Requests/sec").
//
// The watch workload is not etcd's `watch-latency` (that one is rate-limited
// to 100 puts/s and measures latency, not throughput): it writes N keys under
// a prefix, then starts W watchers that replay the whole history from the
// first of those revisions, and reports events/s per watcher.
//
// Built in GOPATH mode against Debian's /usr/share/gocode (no module proxy):
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o etcdbench .
//
// Usage: etcdbench <put|range|watch|wait|freeports> [flags]
// The machine-readable result (one integer) goes to stdout; everything else
// goes to stderr.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"math"
	mrand "math/rand"
	"net"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"go.etcd.io/etcd/clientv3"
	"go.etcd.io/etcd/pkg/report"
	"go.uber.org/zap"
)

type options struct {
	endpoints    string
	conns        int
	clients      int
	total        int
	keySize      int
	valSize      int
	keySpace     int
	seqKeys      bool
	prefix       string
	serializable bool
	watchers     int
	timeout      time.Duration
}

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	cmd := os.Args[1]
	fs := flag.NewFlagSet(cmd, flag.ExitOnError)
	var o options
	fs.StringVar(&o.endpoints, "endpoints", "127.0.0.1:2379", "comma-separated client endpoints")
	fs.IntVar(&o.conns, "conns", 1, "number of gRPC connections")
	fs.IntVar(&o.clients, "clients", 1, "number of concurrent clients (goroutines), spread over conns")
	fs.IntVar(&o.total, "total", 10000, "total requests (put/range) or events to replay (watch)")
	fs.IntVar(&o.keySize, "key-size", 32, "key size in bytes (prefix included)")
	fs.IntVar(&o.valSize, "val-size", 1024, "value size in bytes")
	fs.IntVar(&o.keySpace, "key-space-size", 0, "number of distinct keys; 0 means total (every put a new key)")
	fs.BoolVar(&o.seqKeys, "sequential-keys", false, "use keys 0,1,2,... (mod key space) instead of random ones")
	fs.StringVar(&o.prefix, "prefix", "b/", "key prefix, to keep workloads apart in one etcd")
	fs.BoolVar(&o.serializable, "serializable", false, "range: serializable reads instead of linearizable")
	fs.IntVar(&o.watchers, "watchers", 10, "watch: number of watchers, each on its own connection")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Second, "wait: how long to wait for etcd to answer")
	_ = fs.Parse(os.Args[2:])
	if o.keySpace <= 0 {
		o.keySpace = o.total
	}
	if o.conns < 1 || o.clients < 1 || o.total < 1 || o.keySize <= len(o.prefix) {
		die("need conns, clients, total >= 1 and key-size > len(prefix)")
	}

	switch cmd {
	case "put":
		st := runPut(o)
		fmt.Println(int64(math.Round(st.RPS)))
	case "range":
		st := runRange(o)
		fmt.Println(int64(math.Round(st.RPS)))
	case "watch":
		fmt.Println(int64(math.Round(runWatch(o))))
	case "wait":
		waitHealthy(o)
	case "freeports":
		freePorts(2)
	default:
		usage()
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: etcdbench <put|range|watch|wait|freeports> [flags]")
	os.Exit(2)
}

func die(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "etcdbench: "+format+"\n", a...)
	os.Exit(1)
}

// key returns the fixed-size key for index i: prefix + zero-padded decimal.
// Fixed size matters: it is what --key-size means in etcd's benchmark.
func key(o options, i int) string {
	return fmt.Sprintf("%s%0*d", o.prefix, o.keySize-len(o.prefix), i)
}

// keyIndex picks the i-th request's key: sequential or uniformly random in the
// key space, as etcd's benchmark does with --sequential-keys / --key-space-size.
func keyIndex(o options, rng *mrand.Rand, i int) int {
	if o.seqKeys {
		return i % o.keySpace
	}
	return rng.Intn(o.keySpace)
}

func newConn(o options) *clientv3.Client {
	// The client's own zap logger would chatter about balancer state; keep
	// only errors so stderr stays readable.
	lc := zap.NewProductionConfig()
	lc.Level = zap.NewAtomicLevelAt(zap.ErrorLevel)
	c, err := clientv3.New(clientv3.Config{
		Endpoints:   strings.Split(o.endpoints, ","),
		DialTimeout: 5 * time.Second,
		LogConfig:   &lc,
	})
	if err != nil {
		die("dial %s: %v", o.endpoints, err)
	}
	return c
}

// clientsOverConns mirrors etcd's mustCreateClients: `conns` real connections,
// `clients` handles that share them round-robin.
func clientsOverConns(o options) (clients []*clientv3.Client, conns []*clientv3.Client) {
	conns = make([]*clientv3.Client, o.conns)
	for i := range conns {
		conns[i] = newConn(o)
	}
	clients = make([]*clientv3.Client, o.clients)
	for i := range clients {
		clients[i] = conns[i%len(conns)]
	}
	return clients, conns
}

// runOps drives `total` ops through the clients and returns etcd's report stats.
// check, if set, turns a successful response into an error (e.g. a missing key).
func runOps(o options, name string, gen func(i int) clientv3.Op,
	check func(clientv3.OpResponse) error) report.Stats {
	clients, conns := clientsOverConns(o)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()

	requests := make(chan clientv3.Op, o.clients)
	r := report.NewReport("%4.4f")
	statsc := r.Stats() // starts the collector; the clock starts here
	var wg sync.WaitGroup
	for _, c := range clients {
		wg.Add(1)
		go func(c *clientv3.Client) {
			defer wg.Done()
			for op := range requests {
				st := time.Now()
				resp, err := c.Do(context.Background(), op)
				if err == nil && check != nil {
					err = check(resp)
				}
				r.Results() <- report.Result{Err: err, Start: st, End: time.Now()}
			}
		}(c)
	}
	go func() {
		for i := 0; i < o.total; i++ {
			requests <- gen(i)
		}
		close(requests)
	}()
	wg.Wait()
	close(r.Results())
	st := <-statsc
	printStats(name, o, st)
	if len(st.ErrorDist) > 0 {
		die("%s: %d requests failed: %v", name, o.total-len(st.Lats), st.ErrorDist)
	}
	return st
}

func printStats(name string, o options, st report.Stats) {
	pcs, data := report.Percentiles(st.Lats)
	var b strings.Builder
	fmt.Fprintf(&b, "%s: total=%d conns=%d clients=%d key=%dB val=%dB keyspace=%d seq=%v\n",
		name, o.total, o.conns, o.clients, o.keySize, o.valSize, o.keySpace, o.seqKeys)
	fmt.Fprintf(&b, "  took %.3fs, %.1f req/s, latency avg %.2fms",
		st.Total.Seconds(), st.RPS, st.Average*1000)
	for i, p := range pcs {
		if p == 50 || p == 99 || p == 99.9 {
			fmt.Fprintf(&b, " p%g %.2fms", p, data[i]*1000)
		}
	}
	fmt.Fprintf(&b, " max %.2fms\n", st.Slowest*1000)
	fmt.Fprint(os.Stderr, b.String())
}

func randValue(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		die("rand: %v", err)
	}
	return string(b)
}

func runPut(o options) report.Stats {
	// One random value for all puts, as etcd's benchmark does.
	val := randValue(o.valSize)
	rng := mrand.New(mrand.NewSource(time.Now().UnixNano())) // used by the producer goroutine only
	return runOps(o, "put", func(i int) clientv3.Op {
		return clientv3.OpPut(key(o, keyIndex(o, rng, i)), val)
	}, nil)
}

func runRange(o options) report.Stats {
	rng := mrand.New(mrand.NewSource(time.Now().UnixNano()))
	var opts []clientv3.OpOption
	name := "range(linearizable)"
	if o.serializable {
		opts = append(opts, clientv3.WithSerializable())
		name = "range(serializable)"
	}
	return runOps(o, name, func(i int) clientv3.Op {
		return clientv3.OpGet(key(o, keyIndex(o, rng, i)), opts...)
	}, func(resp clientv3.OpResponse) error {
		// Point gets of keys that must exist: a miss means the setup was wrong.
		if len(resp.Get().Kvs) != 1 {
			return errors.New("key not found")
		}
		return nil
	})
}

// runWatch writes `total` keys under the prefix (with the put load model),
// then starts `watchers` watchers, each on its own connection, from the first
// revision of those writes, and times how long each takes to receive all
// `total` events. Returns events/s per watcher = total / wall time until the
// last watcher is done (so slow watchers are not hidden by fast ones).
func runWatch(o options) float64 {
	c := newConn(o)
	defer c.Close()
	resp, err := c.Get(context.Background(), "capstan-bench-rev-probe")
	if err != nil {
		die("get: %v", err)
	}
	startRev := resp.Header.Revision + 1

	po := o
	po.seqKeys, po.keySpace = true, o.total // every put a new key
	fmt.Fprintf(os.Stderr, "watch: writing %d keys under %q from revision %d\n", o.total, o.prefix, startRev)
	runPut(po)

	conns := make([]*clientv3.Client, o.watchers)
	for i := range conns {
		conns[i] = newConn(o)
		defer conns[i].Close()
	}
	elapsed := make([]time.Duration, o.watchers)
	errs := make([]error, o.watchers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range conns {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			<-start
			st := time.Now()
			wch := conns[i].Watch(ctx, o.prefix, clientv3.WithPrefix(), clientv3.WithRev(startRev))
			n := 0
			for wr := range wch {
				if err := wr.Err(); err != nil {
					errs[i] = err
					return
				}
				n += len(wr.Events)
				if n >= o.total {
					elapsed[i] = time.Since(st)
					return
				}
			}
			errs[i] = fmt.Errorf("watch channel closed after %d events", n)
		}(i)
	}
	t0 := time.Now()
	close(start)
	wg.Wait()
	wall := time.Since(t0)
	for i, err := range errs {
		if err != nil {
			die("watcher %d: %v", i, err)
		}
	}
	sort.Slice(elapsed, func(a, b int) bool { return elapsed[a] < elapsed[b] })
	rate := float64(o.total) / wall.Seconds()
	fmt.Fprintf(os.Stderr, "watch: %d watchers x %d events replayed in %.3fs: %.0f events/s per watcher "+
		"(fastest watcher %.0f/s, slowest %.0f/s), %.0f events/s in all\n",
		o.watchers, o.total, wall.Seconds(), rate,
		float64(o.total)/elapsed[0].Seconds(), float64(o.total)/elapsed[len(elapsed)-1].Seconds(),
		rate*float64(o.watchers))
	return rate
}

// waitHealthy polls with a linearizable Get (which needs a leader and a
// working raft log) until it succeeds or the timeout passes.
func waitHealthy(o options) {
	deadline := time.Now().Add(o.timeout)
	c := newConn(o)
	defer c.Close()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, err := c.Get(ctx, "capstan-bench-health")
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			die("etcd at %s not healthy after %v: %v", o.endpoints, o.timeout, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// freePorts prints n distinct free TCP ports on 127.0.0.1, one per line. All
// listeners are held open until every port is picked, so they are distinct;
// a race with another process binding the port afterwards is still possible,
// which the script handles by retrying etcd's start.
func freePorts(n int) {
	var ls []net.Listener
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			die("listen: %v", err)
		}
		ls = append(ls, l)
	}
	for _, l := range ls {
		fmt.Println(l.Addr().(*net.TCPAddr).Port)
		l.Close()
	}
}
