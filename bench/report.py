# Distributed under the Boost Software License, Version 1.0. (See accompanying
# file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
"""Runs every benchmark in one go and writes one table.

1. the timed run of asio_future_bench (interleaved rounds; medians, minima, allocations/op,
   cross-thread throughput and latency, scale), 2. Python asyncio's equivalent, 3. callgrind
   instruction counts per single-thread variant ((I(n2) - I(n1)) / (n2 - n1), so that start-up
   cancels out). Prints the table and writes results.json, table.md, table.adoc and chart.png
   (with gnuplot) to the output directory.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def run_json(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def callgrind_instructions(binary, variant, ops):
    res = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
         binary, "--variant", variant, "--ops", str(ops)],
        check=True, capture_output=True, text=True)
    m = re.search(r"Collected : (\d+)", res.stderr)
    if not m:
        sys.exit(f"report.py: no instruction count from callgrind for {variant}")
    return int(m.group(1))


def instructions_per_op(binary, variant, n1=1000, n2=6000):
    a = callgrind_instructions(binary, variant, n1)
    b = callgrind_instructions(binary, variant, n2)
    return (b - a) / (n2 - n1)


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


def targets(r):
    """Each target of the benchmark issue: (what, measured, limit text, met)."""
    v = {x["name"]: x for x in r["variants"]}
    ins = lambda name: v[name]["instructions"]
    out = []

    def add(what, value, limit, met):
        out.append({"target": what, "measured": value, "limit": limit, "met": bool(met)})

    x = ins("af_manual_posted") / ins("floor_c_posted")
    add("manual path (posted set_result, co_await) / floor C", f"{x:.3f}", "<= 1.05", x <= 1.05)
    x = ins("af_manual_ready") / ins("floor_c_ready")
    add("ready path (set_result before the wait) / floor C ready", f"{x:.3f}", "<= 1.10", x <= 1.10)
    x = ins("af_token_post") / ins("promise_token_post")
    add("token path / experimental::promise", f"{x:.3f}", "<= 1.00", x <= 1.0)
    # use_future cannot be awaited by a coroutine on the context's thread: its loop runs the
    # context by hand and has no coroutine to resume, so only wall time compares like for like.
    for peer in ("channel_oneshot", "concurrent_channel_oneshot", "use_future_oneshot"):
        t = v["af_token_post"]["median_ns"] / v[peer]["median_ns"]
        i = ins("af_token_post") / ins(peer)
        met = t < 1 and (i < 1 or peer == "use_future_oneshot")
        add(f"token path ahead of {peer} (time; instructions)", f"{t:.2f}; {i:.2f}",
            "< 1" if peer != "use_future_oneshot" else "time < 1", met)
    a = v["af_manual_posted"]["allocs_per_op"]
    add("heap allocations per future (create, wait, resolve)", f"{a:.3f}", "1", abs(a - 1) < 0.01)
    a = v["af_manual_ready"]["allocs_per_op"]
    add("heap allocations per future, ready path", f"{a:.3f}", "1", abs(a - 1) < 0.01)
    x = r["python"]["median_ns"] / r["python"]["paired_af_manual_posted_median_ns"]
    add("faster than Python asyncio (wall time, medians of paired samples)", f"{x:.1f}x", ">= 15x", x >= 15)
    ct = r["cross_thread"]
    x = ct["post_median_ns"] / ct["af_median_ns"]
    add("foreign-thread resolution throughput / raw asio::post", f"{x:.2f}", ">= 0.80", x >= 0.8)
    rt = r["round_trip"]
    x = rt["af_p50_ns"] / rt["floor_c_p50_ns"]
    add("round-trip latency p50 / floor C", f"{x:.2f}", "<= 1.20", x <= 1.2)
    x = ins("af_timeout_result_wins") / ins("timer_and_signal_result_wins")
    add("af::timeout (result wins) / steady_timer + cancellation_signal", f"{x:.3f}", "<= 1.10",
        x <= 1.1)
    ok = ins("af_timeout_result_wins") < ins("awaitable_or_result_wins")
    add("af::timeout cheaper than awaitable_operators ||", "yes" if ok else "no", "cheaper", ok)
    x = ins("af_to_thread_same_context") / ins("post_and_back_same_context")
    add("to_thread / hand-written post(ex) + post(back)", f"{x:.3f}", "<= 1.20", x <= 1.2)
    ns = [s["ns_per_future"] for s in r["scale"]]
    x = max(ns) / min(ns)
    add("cost per pending future with af::timeout, 10^3 .. 10^6 (max/min)", f"{x:.2f}",
        "<= 1.5", x <= 1.5)
    for key, what in (("timer_and_signal_ns", "steady_timer + signal (peer)"),
                      ("no_deadline_ns", "no deadline")):
        ns = [s[key] for s in r["scale"]]
        out.append({"target": f"  for comparison: {what}, 10^3 .. 10^6 (max/min)",
                    "measured": f"{max(ns) / min(ns):.2f}", "limit": "", "met": True})
    s = r["sizeof_state_async_future_int"]
    add("sizeof shared state of async_future<int>", f"{s} B", "<= 128 B", s <= 128)
    # One op of the combinator variants is one child.
    for k in (1, 10, 1000):
        x = ins(f"af_gather_{k}") / ins(f"parallel_group_all_{k}")
        add(f"gather of {k} / parallel_group wait_for_all, instructions per child", f"{x:.3f}",
            "<= 1.00", x <= 1.0)
    return out


def ratio(a, b):
    return a / b if b else float("nan")


def write_tables(r, out_dir):
    v = r["variants"]
    fa = {x["name"]: x for x in v}
    floor_b = fa["floor_b_coro_post"]
    floor_c = fa["floor_c_posted"]
    head = ["variant", "median ns/op", "min ns/op", "instr/op", "instr / floor B",
            "instr / floor C", "median / floor C", "allocs/op"]
    rows = []
    for x in v:
        rows.append([
            x["name"], f"{x['median_ns']:.0f}", f"{x['min_ns']:.0f}", f"{x['instructions']:.0f}",
            f"{ratio(x['instructions'], floor_b['instructions']):.2f}",
            f"{ratio(x['instructions'], floor_c['instructions']):.2f}",
            f"{ratio(x['median_ns'], floor_c['median_ns']):.2f}",
            f"{x['allocs_per_op']:.2f}"])
    py = r["python"]
    rows.append([f"python {py['python']} asyncio", f"{py['median_ns']:.0f}", f"{py['min_ns']:.0f}",
                 "", "", "", f"{ratio(py['median_ns'], floor_c['median_ns']):.1f}", ""])
    ct, rt = r["cross_thread"], r["round_trip"]
    other = [
        ["foreign-thread resolution, af (median ns/op)", f"{ct['af_median_ns']:.0f}"],
        ["foreign-thread resolution, floor C (median ns/op)", f"{ct['floor_c_median_ns']:.0f}"],
        ["foreign-thread raw asio::post (median ns/op)", f"{ct['post_median_ns']:.0f}"],
        ["round trip af p50 / p99 (ns)", f"{rt['af_p50_ns']:.0f} / {rt['af_p99_ns']:.0f}"],
        ["round trip floor C p50 / p99 (ns)",
         f"{rt['floor_c_p50_ns']:.0f} / {rt['floor_c_p99_ns']:.0f}"],
    ]
    for s in r["scale"]:
        other.append([f"{s['pending']} pending, af::timeout: ns / heap bytes per future",
                      f"{s['ns_per_future']:.0f} / {s['heap_bytes_per_future']:.0f}"])
        other.append([f"{s['pending']} pending, steady_timer + signal: ns / heap bytes",
                      f"{s['timer_and_signal_ns']:.0f} / {s['timer_and_signal_heap_bytes']:.0f}"])
        other.append([f"{s['pending']} pending, no deadline: ns / heap bytes",
                      f"{s['no_deadline_ns']:.0f} / {s['no_deadline_heap_bytes']:.0f}"])
    tg = [[t["target"], t["measured"], t["limit"],
           ("met" if t["met"] else "MISSED") if t["limit"] else ""] for t in r["targets"]]

    def md(header, body):
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(row) + " |" for row in body]
        return "\n".join(lines) + "\n"

    def adoc(header, body):
        lines = [f'[cols="{len(header)}*",options="header"]', "|==="]
        lines.append(" ".join("| " + h for h in header))
        for row in body:
            lines.append(" ".join("| " + c.replace("|", "\\|") for c in row))
        lines.append("|===")
        return "\n".join(lines) + "\n"

    stamp = f"Measured {r['date']} on {r['machine']}; {r['ops_per_sample']} ops per sample, " \
            f"{r['rounds']} interleaved rounds; instructions from callgrind."
    with open(os.path.join(out_dir, "table.md"), "w") as f:
        f.write(stamp + "\n\n" + md(head, rows) + "\n" + md(["measure", "value"], other) + "\n" +
                md(["target", "measured", "limit", ""], tg))
    with open(os.path.join(out_dir, "table.adoc"), "w") as f:
        f.write(stamp + "\n\n" + adoc(head, rows) + "\n" + adoc(["measure", "value"], other) +
                "\n" + adoc(["target", "measured", "limit", "result"], tg))
    return stamp, head, rows, other, tg


def chart(r, out_dir):
    if not shutil.which("gnuplot"):
        print("report.py: gnuplot not found, no chart", file=sys.stderr)
        return
    dat = os.path.join(out_dir, "chart.dat")
    with open(dat, "w") as f:
        for x in r["variants"]:
            f.write(f"\"{x['name']}\" {x['instructions']:.0f}\n")
    script = f"""
