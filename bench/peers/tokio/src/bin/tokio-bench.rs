//! Tokio peer for the kyoto benchmark workloads W1..W9, F1, F2, P1 (see bench/README.md).
//!
//! Usage: tokio-bench [--quick] [workload ...]
//! Prints one line per workload: `RESULT <workload> tokio <figure> <unit>`.
//! Every workload checks its own result; on a wrong result the program prints a
//! message on stderr and exits with status 1.
//!
//! fs_read and fs_copy (F1, F2) read the data file that bench/run makes with
//! tools/fs_data, named by the environment: BENCH_FS_FILE (its path),
//! BENCH_FS_BYTES (its size) and BENCH_FS_SUM (its checksum, 16 hex digits;
//! tools/fs_data.c defines it). Without BENCH_FS_FILE they are skipped (a note
//! on stderr), or fail when named on the command line.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tokio::io::AsyncReadExt;
use tokio::runtime::Runtime;
use tokio::sync::{mpsc, oneshot, Notify, Semaphore};

const RUNTIME_NAME: &str = "tokio";

struct Config {
    quick: bool,
    warmups: usize,
    iterations: usize,
}

impl Config {
    /// Full size, or the size divided by 100 in quick mode.
    fn size(&self, full: usize) -> usize {
        if self.quick {
            (full / 100).max(1)
        } else {
            full
        }
    }
}

fn fail(workload: &str, msg: String) -> ! {
    eprintln!("tokio-bench: {}: verification failed: {}", workload, msg);
    std::process::exit(1);
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).expect("NaN figure"));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Runs the warm-ups and the timed iterations of one workload; each call of
/// `iteration` returns that iteration's figure. Prints the median.
fn report(cfg: &Config, name: &str, unit: &str, decimals: usize, mut iteration: impl FnMut() -> f64) {
    for _ in 0..cfg.warmups {
        iteration();
    }
    let figures: Vec<f64> = (0..cfg.iterations).map(|_| iteration()).collect();
    println!("RESULT {} {} {:.*} {}", name, RUNTIME_NAME, decimals, median(figures), unit);
}

fn rate(count: usize, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64()
}

/// Runs `fut` as a task on a worker thread of the runtime and waits for it
/// from the (outside) main thread.
fn run_in_task<F>(rt: &Runtime, fut: F) -> F::Output
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    rt.block_on(rt.spawn(fut)).expect("driver task panicked")
}

// ---------------------------------------------------------------- W1
struct SpawnShared {
    remaining: AtomicUsize,
    done: Notify,
}

fn spawn_many_local(rt: &Runtime, n: usize) -> f64 {
    let start = Instant::now();
    let left = run_in_task(rt, async move {
        let shared = Arc::new(SpawnShared { remaining: AtomicUsize::new(n), done: Notify::new() });
        for _ in 0..n {
            let shared = shared.clone();
            tokio::spawn(async move {
                if shared.remaining.fetch_sub(1, Ordering::AcqRel) == 1 {
                    shared.done.notify_one();
                }
            });
        }
        shared.done.notified().await;
        shared.remaining.load(Ordering::Acquire)
    });
    let elapsed = start.elapsed();
    if left != 0 {
        fail("spawn_many_local", format!("{} tasks did not run", left));
    }
    rate(n, elapsed)
}

// ---------------------------------------------------------------- W2
fn spawn_many_remote(rt: &Runtime, n: usize) -> f64 {
    let start = Instant::now();
    let handle = rt.handle();
    let joins: Vec<_> = (0..n).map(|i| handle.spawn(async move { i })).collect();
    let sum = rt.block_on(async move {
        let mut sum = 0usize;
        for join in joins {
            sum += join.await.expect("task panicked");
        }
        sum
    });
    let elapsed = start.elapsed();
    if sum != n * (n - 1) / 2 {
        fail("spawn_many_remote", format!("sum of results {} != {}", sum, n * (n - 1) / 2));
    }
    rate(n, elapsed)
}

