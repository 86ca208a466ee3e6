#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bench-report.py OUTDIR: turn the guests' "@" lines into numbers.

Reads OUTDIR/raw-*.txt (the "@X key=value ..." lines of each boot, written
by scripts/bench.sh) and OUTDIR/host.txt, and writes into OUTDIR:
  runs.csv     one row per measured run (every key of every run)
  frames.csv   per-frame times of the first foreground repetition
  threads.csv  drain threads: name, allowed CPUs, CPU time
  bench.json   everything: environment, runs, summaries, targets
  bench.md     the tables (setup, targets, details)
  *.dat        inputs of scripts/plot-bench.gnuplot
Prints bench.md.  Every figure is the median of the repetitions, with
[min-max]; ratios are on/off of the medians, and the spread of the ratios
of adjacent (same-repetition) off/on pairs.
"""
import csv
import json
import os
import re
import sys
from collections import OrderedDict, defaultdict

OUT = sys.argv[1]


def num(v):
    try:
        if re.fullmatch(r"-?\d+", v):
            return int(v)
        return float(v)
    except (TypeError, ValueError):
        return v


def parse_line(line):
    kind, _, rest = line.partition(" ")
    rec = OrderedDict()
    # values may contain ';' ',' ':' but no spaces
    for tok in rest.split():
        k, eq, v = tok.partition("=")
        if eq:
            rec[k] = num(v)
    return kind[1:], rec


recs = defaultdict(list)
for name in sorted(os.listdir(OUT)):
    if not (name.startswith("raw-") and name.endswith(".txt")):
        continue
    with open(os.path.join(OUT, name)) as f:
        for line in f:
            line = line.strip()
            if line.startswith("@"):
                kind, rec = parse_line(line)
                recs[kind].append(rec)
host = OrderedDict()
if os.path.exists(os.path.join(OUT, "host.txt")):
    with open(os.path.join(OUT, "host.txt")) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("=")
            if k:
                host[k] = v

runs = recs["B"]
for r in runs:
    if "sd_drain_cpu_ns" in r:
        # minus the threads' start-up, before the run (module loaded afresh)
        r["drain_cpu_ms"] = (r["sd_drain_cpu_ns"] - r.get("sd_drain_cpu_ns_pre", 0)) / 1e6
        r["drain_ms"] = r["sd_drain_ns"] / 1e6
    if "exit_cpu_ms" in r:
        r["total_cpu_ms"] = r["exit_cpu_ms"] + r.get("drain_cpu_ms", 0)
    if "stat_sys_ms" in r:
        r["stat_cpu_ms"] = r["stat_sys_ms"] + r["stat_user_ms"] - r["self_cpu_ms"]
    if r.get("hist_count"):
        r["hist_mean_ms"] = r["hist_total_ms"] / r["hist_count"]
        buckets = []
        for item in str(r.get("hist", "")).split(","):
            if ":" in item:
                below, n = item.split(":")
                buckets += [int(below)] * int(n)
        buckets.sort()
        if buckets:
            r["hist_median_below_ms"] = buckets[(len(buckets) - 1) // 2] / 1000
            r["hist_max_below_ms"] = buckets[-1] / 1000
    if isinstance(r.get("kill_each_ms"), str) or isinstance(r.get("kill_each_ms"), (int, float)):
        each = [float(x) for x in str(r["kill_each_ms"]).split(":")]
        r["kill_mean_ms"] = sum(each) / len(each)
    if r.get("sd_drain_ns"):
        r["drain_rate_eps"] = r["sd_freed_entries"] / (r["sd_drain_ns"] / 1e9)
    if r.get("sd_deferred_entries") and r.get("drained_ms", -1) > 0:
        r["wall_rate_eps"] = r["sd_deferred_entries"] / (r["drained_ms"] / 1e3)
    if r.get("swapped_kb"):
        r["swapped_pages"] = r["swapped_kb"] // 4
        if "sd_deferred_entries" in r:
            r["deferred_pct"] = 100.0 * r["sd_deferred_entries"] / (r["swapped_kb"] / 4)
    if "sd_fallback_full" in r:
        r["fallbacks"] = sum(r.get("sd_fallback_" + k, 0) for k in
                             ("full", "bound", "age", "swap_low", "swapoff"))

# ---- raw outputs ----
keys = []
for r in runs:
    for k in r:
        if k not in keys:
            keys.append(k)
with open(os.path.join(OUT, "runs.csv"), "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=keys)
    w.writeheader()
    for r in runs:
        w.writerow(r)
# @F lines: "@F tag=.. busy=.. mode=.. T,MS": the last token has no key
frames = defaultdict(list)
for name in sorted(os.listdir(OUT)):
    if name.startswith("raw-") and name.endswith(".txt"):
        with open(os.path.join(OUT, name)) as f:
            for line in f:
                if line.startswith("@F "):
                    toks = line.split()
                    kv = dict(t.split("=", 1) for t in toks[1:-1])
                    t, ms = toks[-1].split(",")
                    frames[(kv["tag"], int(kv["busy"]), int(kv.get("duty", 100)),
                            kv["mode"])].append(
                        (float(t), float(ms)))
with open(os.path.join(OUT, "frames.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["tag", "busy", "duty", "mode", "due_ms_after_kill", "frame_ms"])
    for (tag, busy, duty, mode), fl in sorted(frames.items()):
        for t, ms in fl:
            w.writerow([tag, busy, duty, mode, t, ms])
with open(os.path.join(OUT, "threads.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["tag", "when", "comm", "allowed", "cpu", "runtime_ns"])
    for r in recs["T"]:
        w.writerow([r.get(k, "") for k in ("tag", "when", "comm", "allowed", "cpu", "runtime_ns")])


# ---- summaries ----
def med(v):
    v = sorted(v)
    n = len(v)
    if not n:
        return None
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def summ(vals):
    vals = [v for v in vals if isinstance(v, (int, float))]
    if not vals:
        return None
    return {"median": med(vals), "min": min(vals), "max": max(vals), "n": len(vals)}


def select(**kw):
    out = []
    for r in runs:
        if all(r.get(k) == v for k, v in kw.items()):
            out.append(r)
    return out


def metric(rows, key, valid=lambda v: True):
    return summ([r[key] for r in rows if key in r and valid(r[key])])


def ratio(off_rows, on_rows, key, valid=lambda v: v is not None and v >= 0):
    """on/off of the medians, and of same-repetition pairs."""
    a = metric(off_rows, key, valid)
    b = metric(on_rows, key, valid)
    if not a or not b or not a["median"]:
        return None
    by_rep = {r["rep"]: r for r in off_rows if key in r and valid(r[key])}
    pairs = [r[key] / by_rep[r["rep"]][key] for r in on_rows
             if key in r and valid(r[key]) and r["rep"] in by_rep and by_rep[r["rep"]][key]]
    res = {"ratio": b["median"] / a["median"], "off": a, "on": b}
    if pairs:
        res["pairs"] = summ(pairs)
    return res


def fmt(s, nd=0, unit=""):
    if s is None:
        return "n/a"
    f = "%%.%df" % nd
    return (f % s["median"]) + unit + " [" + (f % s["min"]) + "-" + (f % s["max"]) + "]"


def fr(x, nd=2):
    return "n/a" if x is None else ("%%.%df" % nd) % x


ORDER = ["smp2", "fgbig", "smp4", "smp8", "numa", "icount", "icountx"]
tags = sorted({r["tag"] for r in runs},
              key=lambda t: (ORDER.index(t) if t in ORDER else 99, t))
envs = {e["tag"]: e for e in recs["E"]}
main = "smp2" if "smp2" in tags else (tags[0] if tags else None)
summary = OrderedDict()
targets = []
md = []


def target(name, value, limit, detail, spread=None, plimit=None):
    """value <= limit: met.  spread: the per-repetition pair ratios; when
    the limit (plimit in the pairs' unit, if it differs) lies within their
    range, the verdict is marked as within the noise."""
    ok = None if value is None else value <= limit
    pl = limit if plimit is None else plimit
    noisy = bool(spread) and spread["min"] <= pl <= spread["max"]
    targets.append({"target": name, "measured": value, "limit": limit,
                    "met": ok, "within_noise": noisy, "detail": detail})


def spread_of(c, k):
    return c and c.get(k) and c[k].get("pairs")


# exit storms
exit_cells = OrderedDict()
for r in sorted(select(w="exit"), key=lambda r: (tags.index(r["tag"]), r["pct"], -r["chunk_pages"])):
    exit_cells.setdefault((r["tag"], r["pct"], r["chunk_pages"]), set()).add(r["mode"])

EXIT_KEYS = ["kill_median_ms", "kill_max_ms", "kill_total_ms", "return_ms",
             "drained_ms", "exit_cpu_ms", "drain_cpu_ms", "total_cpu_ms",
             "stat_cpu_ms", "hist_mean_ms", "kill_mean_ms",
             "hist_median_below_ms", "hist_max_below_ms",
             "sd_peak_pending_entries", "peak_pending_polled",
             "drain_rate_eps", "wall_rate_eps", "deferred_pct", "fallbacks",
             "swapped_kb", "sd_drain_threads", "setup_ms"]
summary["exit"] = []
for (tag, pct, g), modes in exit_cells.items():
    off = select(w="exit", tag=tag, pct=pct, chunk_pages=g, mode="off")
    for mode in sorted(modes, key=lambda m: (m != "off", m != "on", m)):
        rows = select(w="exit", tag=tag, pct=pct, chunk_pages=g, mode=mode)
        cell = OrderedDict(tag=tag, pct=pct, g=g, mode=mode, n=len(rows))
        for k in EXIT_KEYS:
            cell[k] = metric(rows, k)
        if mode != "off":
            for k in ("kill_median_ms", "kill_max_ms", "kill_total_ms",
                      "return_ms", "total_cpu_ms", "stat_cpu_ms"):
                cell["ratio_" + k] = ratio(off, rows, k)
        summary["exit"].append(cell)


def exit_cell(tag, pct, g, mode):
    for c in summary["exit"]:
        if (c["tag"], c["pct"], c["g"], c["mode"]) == (tag, pct, g, mode):
            return c
    return None


def rget(c, k):
    return c and c.get(k) and c[k]["ratio"]


def pairs(c, k):
    if not c or not c.get(k) or "pairs" not in c[k]:
        return ""
    p = c[k]["pairs"]
    return "pairs %.2f [%.2f-%.2f], n=%d" % (p["median"], p["min"], p["max"], p["n"])


for pct, lim in ((60, 0.35), (90, 0.15)):
    for g in (16, 1):
        c = exit_cell(main, pct, g, "on")
        if c:
            target("exit latency on/off, %d%% swapped, -g %d (kill-to-reap median)" % (pct, g),
                   rget(c, "ratio_kill_median_ms"), lim, pairs(c, "ratio_kill_median_ms"),
                   spread_of(c, "ratio_kill_median_ms"))
            target("exit latency on/off, %d%% swapped, -g %d (kill-to-reap max)" % (pct, g),
                   rget(c, "ratio_kill_max_ms"), lim, pairs(c, "ratio_kill_max_ms"),
                   spread_of(c, "ratio_kill_max_ms"))

# foreground
summary["fg"] = []
FG_KEYS = ["storm_p50_ms", "storm_p99_ms", "storm_max_ms", "storm_missed",
           "storm_frames", "pre_p50_ms", "pre_p99_ms", "pre_missed",
           "reap_p99_ms", "reap_missed", "after_p99_ms", "after_missed",
           "kill_median_ms", "kill_total_ms", "return_ms", "drained_ms",
           "window_ms", "pending_end", "sd_peak_pending_entries",
           "drain_cpu_ms", "exit_cpu_ms"]
for r in select(w="fg"):
    r.setdefault("duty", 100)


def fg_size(tag):
    """The storm of a boot's foreground cells, from a swapped (not floor) run."""
    rows = [r for r in select(w="fg", tag=tag) if r["mode"] != "floor"]
    e = (rows or select(w="fg", tag=tag))[0]
    s = "%s x %s MiB, %s%% swapped" % (e["procs"], e["mib"], e["pct"])
    if e.get("file_mib"):
        s += ", + %s MiB file" % e["file_mib"]
    return s


def fg_cell(tag, busy, duty, mode):
    for x in summary["fg"]:
        if (x["tag"], x["busy"], x["duty"], x["mode"]) == (tag, busy, duty, mode):
            return x
    return None


def load_name(busy, duty):
    if busy == 0:
        return "idle guest"
    if duty >= 100:
        return "%d busy processes" % busy
    return "%d processes busy %d%% of the time" % (busy, duty)


# idle, then partial loads, then the saturating one
fg_loads = sorted({(r["busy"], r["duty"]) for r in select(w="fg")},
                  key=lambda l: (l[0] > 0, l[1], l[0]))
for tag in tags:
    for busy, duty in fg_loads:
        off = select(w="fg", tag=tag, busy=busy, duty=duty, mode="off")
        modes = sorted({r["mode"] for r in select(w="fg", tag=tag, busy=busy, duty=duty)},
                       key=lambda m: (m != "off", m != "on", m))
        if not modes:
            continue
        for mode in modes:
            rows = select(w="fg", tag=tag, busy=busy, duty=duty, mode=mode)
            cell = OrderedDict(tag=tag, busy=busy, duty=duty, mode=mode, n=len(rows))
            for k in FG_KEYS:
                cell[k] = metric(rows, k, lambda v: v is not None and v >= 0)
            if mode != "off":
                for k in ("storm_p99_ms", "storm_p50_ms", "storm_max_ms", "kill_total_ms"):
                    cell["ratio_" + k] = ratio(off, rows, k)
            summary["fg"].append(cell)
        c = fg_cell(tag, busy, duty, "on")
        fgsize = "" if tag == main else ", %s (boot %s)" % (fg_size(tag), tag)
        fl = rget(fg_cell(tag, busy, duty, "floor"), "ratio_storm_p99_ms")
        floor = "; floor (nothing swapped)/off %.2f" % fl if fl else ""
        for m, what in (("nowait", "drain_wait_ms=0"),
                        ("onwait", "drain_idle=1 drain_wait_ms=100")):
            wt = rget(fg_cell(tag, busy, duty, m), "ratio_storm_p99_ms")
            floor += "; %s (%s)/off %.2f" % (m, what, wt) if wt else ""
        target("foreground frame p99 during storm on/off, %s%s" % (load_name(busy, duty), fgsize),
               rget(c, "ratio_storm_p99_ms"), 0.6, pairs(c, "ratio_storm_p99_ms") + floor,
               spread_of(c, "ratio_storm_p99_ms"))

for pct in (60, 90):
    for g in (16, 1):
        c = exit_cell(main, pct, g, "on")
        if c:
            target("swap returned on/off, %d%% swapped, -g %d (kill to SwapFree at baseline)" % (pct, g),
                   rget(c, "ratio_return_ms"), 1.25, pairs(c, "ratio_return_ms"),
                   spread_of(c, "ratio_return_ms"))

# pass-through
summary["live"] = []
for tag in tags:
    for g in sorted({r["g"] for r in select(w="live", tag=tag)}, reverse=True):
        none = select(w="live", tag=tag, g=g, mode="none")
        for mode in ("none", "off", "on"):
            rows = select(w="live", tag=tag, g=g, mode=mode)
            if not rows:
                continue
            cell = OrderedDict(tag=tag, g=g, mode=mode, n=len(rows),
                               live_ms=metric(rows, "live_ms"),
                               passthrough_calls=metric(rows, "sd_passthrough_calls"),
                               swap_kb=metric(rows, "swap_kb"))
            if mode != "none":
                cell["ratio_live_ms"] = ratio(none, rows, "live_ms")
            summary["live"].append(cell)
            # Judged on the icount boot when there is one: under TCG the
            # wall clock of a 50-200 ms munmap moves by tens of % with the
            # host's load, far more than the 2% in question.
            if mode == "on" and cell["ratio_live_ms"] and \
               (tag == "icount" or "icount" not in {r["tag"] for r in select(w="live")}):
                target("pass-through: live munmap, module on vs not loaded, -g %d (%s)" %
                       (g, "TCG icount: instruction time" if tag == "icount" else "TCG wall clock"),
                       (cell["ratio_live_ms"]["ratio"] - 1) * 100, 2.0,
                       "overhead %%; %s" % pairs(cell, "ratio_live_ms"),
                       cell["ratio_live_ms"].get("pairs"), plimit=1.02)

for pct in (30, 60, 90):
    for g in (16, 1):
        c = exit_cell(main, pct, g, "on")
        if c:
            target("total CPU on/off, %d%% swapped, -g %d (exiting tasks + drainers)" % (pct, g),
                   rget(c, "ratio_total_cpu_ms"), 1.0, pairs(c, "ratio_total_cpu_ms"),
                   spread_of(c, "ratio_total_cpu_ms"))

# threads / NUMA
summary["threads"] = recs["T"]
summary["nodes"] = recs["N"]

# ---- bench.md ----
e = envs.get(main, {})
md.append("## Benchmark: swapdrain off vs on (`make bench`)")
md.append("")
md.append("Setup: kernel %s (Debian), QEMU %s TCG (`-accel tcg -cpu max`), "
          "host %s (%s CPUs, %s GiB), guest %s vCPUs / %d MiB RAM, zram swap %d MiB (%s). "
          "Module commit %s. Generated %s by `make bench`%s; total %s."
          % (e.get("kernel", "?"), host.get("qemu", "?"), host.get("cpu", "?"),
             host.get("ncpu", "?"), host.get("mem_gib", "?"), e.get("cpus", "?"),
             int(e.get("mem_kb", 0)) // 1024, int(e.get("zram_kb", 0)) // 1024,
             e.get("zram_alg", "?"), host.get("commit", "?"), host.get("date", "?"),
             " (BENCH_QUICK=1: smoke run, not for the README)" if host.get("quick") == "1" else "",
             host.get("wall", "?")))
md.append("")
md.append("Method: the same boot runs every cell with the module loaded afresh "
          "before each run (`enabled=0` = off, `enabled=1` = on, not loaded = none); "
          "off and on runs of a cell are adjacent, their order alternating "
          "between repetitions. Figures: median [min-max] of %s repetitions; "
          "ratios: on/off of the medians (\"pairs\": the spread of the "
          "per-repetition on/off ratios). Exit storms: %s processes x %s MiB "
          "(%s in the smp4, smp8 and numa boots; "
          "4 KiB pages, `MADV_PAGEOUT` of the first N%%; `-g 16`: in 16-page "
          "chunks in random order, scattered slots, `-g 1`: single pages), all "
          "SIGKILLed at once. Host load during the run (1-min load average, "
          "2 host CPUs shared with other QEMU jobs): %s. Under TCG the host's "
          "load changes every timing; only same-boot ratios are meaningful."
          % (host.get("reps", "?"), host.get("exit_p", "?"), host.get("exit_m", "?"),
             host.get("scale_exit", "?").replace("x", " x ") + " MiB", host.get("load", "?")))
md.append("")

md.append("### Targets")
md.append("")
md.append("| target | measured | limit | result | spread |")
md.append("|---|---|---|---|---|")
for t in targets:
    res = "n/a" if t["met"] is None else ("met" if t["met"] else "**missed**")
    if t["within_noise"]:
        res += " (within noise)"
    unit = "%" if t["target"].startswith("pass-through") else ""
    md.append("| %s | %s%s | <= %s%s | %s | %s |" % (
        t["target"], fr(t["measured"]), unit, t["limit"], unit, res, t["detail"]))
md.append("")
md.append("\"within noise\": the limit lies between the lowest and the highest "
          "per-repetition on/off ratio, so another run may well give the other verdict.")
md.append("")

md.append("### Exit storms (%s): kill-to-reap, memory return, CPU" % main)
md.append("")
md.append("| swapped | shape | mode | threads | kill-to-reap median ms | max ms | on/off (median) | swap back ms | on/off | peak pending | exit CPU ms | drain CPU ms | total CPU on/off |")
md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for c in summary["exit"]:
    if c["tag"] != main:
        continue
    md.append("| %d%% | -g %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
        c["pct"], c["g"], c["mode"],
        "-" if c["mode"] == "off" else fmt(c["sd_drain_threads"]).split(" ")[0],
        fmt(c["kill_median_ms"]), fmt(c["kill_max_ms"]),
        fr(rget(c, "ratio_kill_median_ms")) if c["mode"] != "off" else "",
        fmt(c["return_ms"]),
        fr(rget(c, "ratio_return_ms")) if c["mode"] != "off" else "",
        fmt(c["sd_peak_pending_entries"]) if c["mode"] != "off" else "-",
        fmt(c["exit_cpu_ms"]),
        fmt(c["drain_cpu_ms"]) if c["mode"] != "off" else "-",
        fr(rget(c, "ratio_total_cpu_ms")) if c["mode"] != "off" else ""))