set terminal pngcairo size 1000,620 font ',10' noenhanced
set output '{os.path.join(out_dir, 'chart.png')}'
set title 'Instructions per create-resolve-await (callgrind), {r['date']}'
set style data histograms
set style fill solid 0.8 border -1
set boxwidth 0.8
set style histogram clustered gap 1
set xtics rotate by -40 scale 0
set ylabel 'instructions / op (log scale)'
set logscale y
set grid ytics
set key off
set bmargin 11
set rmargin 10
plot '{dat}' using 2:xtic(1) lc rgb '#3a6ea5'
"""
    subprocess.run(["gnuplot"], input=script, text=True, check=True)
    os.remove(dat)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", required=True, help="the asio_future_bench executable")
    ap.add_argument("--out", required=True, help="directory for the results")
    ap.add_argument("--ops", type=int, default=20000)
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--no-callgrind", action="store_true")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    print("timed run ...", file=sys.stderr)
    r = run_json([args.bench, "--ops", str(args.ops), "--rounds", str(args.rounds)])
    # Python and the C++ manual path alternate, one sample each per round, so that both see
    # the same machine: the ratio is taken from these paired samples.
    print("python asyncio ...", file=sys.stderr)
    py, cpp = [], []
    for _ in range(args.rounds):
        one = run_json([sys.executable, os.path.join(HERE, "asyncio_bench.py"), str(args.ops), "1"])
        py.append(one["median_ns"])
        out = subprocess.run([args.bench, "--time", "af_manual_posted", "--ops", str(args.ops)],
                             check=True, capture_output=True, text=True).stdout
        cpp.append(float(out))
    r["python"] = {"python": one["python"], "median_ns": statistics.median(py), "min_ns": min(py),
                   "paired_af_manual_posted_median_ns": statistics.median(cpp)}
    for x in r["variants"]:
        if args.no_callgrind:
            x["instructions"] = float("nan")
        else:
            print(f"callgrind {x['name']} ...", file=sys.stderr)
            x["instructions"] = instructions_per_op(args.bench, x["name"])
    r["date"] = datetime.date.today().isoformat()
    r["machine"] = machine()
    r["targets"] = targets(r)
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(r, f, indent=2)
    stamp, head, rows, other, tg = write_tables(r, args.out)
    chart(r, args.out)

    def show(header, body):
        widths = [max(len(str(c)) for c in col) for col in zip(header, *body)]
        for row in [header] + body:
            print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)))
        print()

    print(stamp + "\n")
    show(head, rows)
    show(["measure", "value"], other)
    show(["target", "measured", "limit", "result"], tg)


if __name__ == "__main__":
    main()
