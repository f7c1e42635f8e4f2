//! Tokio peer for the kyoto benchmark workloads W1..W9 (see bench/README.md).
//!
//! Usage: tokio-bench [--quick] [workload ...]
//! Prints one line per workload: `RESULT <workload> tokio <figure> <unit>`.
//! Every workload checks its own result; on a wrong result the program prints a
//! message on stderr and exits with status 1.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

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

// ---------------------------------------------------------------- main
const WORKLOADS: &[&str] = &[
    "spawn_many_local",
    "spawn_many_remote",
    "yield_many",
    "ping_pong",
    "chained_spawn",
    "mpsc_bounded",
    "timers",
    "timeout_churn",
    "timer_arm_cancel",
    "idle_task_memory",
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

    for &name in WORKLOADS {
        if !wanted(name) {
            continue;
        }
        match name {
            "spawn_many_local" => report(&cfg, name, "tasks/s", 0, || spawn_many_local(&rt, cfg.size(100_000))),
            "spawn_many_remote" => report(&cfg, name, "tasks/s", 0, || spawn_many_remote(&rt, cfg.size(100_000))),
            "yield_many" => report(&cfg, name, "yields/s", 0, || yield_many(&rt, 200, cfg.size(1_000))),
            "ping_pong" => report(&cfg, name, "round_trips/s", 0, || ping_pong(&rt, cfg.size(1_000), 100)),
            "chained_spawn" => report(&cfg, name, "spawns/s", 0, || chained_spawn(&rt, cfg.size(100_000))),
            "mpsc_bounded" => report(&cfg, name, "msgs/s", 0, || mpsc_bounded(&rt, cfg.size(250_000))),
            "timers" => report(&cfg, name, "ms", 1, || timers(&rt, cfg.size(100_000))),
            "timeout_churn" => report(&cfg, name, "ops/s", 0, || timeout_churn(&rt, cfg.size(1_000_000))),
            "timer_arm_cancel" => report(&cfg, name, "ops/s", 0, || timer_arm_cancel(&rt, cfg.size(1_000_000))),
            "idle_task_memory" => report(&cfg, name, "bytes/task", 1, || idle_task_memory(&rt, cfg.size(1_000_000))),
            _ => unreachable!(),
        }
    }
}