md.append("")
md.append("Swap back: from the kills until SwapFree is within 1 MiB of its value "
          "before the storm. Peak pending: the module's `peak_pending_entries` "
          "(4 KiB entries) of that run. Exit CPU: user+system time of the killed "
          "processes after they were ready (wait4 rusage minus their own "
          "getrusage), i.e. their exit; drain CPU: `drain_cpu_ns` of the run.")
md.append("")

md.append("### Cross-check: the module's exit_mmap histogram vs wall clock (%s)" % main)
md.append("")
md.append("| swapped | shape | mode | kill-to-reap mean ms (wall) | exit_mmap mean ms (histogram) | histogram median bucket | whole-guest CPU ms (/proc/stat) | exiting+drain CPU ms (rusage) |")
md.append("|---|---|---|---|---|---|---|---|")
for c in summary["exit"]:
    if c["tag"] != main:
        continue
    hb = c["hist_median_below_ms"]
    md.append("| %d%% | -g %d | %s | %s | %s | %s | %s | %s |" % (
        c["pct"], c["g"], c["mode"], fmt(c["kill_mean_ms"]), fmt(c["hist_mean_ms"]),
        "< %g ms" % hb["median"] if hb else "n/a",
        fmt(c["stat_cpu_ms"]), fmt(c["total_cpu_ms"])))