// ---------------------------------------------------------------- W3
fn yield_many(rt: &Runtime, tasks: usize, yields: usize) -> f64 {
    let start = Instant::now();
    let total = run_in_task(rt, async move {
        let joins: Vec<_> = (0..tasks)
            .map(|_| {
                tokio::spawn(async move {
                    let mut done = 0usize;
                    for _ in 0..yields {
                        tokio::task::yield_now().await;
                        done += 1;
                    }
                    done
                })
            })
            .collect();
        let mut total = 0usize;
        for join in joins {
            total += join.await.expect("task panicked");
        }
        total
    });
    let elapsed = start.elapsed();
    if total != tasks * yields {
        fail("yield_many", format!("{} yields instead of {}", total, tasks * yields));
    }
    rate(tasks * yields, elapsed)
}

// ---------------------------------------------------------------- W4
/// One ping: carries the sender of the pong and the receiver of the next
/// ping, so that every round trip uses a fresh pair of oneshot channels.
struct Ping {
    pong: oneshot::Sender<()>,
    next: Option<oneshot::Receiver<Ping>>,
}

async fn pinger(mut ping: oneshot::Sender<Ping>, rounds: usize) -> usize {
    let mut done = 0;
    for round in 0..rounds {
        let (pong_tx, pong_rx) = oneshot::channel();
        let (next_tx, next_rx) = if round + 1 < rounds {
            let (tx, rx) = oneshot::channel();
            (Some(tx), Some(rx))
        } else {
            (None, None)
        };
        if ping.send(Ping { pong: pong_tx, next: next_rx }).is_err() {
            return done;
        }
        if pong_rx.await.is_err() {
            return done;
        }
        done += 1;
        match next_tx {
            Some(tx) => ping = tx,
            None => break,
        }
    }
    done
}

async fn ponger(mut ping: oneshot::Receiver<Ping>) {
    while let Ok(Ping { pong, next }) = ping.await {
        let _ = pong.send(());
        match next {
            Some(rx) => ping = rx,
            None => return,
        }
    }
}

fn ping_pong(rt: &Runtime, pairs: usize, rounds: usize) -> f64 {
    let start = Instant::now();
    let total = run_in_task(rt, async move {
        let mut joins = Vec::with_capacity(pairs);
        for _ in 0..pairs {
            let (tx, rx) = oneshot::channel();
            tokio::spawn(ponger(rx));
            joins.push(tokio::spawn(pinger(tx, rounds)));
        }
        let mut total = 0;
        for join in joins {
            total += join.await.expect("task panicked");
        }
        total
    });
    let elapsed = start.elapsed();
    if total != pairs * rounds {
        fail("ping_pong", format!("{} round trips instead of {}", total, pairs * rounds));
    }
    rate(pairs * rounds, elapsed)
}

// ---------------------------------------------------------------- W4b
/// A user's shape: each pinger spawns its own ponger; the ponger creates the
/// channel of the next ping and sends its sender back inside the pong. The
/// pinger drops the last sender, which ends the ponger, and joins it.
struct SpawnedPing {
    seq: usize,
    pong: oneshot::Sender<SpawnedPong>,
}

struct SpawnedPong {
    seq: usize,
    next: oneshot::Sender<SpawnedPing>,
}

async fn spawned_ponger(mut ping: oneshot::Receiver<SpawnedPing>) -> usize {
    let mut answered = 0;
    while let Ok(SpawnedPing { seq, pong }) = ping.await {
        let (next_tx, next_rx) = oneshot::channel();
        if pong.send(SpawnedPong { seq: seq + 1, next: next_tx }).is_err() {
            break;
        }
        answered += 1;
        ping = next_rx;
    }
    answered
}

async fn spawned_pinger(rounds: usize) -> usize {
    let (first_tx, first_rx) = oneshot::channel();
    let ponger = tokio::spawn(spawned_ponger(first_rx));
    let mut ok = 0;
    {
        let mut ping = first_tx;
        for seq in 0..rounds {
            let (pong_tx, pong_rx) = oneshot::channel();
            if ping.send(SpawnedPing { seq, pong: pong_tx }).is_err() {
                break;
            }
            match pong_rx.await {
                Ok(pong) if pong.seq == seq + 1 => {
                    ok += 1;
                    ping = pong.next;
                }
                _ => break,
            }
        }
    } // the last sender is dropped: the ponger's next wait ends
    let answered = ponger.await.expect("ponger panicked");
    if answered == ok {
        ok
    } else {
        0
    }
}

