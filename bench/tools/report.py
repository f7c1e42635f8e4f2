#!/usr/bin/python3
"""Summarise the raw results of bench/run.

Reads the raw CSV (round,workload,runtime,figure,unit), takes for every
(workload, runtime) the median of its rounds, prints a Markdown table with the
ratios of kyoto to each peer, writes that table to a file and draws the ratios
as a PNG bar chart (matplotlib, Agg backend).

Usage: report.py --csv RAW.csv --runtimes kyoto,tokio,... --workloads a,b,...
                 --markdown OUT.md --png OUT.png [--quick]
"""

import argparse
import csv
import math
import statistics
import sys

WORKLOAD_IDS = {
    "spawn_many_local": "W1",
    "spawn_many_remote": "W2",
    "yield_many": "W3",
    "ping_pong": "W4",
    "ping_pong_spawned": "W4b",
    "chained_spawn": "W5",
    "mpsc_bounded": "W6",
    "timers": "W7",
    "timeout_churn": "W8",
    "timer_arm_cancel": "W8b",
    "idle_task_memory": "W9",
    "idle_task_memory_notify": "W9b",
    "idle_task_memory_mutex": "W9c",
    "idle_task_memory_mpsc": "W9d",
    "idle_task_memory_sleep": "W9e",
    "tcp_echo": "W10",
    "tcp_echo_c1": "W10-1",
    "tcp_echo_c1000": "W10-1000",
    "http_plaintext": "W11",
    "resp_p1": "W12",
    "resp_p16": "W12",
    "fs_read": "F1",
    "fs_copy": "F2",
    "process_spawn": "P1",
}
# Workloads whose figure is better when lower.
LOWER_IS_BETTER = {"timers", "idle_task_memory", "idle_task_memory_notify", "idle_task_memory_mutex",
                   "idle_task_memory_mpsc", "idle_task_memory_sleep"}
# Peers that kyoto is compared with, in table order.
RATIO_PEERS = ["tokio", "asio", "limit"]


def load(path):
    figures = {}  # (workload, runtime) -> [figure, ...]
    units = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            try:
                value = float(row["figure"])
            except ValueError:
                continue
            key = (row["workload"], row["runtime"])
            figures.setdefault(key, []).append(value)
            units.setdefault(row["workload"], row["unit"])
    return {k: statistics.median(v) for k, v in figures.items()}, units


def ratio(medians, workload, a, b):
    """a relative to b, oriented so that > 1.0 means a is better."""
    fa, fb = medians.get((workload, a)), medians.get((workload, b))
    if fa is None or fb is None or fa <= 0 or fb <= 0:
        return None
    return fb / fa if workload in LOWER_IS_BETTER else fa / fb


def fmt_figure(value, unit):
    if value is None:
        return "—"
    if unit in ("ms", "bytes/task") or abs(value) < 100:
        return f"{value:,.1f}"
    return f"{value:,.0f}"


def fmt_ratio(value):
    return "—" if value is None else f"{value:.2f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csv", required=True)
    ap.add_argument("--runtimes", required=True)
    ap.add_argument("--workloads", required=True)
    ap.add_argument("--markdown", required=True)
    ap.add_argument("--png", required=True)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()

    runtimes = [r for r in args.runtimes.split(",") if r]
    workloads = [w for w in args.workloads.split(",") if w]
    medians, units = load(args.csv)
    if "redis" in runtimes and not any(w.startswith("resp") for w in workloads):
        runtimes.remove("redis")
    # Ratio columns only when kyoto is in the run.
    peers = [p for p in RATIO_PEERS if p in runtimes] if "kyoto" in runtimes else []

    header = ["id", "workload", "unit"] + runtimes + [f"kyoto/{p}" for p in peers]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] * 3 + ["---:"] * (len(header) - 3)) + "|"]
    for w in workloads:
        unit = units.get(w, "")
        name = w + (" †" if w in LOWER_IS_BETTER else "")
        unit_cell = unit + (" (lower is better)" if w in LOWER_IS_BETTER else "")
        cells = [WORKLOAD_IDS.get(w, ""), name, unit_cell]
        cells += [fmt_figure(medians.get((w, r)), unit) for r in runtimes]
        cells += [fmt_ratio(ratio(medians, w, "kyoto", p)) for p in peers]
        lines.append("| " + " | ".join(cells) + " |")
    notes = [
        "",
        "Figures: median over rounds of each program's median of 10 timed iterations (3 in quick mode; "
        "W10–W12: one load run per round). Ratios: kyoto relative to the peer, > 1.00 means kyoto is better.",
        "† lower is better (wall ms, bytes/task): for these the ratio is shown as peer/kyoto, "
        "so that > 1.00 still means kyoto is better.",
        "— : no figure (runtime not run, workload not implemented, or it failed).",
    ]
    if args.quick:
        notes.insert(0, "")
        notes.insert(1, "**Quick mode (smoke test): tiny sizes, one round; the figures mean nothing.**")
    text = "\n".join(lines + notes) + "\n"
    sys.stdout.write(text)
    with open(args.markdown, "w") as f:
        f.write(text)

    chart(medians, workloads, runtimes, peers, args.png, args.quick)


def chart(medians, workloads, runtimes, peers, path, quick):
    try:
        import matplotlib
    except ImportError:
        # The table is the result; the chart is a convenience. bench/run
        # installs python3-matplotlib, but another package's install can
        # remove it (libboost1.81-dev conflicts with scipy's libboost-dev).
        sys.stderr.write("report.py: no matplotlib, chart skipped (apt-get install python3-matplotlib)\n")
        return

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    have_kyoto = any(r == "kyoto" for (_, r) in medians)
    if have_kyoto:
        series = [(f"kyoto/{p}", "kyoto", p) for p in peers]
        title = "kyoto relative to each peer (> 1 = kyoto better)"
    else:
        base = next((r for r in ("tokio", "asio") if r in runtimes), None)
        others = [r for r in runtimes if r not in (base, "kyoto")]
        series = [(f"{r}/{base}", r, base) for r in others] if base else []
        title = f"no kyoto figures: each runtime relative to {base} (> 1 = better than {base})"
    if quick:
        title += " — QUICK MODE, meaningless"

    labels = [f"{WORKLOAD_IDS.get(w, '')} {w}" for w in workloads]
    fig, ax = plt.subplots(figsize=(max(8, 1.1 * len(workloads) + 3), 6))
    width = 0.8 / max(1, len(series))
    plotted = False
    for i, (name, a, b) in enumerate(series):
        values = [ratio(medians, w, a, b) for w in workloads]
        xs = [j + (i - (len(series) - 1) / 2) * width for j in range(len(workloads))]
        heights = [v if v is not None else math.nan for v in values]
        if any(v is not None for v in values):
            plotted = True
        ax.bar(xs, heights, width, label=name)
    ax.axhline(1.0, color="black", linewidth=0.8)
    if plotted:
        ax.set_yscale("log")
        ax.legend()
    else:
        ax.text(0.5, 0.5, "no ratios to plot", transform=ax.transAxes, ha="center")
    ax.set_xticks(range(len(workloads)))
    ax.set_xticklabels(labels, rotation=35, ha="right")
    ax.set_ylabel("ratio (log scale)")
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


if __name__ == "__main__":
    main()