md.append("")

def profile_rows(tag):
    """Per swap entry: the synchronous exit path, what stays in the exiting
    task when deferred, and the drainers' CPU and in-batch wall time."""
    rows = []
    for g in (16, 1):
        base = exit_cell(tag, 0, 16, "off")
        e0 = base and base["exit_cpu_ms"] and base["exit_cpu_ms"]["median"]
        for pct in (30, 60, 90):
            off = select(w="exit", tag=tag, pct=pct, chunk_pages=g, mode="off")
            on = select(w="exit", tag=tag, pct=pct, chunk_pages=g, mode="on")
            if not off or not on:
                continue
            res = (100 - pct) / 100.0 * (e0 or 0)
            sync = summ([(r["exit_cpu_ms"] - res) * 1000 / r["swapped_pages"]
                         for r in off if r.get("swapped_pages")])
            left = summ([(r["exit_cpu_ms"] - res) * 1000 / r["sd_deferred_entries"]
                         for r in on if r.get("sd_deferred_entries")])
            dcpu = summ([r["drain_cpu_ms"] * 1000 / r["sd_freed_entries"]
                         for r in on if r.get("sd_freed_entries")])
            dwall = summ([r["drain_ms"] * 1000 / r["sd_freed_entries"]
                          for r in on if r.get("sd_freed_entries")])
            per_call = summ([r["sd_deferred_entries"] / r["sd_deferred_calls"]
                             for r in on if r.get("sd_deferred_calls")])
            per_batch = summ([r["sd_drain_calls"] / r["sd_drain_batches"]
                              for r in on if r.get("sd_drain_batches")])
            dfr = summ([r["deferred_pct"] for r in on if "deferred_pct" in r])
            rows.append(OrderedDict(tag=tag, pct=pct, g=g, e0_ms=e0, sync_us=sync,
                                    exiting_us=left, drain_cpu_us=dcpu,
                                    drain_wall_us=dwall, entries_per_call=per_call,
                                    calls_per_batch=per_batch, deferred_pct=dfr))
    return rows