fn ping_pong_spawned(rt: &Runtime, pairs: usize, rounds: usize) -> f64 {
    let start = Instant::now();
    let total = run_in_task(rt, async move {
        let mut joins = Vec::with_capacity(pairs);
        for _ in 0..pairs {
            joins.push(tokio::spawn(spawned_pinger(rounds)));
        }
        let mut total = 0;
        for join in joins {
            total += join.await.expect("task panicked");
        }
        total
    });
    let elapsed = start.elapsed();
    if total != pairs * rounds {
        fail("ping_pong_spawned", format!("{} round trips instead of {}", total, pairs * rounds));
    }
    rate(pairs * rounds, elapsed)
}

// ---------------------------------------------------------------- W5
fn chain_link(index: usize, depth: usize, done: oneshot::Sender<usize>) {
    if index + 1 == depth {
        let _ = done.send(index + 1);
    } else {
        tokio::spawn(async move { chain_link(index + 1, depth, done) });
    }
}

fn chained_spawn(rt: &Runtime, depth: usize) -> f64 {
    let start = Instant::now();
    let reached = run_in_task(rt, async move {
        let (tx, rx) = oneshot::channel();
        tokio::spawn(async move { chain_link(0, depth, tx) });
        rx.await.unwrap_or(0)
    });
    let elapsed = start.elapsed();
    if reached != depth {
        fail("chained_spawn", format!("chain ended at {} instead of {}", reached, depth));
    }
    rate(depth, elapsed)
}

// ---------------------------------------------------------------- W6
fn mpsc_bounded(rt: &Runtime, per_producer: usize) -> f64 {
    const PRODUCERS: usize = 4;
    const CAPACITY: usize = 1024;
    let total = PRODUCERS * per_producer;
    let start = Instant::now();
    let (count, sum) = run_in_task(rt, async move {
        let (tx, mut rx) = mpsc::channel::<u64>(CAPACITY);
        for p in 0..PRODUCERS {
            let tx = tx.clone();
            tokio::spawn(async move {
                let base = (p * per_producer) as u64;
                for i in 0..per_producer as u64 {
                    tx.send(base + i).await.expect("receiver dropped");
                }
            });
        }
        drop(tx);
        let consumer = tokio::spawn(async move {
            let (mut count, mut sum) = (0usize, 0u64);
            while let Some(v) = rx.recv().await {
                count += 1;
                sum += v;
            }
            (count, sum)
        });
        consumer.await.expect("consumer panicked")
    });
    let elapsed = start.elapsed();
    let expected = (total as u64) * (total as u64 - 1) / 2;
    if count != total || sum != expected {
        fail("mpsc_bounded", format!("received {} values summing to {}, expected {} summing to {}", count, sum, total, expected));
    }
    rate(total, elapsed)
}

// ---------------------------------------------------------------- W7
fn timers(rt: &Runtime, n: usize) -> f64 {
    let start = Instant::now();
    let early = run_in_task(rt, async move {
        let joins: Vec<_> = (0..n)
            .map(|i| {
                tokio::spawn(async move {
                    let d = Duration::from_millis((i % 100) as u64 + 1);
                    let t0 = Instant::now();
                    tokio::time::sleep(d).await;
                    t0.elapsed() < d
                })
            })
            .collect();
        let mut early = 0usize;
        for join in joins {
            early += join.await.expect("task panicked") as usize;
        }
        early
    });
    let elapsed = start.elapsed();
    if early != 0 {
        fail("timers", format!("{} sleeps woke up early", early));
    }
    elapsed.as_secs_f64() * 1e3
}