summary["profile"] = []
for tag in tags:
    summary["profile"] += profile_rows(tag)
if summary["profile"]:
    md.append("### Where the time goes: CPU per swap entry")
    md.append("")
    md.append("Per entry freed: the synchronous exit path (off: exit CPU minus the "
              "resident pages' share of the 0%-swapped exit), what stays in the "
              "exiting task when deferred (on, same correction: hook, batching), "
              "the drainers' CPU (`drain_cpu_ns`) and their wall time inside "
              "batches (`drain_ns`, includes preemption).")
    md.append("")
    md.append("| boot | swapped | shape | sync exit us/entry (off) | left in exiting task us/entry (on) | drainer CPU us/entry | drainer in-batch wall us/entry | entries per call | calls per batch | deferred % of swapped |")
    md.append("|---|---|---|---|---|---|---|---|---|---|")
    for p in summary["profile"]:
        md.append("| %s | %d%% | -g %d | %s | %s | %s | %s | %s | %s | %s |" % (
            p["tag"], p["pct"], p["g"], fmt(p["sync_us"], 1), fmt(p["exiting_us"], 1),
            fmt(p["drain_cpu_us"], 1), fmt(p["drain_wall_us"], 1),
            fmt(p["entries_per_call"], 1), fmt(p["calls_per_batch"], 1),
            fmt(p["deferred_pct"], 1)))
    md.append("")

fgtags = [t for t in tags if any(c["tag"] == t for c in summary["fg"])]
fgtag = main if main in fgtags else (fgtags[0] if fgtags else main)
md.append("### Foreground frames during a storm (%s)" % ", ".join(fgtags or [main]))
md.append("")
fgs = [c for c in summary["fg"] if c["tag"] == fgtag]
if fgs:
    calib = [r for r in recs["C"] if r.get("tag") == fgtag]
    sizes = ["%s processes x %s (boot %s)" % tuple(fg_size(t).split(" x ", 1) + [t])
             for t in fgtags]
    files = [r for r in select(w="fg") if r.get("file_mib")]
    if calib:
        md.append("A thread renders a frame of %s ms of calibrated busy work every 16.7 ms "
                  "(nice 0) while %s (paged out in 16-page chunks, `-g 16`) are killed "
                  "at once; %s repetitions.%s Window: from the kills until every process is "
                  "reaped, nothing is pending and SwapFree is back (at least 1 s, at most "
                  "20 s); a frame counts in it if it ran at any time in the window (the frame "
                  "the kills interrupt is one). Frame time: "
                  "end minus due time; missed: longer than 16.7 ms (dropped slots count). "
                  "Load: \"N busy\" is N processes spinning at nice 0 (with 2 vCPUs, 2 "
                  "of them saturate the guest: frames are late before any kill), "
                  "\"N busy D%%\" N processes spinning D%% of every 10 ms."
                  % (calib[0]["fgwork_ms"], " or ".join(sizes),
                     host.get("fg_reps", host.get("reps", "?")),
                     " \"+ N MiB file\": each process also maps N MiB of one shared "
                     "file and has faulted in every page of it (file-backed RSS, as an app's "
                     "libraries and dex)." if files else ""))
        md.append("")
    md.append("| storm | load | mode | frame p50 ms | frame p99 ms | p99 on/off | missed | frames | p99 until reaped | p99 after | p99 before the kills | reaped ms | swap back ms |")
    md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    fgsz = {t: fg_size(t) for t in fgtags}
    for c in [c for t in fgtags for c in summary["fg"] if c["tag"] == t]:
        md.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            fgsz[c["tag"]],
            "idle" if c["busy"] == 0 else "%d busy" % c["busy"] +
            ("" if c["duty"] >= 100 else " %d%%" % c["duty"]), c["mode"],
            fmt(c["storm_p50_ms"], 1), fmt(c["storm_p99_ms"], 1),
            fr(rget(c, "ratio_storm_p99_ms")) if c["mode"] != "off" else "",
            fmt(c["storm_missed"]), fmt(c["storm_frames"]),
            fmt(c["reap_p99_ms"], 1), fmt(c["after_p99_ms"], 1),
            fmt(c["pre_p99_ms"], 1), fmt(c["kill_total_ms"]), fmt(c["return_ms"])))
    md.append("")
    if any(c["mode"] == "floor" for c in summary["fg"]):
        md.append("Mode floor: the same number of processes with only the storm's resident "
                  "memory (the unswapped share of M, and the same file, if any; nothing swapped), "
                  "module not loaded: the frames that no "
                  "change to swap freeing can beat; its p99 on/off column is floor/off.")
        md.append("")
    if any(c["mode"] == "nowait" for c in summary["fg"]):
        md.append("Mode nowait: deferral on with `drain_wait_ms=0`: the drain threads "
                  "do not wait while processes exit (mode on, the defaults, waits up "
                  "to 100 ms).")
        md.append("")
    if any(c["mode"] == "onwait" for c in summary["fg"]):
        md.append("Mode onwait: deferral on with the two opt-in drain settings, "
                  "`drain_idle=1 drain_wait_ms=100`: SCHED_IDLE drain threads that wait "
                  "while processes exit.")
        md.append("")
    md.append("\"p99 before the kills\" is the same thread's frames that were over "
              "before the kills, in the second before them: the noise floor (the host's "
              "own load shows up there).")
    md.append("")