// ---------------------------------------------------------------- W8
fn timeout_churn(rt: &Runtime, n: usize) -> f64 {
    let start = Instant::now();
    let sum = run_in_task(rt, async move {
        let mut sum = 0u64;
        for i in 0..n as u64 {
            match tokio::time::timeout(Duration::from_secs(1), std::future::ready(i)).await {
                Ok(v) => sum += v,
                Err(_) => return None,
            }
        }
        Some(sum)
    });
    let elapsed = start.elapsed();
    let expected = (n as u64) * (n as u64 - 1) / 2;
    if sum != Some(expected) {
        fail("timeout_churn", format!("got {:?}, expected sum {}", sum, expected));
    }
    rate(n, elapsed)
}

// ---------------------------------------------------------------- W8b
/// Polls the wrapped future exactly once; resolves to whether it was ready.
struct PollOnce<'a, F: Future>(Pin<&'a mut F>);

impl<'a, F: Future> Future for PollOnce<'a, F> {
    type Output = bool;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<bool> {
        let inner = &mut self.get_mut().0;
        Poll::Ready(inner.as_mut().poll(cx).is_ready())
    }
}

fn timer_arm_cancel(rt: &Runtime, n: usize) -> f64 {
    let start = Instant::now();
    // `unconstrained`: Tokio's Sleep consumes cooperative-scheduling budget
    // and, once the budget is spent, returns Pending *without* registering
    // with the timer driver. Without it only the first 128 sleeps of each
    // budget would really be armed.
    let pending = run_in_task(
        rt,
        tokio::task::unconstrained(async move {
            let mut pending = 0usize;
            for _ in 0..n {
                let sleep = tokio::time::sleep(Duration::from_secs(1));
                tokio::pin!(sleep);
                if !PollOnce(sleep.as_mut()).await {
                    pending += 1;
                }
                // `sleep` is dropped here: the armed timer entry is cancelled.
            }
            pending
        }),
    );
    let elapsed = start.elapsed();
    if pending != n {
        fail("timer_arm_cancel", format!("{} of {} sleeps were ready at once", n - pending, n));
    }
    rate(n, elapsed)
}

// ---------------------------------------------------------------- W9
extern "C" {
    fn malloc_trim(pad: usize) -> i32;
}

/// Resident set size of this process in bytes (from /proc/self/status).
fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("read /proc/self/status");
    for line in status.lines() {
        if let Some(rest) = line.strip_prefix("VmRSS:") {
            let kb: u64 = rest.trim().trim_end_matches("kB").trim().parse().expect("VmRSS");
            return kb * 1024;
        }
    }
    panic!("no VmRSS in /proc/self/status");
}

struct IdleShared {
    gate: Semaphore,
    started: AtomicUsize,
    remaining: AtomicUsize,
    released: AtomicUsize,
    done: Notify,
}

fn idle_task_memory(rt: &Runtime, n: usize) -> f64 {
    let (growth, released) = run_in_task(rt, async move {
        let shared = Arc::new(IdleShared {
            gate: Semaphore::new(0),
            started: AtomicUsize::new(0),
            remaining: AtomicUsize::new(n),
            released: AtomicUsize::new(0),
            done: Notify::new(),
        });
        // Give memory freed by earlier iterations back to the OS, so that the
        // growth measured below is what these tasks take.
        unsafe { malloc_trim(0) };
        let before = rss_bytes();
        for _ in 0..n {
            let shared = shared.clone();
            tokio::spawn(async move {
                shared.started.fetch_add(1, Ordering::AcqRel);
                // The gate has no permits: this waits until it is closed.
                if shared.gate.acquire().await.is_err() {
                    shared.released.fetch_add(1, Ordering::AcqRel);
                }
                if shared.remaining.fetch_sub(1, Ordering::AcqRel) == 1 {
                    shared.done.notify_one();
                }
            });
        }
        while shared.started.load(Ordering::Acquire) < n {
            tokio::task::yield_now().await;
        }
        let after = rss_bytes();
        shared.gate.close();
        shared.done.notified().await;
        (after as f64 - before as f64, shared.released.load(Ordering::Acquire))
    });
    if released != n {
        fail("idle_task_memory", format!("{} of {} tasks were released by the signal", released, n));
    }
    growth / n as f64
}