md.append("### Pass-through: a live process munmaps swapped memory")
md.append("")
md.append("| boot | shape | mode | munmap ms | vs none | hook calls |")
md.append("|---|---|---|---|---|---|")
for c in summary["live"]:
    md.append("| %s | -g %d | %s | %s | %s | %s |" % (
        c["tag"], c["g"], c["mode"], fmt(c["live_ms"], 1),
        ("%+.1f%% (%s)" % ((c["ratio_live_ms"]["ratio"] - 1) * 100, pairs(c, "ratio_live_ms")))
        if c.get("ratio_live_ms") else "",
        fmt(c["passthrough_calls"]) if c["mode"] != "none" else "-"))
md.append("")
if "icount" in tags:
    md.append("`icount`: a separate boot with `-icount shift=0` (1 vCPU): the guest "
              "clock counts executed instructions, so host load does not move it.")
    md.append("")

md.append("### Scaling: nr_threads and vCPUs (%d%% swapped, -g 16)" % 60)
md.append("")
md.append("| boot | mode | drain threads | kill-to-reap median ms | on/off | swap back ms | on/off | drain rate (entries/s per busy thread) | wall rate (entries/s, kill to pending 0) | drain CPU ms |")
md.append("|---|---|---|---|---|---|---|---|---|---|")
for c in summary["exit"]:
    if c["pct"] != 60 or c["g"] != 16:
        continue
    md.append("| %s (%s vCPUs) | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
        c["tag"], envs.get(c["tag"], {}).get("cpus", "?"), c["mode"],
        "-" if c["mode"] == "off" else fmt(c["sd_drain_threads"]).split(" ")[0],
        fmt(c["kill_median_ms"]), fr(rget(c, "ratio_kill_median_ms")) if c["mode"] != "off" else "",
        fmt(c["return_ms"]), fr(rget(c, "ratio_return_ms")) if c["mode"] != "off" else "",
        fmt(c["drain_rate_eps"]) if c["mode"] != "off" else "-",
        fmt(c["wall_rate_eps"]) if c["mode"] != "off" else "-",
        fmt(c["drain_cpu_ms"]) if c["mode"] != "off" else "-"))
md.append("")
if recs["T"]:
    md.append("Drain threads after one storm (60%, `-g 16`), per boot: name, allowed CPUs "
              "(`Cpus_allowed_list`), the node's CPUs, CPU time used in the storm.")
    md.append("")
    md.append("| boot | thread | allowed | node CPUs | ran on CPU | CPU ms |")
    md.append("|---|---|---|---|---|---|")
    nodes = {(n["tag"], str(n["node"])): str(n["cpus"]) for n in recs["N"]}
    before = {(t["tag"], t["comm"]): t for t in recs["T"] if t["when"] == "load"}
    for t in recs["T"]:
        if t["when"] != "after":
            continue
        node = str(t["comm"]).split("/")[1].split(":")[0]
        b = before.get((t["tag"], t["comm"]), {})
        rt = (int(t.get("runtime_ns") or 0) - int(b.get("runtime_ns") or 0)) / 1e6
        md.append("| %s | %s | %s | %s | %s | %.1f |" % (
            t["tag"], t["comm"], t["allowed"], nodes.get((t["tag"], node), "?"),
            t["cpu"], rt))
    md.append("")
warn = recs["W"]
if warn:
    md.append("Warnings from the guests: " + "; ".join(
        "%s: %s" % (w.get("tag"), " ".join("%s=%s" % kv for kv in w.items() if kv[0] != "tag"))
        for w in warn))
    md.append("")