// ---------------------------------------------------------------- W9b
/// kyoto's cheaper idiom, a Notify. The Notified future is made before
/// `started` is counted: it counts notify_waiters calls from its creation, so
/// notify_waiters reaches it even if it was never polled (as kyoto's).
struct IdleNotifyShared {
    gate: Notify,
    started: AtomicUsize,
    remaining: AtomicUsize,
    released: AtomicUsize,
    done: Notify,
}

fn idle_task_memory_notify(rt: &Runtime, n: usize) -> f64 {
    let (growth, released) = run_in_task(rt, async move {
        let shared = Arc::new(IdleNotifyShared {
            gate: Notify::new(),
            started: AtomicUsize::new(0),
            remaining: AtomicUsize::new(n),
            released: AtomicUsize::new(0),
            done: Notify::new(),
        });
        unsafe { malloc_trim(0) };
        let before = rss_bytes();
        for _ in 0..n {
            let shared = shared.clone();
            tokio::spawn(async move {
                let wait = shared.gate.notified();
                shared.started.fetch_add(1, Ordering::AcqRel);
                wait.await;
                shared.released.fetch_add(1, Ordering::AcqRel);
                if shared.remaining.fetch_sub(1, Ordering::AcqRel) == 1 {
                    shared.done.notify_one();
                }
            });
        }
        while shared.started.load(Ordering::Acquire) < n {
            tokio::task::yield_now().await;
        }
        let after = rss_bytes();
        shared.gate.notify_waiters();
        shared.done.notified().await;
        (after as f64 - before as f64, shared.released.load(Ordering::Acquire))
    });
    if released != n {
        fail("idle_task_memory_notify", format!("{} of {} tasks were released", released, n));
    }
    growth / n as f64
}

// ---------------------------------------------------------------- W9c
/// A mutex the driver holds; unlocking releases the first waiter, and each
/// task takes the lock in turn, counts itself under it and drops it.
struct IdleMutexShared {
    gate: tokio::sync::Mutex<usize>,
    started: AtomicUsize,
    remaining: AtomicUsize,
    released: AtomicUsize,
    done: Notify,
}

fn idle_task_memory_mutex(rt: &Runtime, n: usize) -> f64 {
    let (growth, released, counted) = run_in_task(rt, async move {
        let shared = Arc::new(IdleMutexShared {
            gate: tokio::sync::Mutex::new(0),
            started: AtomicUsize::new(0),
            remaining: AtomicUsize::new(n),
            released: AtomicUsize::new(0),
            done: Notify::new(),
        });
        let held = shared.gate.lock().await;
        unsafe { malloc_trim(0) };
        let before = rss_bytes();
        for _ in 0..n {
            let shared = shared.clone();
            tokio::spawn(async move {
                shared.started.fetch_add(1, Ordering::AcqRel);
                {
                    let mut guard = shared.gate.lock().await;
                    *guard += 1;
                }
                shared.released.fetch_add(1, Ordering::AcqRel);
                if shared.remaining.fetch_sub(1, Ordering::AcqRel) == 1 {
                    shared.done.notify_one();
                }
            });
        }
        while shared.started.load(Ordering::Acquire) < n {
            tokio::task::yield_now().await;
        }
        let after = rss_bytes();
        drop(held);
        shared.done.notified().await;
        let counted = *shared.gate.lock().await;
        (after as f64 - before as f64, shared.released.load(Ordering::Acquire), counted)
    });
    if released != n || counted != n {
        fail("idle_task_memory_mutex", format!("{} tasks released, {} counted under the lock, of {}", released, counted, n));
    }
    growth / n as f64
}

// ---------------------------------------------------------------- W9d
/// Shared state of W9d and W9e (no gate: each task waits on its own thing).
struct IdleCountShared {
    started: AtomicUsize,
    remaining: AtomicUsize,
    released: AtomicUsize,
    done: Notify,
}

impl IdleCountShared {
    fn new(n: usize) -> Arc<Self> {
        Arc::new(IdleCountShared {
            started: AtomicUsize::new(0),
            remaining: AtomicUsize::new(n),
            released: AtomicUsize::new(0),
            done: Notify::new(),
        })
    }
}

/// Each task owns the receiver of its own mpsc channel of capacity 1 and
/// waits on recv(); the driver keeps the senders (a Vec of n, 8 bytes each on
/// both sides, counted in the growth), releases every task by sending it its
/// index, then drops the senders.
fn idle_task_memory_mpsc(rt: &Runtime, n: usize) -> f64 {
    let (growth, released, sent) = run_in_task(rt, async move {
        let shared = IdleCountShared::new(n);
        unsafe { malloc_trim(0) };
        let before = rss_bytes();
        let mut senders = Vec::with_capacity(n);
        for index in 0..n {
            let (tx, mut rx) = mpsc::channel::<usize>(1);
            senders.push(tx);
            let shared = shared.clone();
            tokio::spawn(async move {
                shared.started.fetch_add(1, Ordering::AcqRel);
                if rx.recv().await == Some(index) {
                    shared.released.fetch_add(1, Ordering::AcqRel);
                }
                if shared.remaining.fetch_sub(1, Ordering::AcqRel) == 1 {
                    shared.done.notify_one();
                }
            });
        }
        while shared.started.load(Ordering::Acquire) < n {
            tokio::task::yield_now().await;
        }
        let after = rss_bytes();
        let mut sent = 0;
        for (index, tx) in senders.iter().enumerate() {
            sent += tx.try_send(index).is_ok() as usize;
        }
        senders.clear();
        shared.done.notified().await;
        (after as f64 - before as f64, shared.released.load(Ordering::Acquire), sent)
    });
    if released != n || sent != n {
        fail("idle_task_memory_mpsc", format!("{} sent, {} received by their task, of {}", sent, released, n));
    }
    growth / n as f64
}

// ---------------------------------------------------------------- W9e
/// Each task sleeps for an hour; the driver keeps the join handles (8 bytes
/// each on both sides, counted in the growth), aborts every task through its
/// handle and checks that every join reports cancellation.
fn idle_task_memory_sleep(rt: &Runtime, n: usize) -> f64 {
    let (growth, cancelled, woke) = run_in_task(rt, async move {
        let shared = IdleCountShared::new(n);
        unsafe { malloc_trim(0) };
        let before = rss_bytes();
        let mut joins = Vec::with_capacity(n);
        for _ in 0..n {
            let shared = shared.clone();
            joins.push(tokio::spawn(async move {
                shared.started.fetch_add(1, Ordering::AcqRel);
                tokio::time::sleep(Duration::from_secs(3600)).await;
                shared.released.fetch_add(1, Ordering::AcqRel); // never: the task is aborted
            }));
        }
        while shared.started.load(Ordering::Acquire) < n {
            tokio::task::yield_now().await;
        }
        let after = rss_bytes();
        for join in &joins {
            join.abort();
        }
        let mut cancelled = 0;
        for join in joins {
            if let Err(e) = join.await {
                if e.is_cancelled() {
                    cancelled += 1;
                }
            }
        }
        (after as f64 - before as f64, cancelled, shared.released.load(Ordering::Acquire))
    });
    if cancelled != n || woke != 0 {
        fail("idle_task_memory_sleep", format!("{} joins cancelled of {}, {} sleeps ended", cancelled, n, woke));
    }
    growth / n as f64
}

// ---------------------------------------------------------------- F1, F2
struct FsInput {
    path: String,
    bytes: u64,
    sum: u64,
}

fn fs_input_from_env() -> Option<FsInput> {
    let path = std::env::var("BENCH_FS_FILE").ok()?;
    let bytes = std::env::var("BENCH_FS_BYTES").ok()?.parse().ok()?;
    let sum = u64::from_str_radix(&std::env::var("BENCH_FS_SUM").ok()?, 16).ok()?;
    Some(FsInput { path, bytes, sum })
}

/// tools/fs_data.c's checksum: FNV-style over little-endian u64 words.
fn checksum(data: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for w in data.chunks_exact(8) {
        h = (h ^ u64::from_le_bytes(w.try_into().unwrap())).wrapping_mul(0x100000001b3);
    }
    h
}