secs = ["%s %s %.0f s" % (s["tag"], s["section"], s["ms"] / 1000) for s in recs["S"]]
md.append("Guest section times: " + ", ".join(secs) + ".")
md.append("")

with open(os.path.join(OUT, "bench.md"), "w") as f:
    f.write("\n".join(md) + "\n")

# ---- plot data ----
def wdat(name, rows):
    with open(os.path.join(OUT, name), "w") as f:
        for row in rows:
            f.write(" ".join(str(x) for x in row) + "\n")


def tri(s):
    return [s["median"], s["min"], s["max"]] if s else ["NaN"] * 3


for g in (16, 1):
    rows = []
    for pct in sorted({c["pct"] for c in summary["exit"] if c["tag"] == main and c["g"] == g}):
        off = exit_cell(main, pct, g, "off")
        on = exit_cell(main, pct, g, "on")
        rows.append([pct] + tri(off and off["kill_median_ms"]) + tri(on and on["kill_median_ms"]) +
                    tri(off and off["return_ms"]) + tri(on and on["return_ms"]) +
                    tri(on and on["sd_peak_pending_entries"]) +
                    tri(off and off["total_cpu_ms"]) +
                    tri(on and on["exit_cpu_ms"]) + tri(on and on["drain_cpu_ms"]) +
                    tri(on and on["total_cpu_ms"]))
    wdat("exit_g%d.dat" % g, rows)
for (tag, busy, duty, mode), fl in frames.items():
    if tag == fgtag:
        wdat("frames_b%d%s_%s.dat" % (busy, "" if duty >= 100 else "d%d" % duty, mode),
             [(t, ms if ms >= 0 else 60) for t, ms in fl])
rows = []
i = 0
for c in summary["exit"]:
    if c["pct"] != 60 or c["g"] != 16 or c["mode"] == "off":
        continue
    label = "%s/%s" % (c["tag"], c["mode"] if c["mode"] != "on" else
                       "on%s" % fmt(c["sd_drain_threads"]).split(" ")[0])
    rows.append([i, '"%s"' % label] + tri(c["wall_rate_eps"]) + tri(c["drain_rate_eps"]) +
                [rget(c, "ratio_kill_median_ms") or "NaN"])
    i += 1
wdat("scale.dat", rows)

with open(os.path.join(OUT, "bench.json"), "w") as f:
    json.dump({"host": host, "env": recs["E"], "targets": targets,
               "summary": summary, "runs": runs, "threads": recs["T"],
               "nodes": recs["N"], "warnings": recs["W"], "sections": recs["S"],
               "calib": recs["C"]}, f, indent=1, default=str)

print("\n".join(md))