/// Verifies a file with plain blocking reads (outside the timed part).
fn verify_file(workload: &str, path: &str, input: &FsInput) {
    let all = std::fs::read(path).unwrap_or_else(|e| fail(workload, format!("cannot read {}: {}", path, e)));
    if all.len() as u64 != input.bytes {
        fail(workload, format!("{} has {} bytes", path, all.len()));
    }
    if checksum(&all) != input.sum {
        fail(workload, format!("{}: wrong checksum", path));
    }
}

async fn fs_read_body(path: String) -> std::io::Result<Vec<u8>> {
    let mut f = tokio::fs::File::open(path).await?;
    let mut all = Vec::new();
    f.read_to_end(&mut all).await?;
    Ok(all)
}

fn fs_read(rt: &Runtime, input: &FsInput) -> f64 {
    let start = Instant::now();
    let all = run_in_task(rt, fs_read_body(input.path.clone()));
    let elapsed = start.elapsed(); // the buffer is freed untimed
    let all = all.unwrap_or_else(|e| fail("fs_read", e.to_string()));
    if all.len() as u64 != input.bytes {
        fail("fs_read", format!("read {} bytes", all.len()));
    }
    if checksum(&all) != input.sum {
        fail("fs_read", "wrong checksum".to_string());
    }
    rate(input.bytes as usize, elapsed) / (1024.0 * 1024.0)
}

async fn fs_copy_body(from: String, to: String) -> std::io::Result<u64> {
    tokio::fs::copy(from, to).await
}

fn fs_copy(rt: &Runtime, input: &FsInput) -> f64 {
    let to = format!("{}.copy-tokio", input.path);
    let _ = std::fs::remove_file(&to); // the copy creates it (untimed)
    let start = Instant::now();
    let n = run_in_task(rt, fs_copy_body(input.path.clone(), to.clone()));
    let elapsed = start.elapsed();
    let n = n.unwrap_or_else(|e| fail("fs_copy", e.to_string()));
    if n != input.bytes {
        fail("fs_copy", format!("copied {} bytes", n));
    }
    verify_file("fs_copy", &to, input);
    rate(input.bytes as usize, elapsed) / (1024.0 * 1024.0)
}

// ---------------------------------------------------------------- P1
/// `PROCESS_CONCURRENCY` tasks each take the next of n spawns until none is left.
const PROCESS_CONCURRENCY: usize = 16;

async fn spawn_true_worker(next: Arc<AtomicUsize>, n: usize) -> usize {
    let mut ok = 0;
    loop {
        if next.fetch_add(1, Ordering::Relaxed) >= n {
            break;
        }
        match tokio::process::Command::new("true").status().await {
            Ok(st) => {
                if st.success() {
                    ok += 1;
                }
            }
            Err(e) => {
                eprintln!("tokio-bench: process_spawn: {}", e);
                break;
            }
        }
    }
    ok
}

async fn process_spawn_body(n: usize) -> usize {
    let next = Arc::new(AtomicUsize::new(0));
    let joins: Vec<_> =
        (0..PROCESS_CONCURRENCY).map(|_| tokio::spawn(spawn_true_worker(next.clone(), n))).collect();
    let mut ok = 0;
    for j in joins {
        ok += j.await.expect("worker panicked");
    }
    ok
}

fn process_spawn(rt: &Runtime, n: usize) -> f64 {
    let start = Instant::now();
    let ok = run_in_task(rt, process_spawn_body(n));
    let elapsed = start.elapsed();
    if ok != n {
        fail("process_spawn", format!("{} of {} exited 0", ok, n));
    }
    rate(n, elapsed)
}

// ---------------------------------------------------------------- main
const WORKLOADS: &[&str] = &[
    "spawn_many_local",
    "spawn_many_remote",
    "yield_many",
    "ping_pong",
    "ping_pong_spawned",
    "chained_spawn",
    "mpsc_bounded",
    "timers",
    "timeout_churn",
    "timer_arm_cancel",
    "idle_task_memory",
    "idle_task_memory_notify",
    "idle_task_memory_mutex",
    "idle_task_memory_mpsc",
    "idle_task_memory_sleep",
    "fs_read",
    "fs_copy",
    "process_spawn",
];

fn main() {
    let mut quick = false;
    let mut selected: Vec<String> = Vec::new();
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--quick" => quick = true,
            "-h" | "--help" => {
                println!("usage: tokio-bench [--quick] [workload ...]\nworkloads: {}", WORKLOADS.join(" "));
                return;
            }
            _ => selected.push(arg),
        }
    }
    let cfg = Config { quick, warmups: if quick { 1 } else { 2 }, iterations: if quick { 3 } else { 10 } };
    let wanted = |name: &str| selected.is_empty() || selected.iter().any(|s| s == name);

    let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .expect("cannot build the Tokio runtime");

    let fs_in = fs_input_from_env();
    for &name in WORKLOADS {
        if !wanted(name) {
            continue;
        }
        if name == "fs_read" || name == "fs_copy" {
            match &fs_in {
                None if !selected.is_empty() => {
                    fail(name, "BENCH_FS_FILE, BENCH_FS_BYTES and BENCH_FS_SUM are not set".to_string())
                }
                None => {
                    eprintln!("tokio-bench: {} skipped: no BENCH_FS_FILE (bench/run sets it)", name);
                    continue;
                }
                Some(input) => verify_file(name, &input.path, input), // and into the page cache
            }
        }
        match name {
            "spawn_many_local" => report(&cfg, name, "tasks/s", 0, || spawn_many_local(&rt, cfg.size(100_000))),
            "spawn_many_remote" => report(&cfg, name, "tasks/s", 0, || spawn_many_remote(&rt, cfg.size(100_000))),
            "yield_many" => report(&cfg, name, "yields/s", 0, || yield_many(&rt, 200, cfg.size(1_000))),
            "ping_pong" => report(&cfg, name, "round_trips/s", 0, || ping_pong(&rt, cfg.size(1_000), 100)),
            "ping_pong_spawned" => report(&cfg, name, "round_trips/s", 0, || ping_pong_spawned(&rt, cfg.size(1_000), 100)),
            "chained_spawn" => report(&cfg, name, "spawns/s", 0, || chained_spawn(&rt, cfg.size(100_000))),
            "mpsc_bounded" => report(&cfg, name, "msgs/s", 0, || mpsc_bounded(&rt, cfg.size(250_000))),
            "timers" => report(&cfg, name, "ms", 1, || timers(&rt, cfg.size(100_000))),
            "timeout_churn" => report(&cfg, name, "ops/s", 0, || timeout_churn(&rt, cfg.size(1_000_000))),
            "timer_arm_cancel" => report(&cfg, name, "ops/s", 0, || timer_arm_cancel(&rt, cfg.size(1_000_000))),
            "idle_task_memory" => report(&cfg, name, "bytes/task", 1, || idle_task_memory(&rt, cfg.size(1_000_000))),
            "idle_task_memory_notify" => report(&cfg, name, "bytes/task", 1, || idle_task_memory_notify(&rt, cfg.size(1_000_000))),
            "idle_task_memory_mutex" => report(&cfg, name, "bytes/task", 1, || idle_task_memory_mutex(&rt, cfg.size(1_000_000))),
            "idle_task_memory_mpsc" => report(&cfg, name, "bytes/task", 1, || idle_task_memory_mpsc(&rt, cfg.size(1_000_000))),
            "idle_task_memory_sleep" => report(&cfg, name, "bytes/task", 1, || idle_task_memory_sleep(&rt, cfg.size(1_000_000))),
            "fs_read" => report(&cfg, name, "MiB/s", 0, || fs_read(&rt, fs_in.as_ref().unwrap())),
            "fs_copy" => report(&cfg, name, "MiB/s", 0, || fs_copy(&rt, fs_in.as_ref().unwrap())),
            "process_spawn" => {
                report(&cfg, name, "processes/s", 0, || process_spawn(&rt, if cfg.quick { 50 } else { 1000 }))
            }
            _ => unreachable!(),
        }
    }
    if let Some(input) = &fs_in {
        if wanted("fs_copy") {
            let _ = std::fs::remove_file(format!("{}.copy-tokio", input.path));
        }
    }
}
