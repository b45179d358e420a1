#!/usr/bin/env python3
"""plot_bench.py — draw the peer-comparison runs as an SVG bar chart (standard library only).

    python3 scripts/plot_bench.py [-o OUT.svg] [--title T] [--note N] [--max GBPS] [--cases REGEX] INPUT...

INPUT is a JSON file or a directory (every *.json in it, by name) of what the benchmark
scripts keep with KEEP=dir:
  - `vnpu bench reduce|softmax|norm --json`: an array of records with "suite", "case", "op",
    "gbps" and, for softmax and the norms, "mode" (stream or direct); the records whose op is
    "bandwidth" (read) or "copy_bandwidth" give the bandwidth measured in that suite's run;
  - the Google Benchmark JSON of a peer binary (vnpu_reduce_peers, vnpu_norm_peers, or any
    file in that format): "benchmarks" with run_name "CASE/PEER[/real_time]" and
    bytes_per_second; medians are taken (the median aggregate, else the median of the
    repetitions), failed runs are left out.

The chart has one group of horizontal bars per case, one bar per series: vnpu's figures
from `vnpu bench` first (highlighted), then vnpu as timed inside the peer binary, then
each peer. A vertical line crosses each group at the read bandwidth (solid) and the copy
bandwidth (dashed) measured in the suite of that case. Bars longer than the axis (--max,
by default twice the highest bandwidth when some figure exceeds 2.5 times it: cache-hot
cases) are cut at its end and marked; their value is printed.

    PLOT=1 KEEP=out ./scripts/bench-reduce.sh            # also writes out/bench-reduce.svg
    python3 scripts/plot_bench.py docs/data/bench-2026-11-22-reduce -o docs/img/bench-reduce.svg
"""
import argparse
import json
import math
import pathlib
import re
import statistics
import sys
from xml.sax.saxutils import escape

PEER_NAMES = {"onednn": "oneDNN", "eigen": "Eigen", "omp": "OpenMP", "avx512": "AVX-512 loop",
              "tbb": "oneTBB", "pytorch": "PyTorch"}
VNPU_COLORS = ["#d9480f", "#e67700", "#c2255c", "#f08c00"]      # vnpu bench series
VNPU_PEER_COLORS = ["#ffc078", "#ffe066", "#faa2c1", "#ffd8a8"]  # vnpu inside the peer binary
PEER_COLORS = ["#4c6ef5", "#15aabf", "#7950f2", "#82c91e", "#868e96", "#be4bdb", "#12b886", "#495057"]
BANDWIDTH_OPS = {"bandwidth": "read", "copy_bandwidth": "copy"}


def peer_case(run_name):
    """'sum/f32/[8192,8192]/axis0/onednn/repeats:5/real_time' -> ('sum/f32/[8192,8192]/axis0', 'onednn')."""
    parts = run_name.split("/")
    while parts and re.fullmatch(r"real_time|process_time|repeats:\d+|min_time:[\d.]+s?|threads:\d+", parts[-1]):
        parts.pop()
    return "/".join(parts[:-1]), parts[-1]


class Data:
    def __init__(self):
        self.cases = {}      # case -> {series: GB/s}, in order of appearance
        self.series = []     # (key, label, kind) with kind "vnpu", "vnpu-peer" or "peer"
        self.case_bw = {}    # case -> {"read": GB/s, "copy": GB/s}
        self.context = {}
        self.vnpu_order = []  # cases in the order `vnpu bench` ran them
        self.peer_rank = {}   # peer -> its place in the peer binary's context "vnpu_peers"

    def add_series(self, key, label, kind):
        if all(s[0] != key for s in self.series):
            self.series.append((key, label, kind))

    def put(self, case, key, gbps):
        self.cases.setdefault(case, {})[key] = gbps

    def load_vnpu(self, records):
        bws, suite_cases = {}, {}
        for r in records:
            if not isinstance(r, dict) or "gbps" not in r:
                continue
            suite = r.get("suite", "")
            if r.get("op") in BANDWIDTH_OPS:
                bws.setdefault(suite, {})[BANDWIDTH_OPS[r["op"]]] = r["gbps"]
                continue
            case = r.get("case") or r.get("op", "?")
            mode = r.get("mode")
            if mode and case.endswith("/" + mode):
                case = case[: -len(mode) - 1]
            key = "bench/" + (mode or "")
            self.add_series(key, f"vnpu {mode} (vnpu bench)" if mode else "vnpu (vnpu bench)", "vnpu")
            self.put(case, key, r["gbps"])
            if case not in self.vnpu_order:
                self.vnpu_order.append(case)
            suite_cases.setdefault(suite, []).append(case)
        for suite, cases in suite_cases.items():
            for case in cases:
                self.case_bw.setdefault(case, {}).update(bws.get(suite, {}))

    def load_peers(self, doc):
        for k, v in doc.get("context", {}).items():
            self.context.setdefault(k, v)
        for peer in str(doc.get("context", {}).get("vnpu_peers", "")).split(","):
            if peer:
                self.peer_rank.setdefault(peer, len(self.peer_rank))
        medians, reps = {}, {}
        for b in doc.get("benchmarks", []):
            if b.get("error_occurred") or "bytes_per_second" not in b:
                continue
            case, peer = peer_case(b.get("run_name", b.get("name", "")))
            if b.get("run_type") == "aggregate":
                if b.get("aggregate_name") == "median":
                    medians[(case, peer)] = b["bytes_per_second"] / 1e9
            else:
                reps.setdefault((case, peer), []).append(b["bytes_per_second"] / 1e9)
        for key, values in reps.items():
            medians.setdefault(key, statistics.median(values))
        # Random interleaving shuffles the runs: peers in the binary's own order, then by name.
        for (case, peer), gbps in sorted(medians.items(),
                                         key=lambda kv: (self.peer_rank.get(kv[0][1], len(self.peer_rank)),
                                                         kv[0][1])):
            if peer == "vnpu" or peer.startswith("vnpu-"):
                mode = peer[5:]
                self.add_series("peer/" + peer, f"vnpu {mode} (in the peer binary)" if mode else
                                "vnpu (in the peer binary)", "vnpu-peer")
                self.put(case, "peer/" + peer, gbps)
            else:
                self.add_series("peer/" + peer, PEER_NAMES.get(peer, peer), "peer")
                self.put(case, "peer/" + peer, gbps)

    def load(self, path):
        doc = json.loads(pathlib.Path(path).read_text())
        if isinstance(doc, list):
            self.load_vnpu(doc)
        elif isinstance(doc, dict) and "benchmarks" in doc:
            self.load_peers(doc)
        else:
            print(f"plot_bench: {path}: neither `vnpu bench --json` output nor Google Benchmark JSON; skipped",
                  file=sys.stderr)

    def ordered_cases(self):
        """`vnpu bench`'s order, then cases only the peers ran, by name."""
        rank = {c: i for i, c in enumerate(self.vnpu_order)}
        return sorted(self.cases, key=lambda c: (rank.get(c, len(rank)), c))

    def ordered_series(self):
        rank = {"vnpu": 0, "vnpu-peer": 1, "peer": 2}
        return sorted(self.series, key=lambda s: rank[s[2]])  # stable: order of appearance within a kind


def nice_step(span, ticks=6):
    raw = span / ticks
    mag = 10 ** math.floor(math.log10(raw))
    return next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)


def text(x, y, s, size=11, anchor="start", weight="normal", fill="#212529", halo=False):
    """A text element; with halo, a white outline keeps it readable over bars and lines."""
    outline = ' stroke="#fff" stroke-width="3" paint-order="stroke"' if halo else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
            f'font-weight="{weight}" fill="{fill}"{outline}>{escape(s)}</text>')


def svg_chart(data, title, note, xmax=None):
    series = data.ordered_series()
    colors, n_vnpu, n_vpeer, n_peer = {}, 0, 0, 0
    for key, _, kind in series:
        if kind == "vnpu":
            colors[key], n_vnpu = VNPU_COLORS[n_vnpu % len(VNPU_COLORS)], n_vnpu + 1
        elif kind == "vnpu-peer":
            colors[key], n_vpeer = VNPU_PEER_COLORS[n_vpeer % len(VNPU_PEER_COLORS)], n_vpeer + 1
        else:
            colors[key], n_peer = PEER_COLORS[n_peer % len(PEER_COLORS)], n_peer + 1
    cases = data.ordered_cases()
    values = [v for row in data.cases.values() for v in row.values()]
    bws = [v for c, bw in data.case_bw.items() if c in data.cases for v in bw.values()]
    kinds = {k for c, bw in data.case_bw.items() if c in data.cases for k in bw}
    top = max(values + bws + [1.0])
    if xmax is None:
        xmax = 2 * max(bws) if bws and top > 2.5 * max(bws) else top
    step = nice_step(xmax)
    axis_end = math.ceil(xmax / step - 1e-9) * step

    bar, gap, pad = 9, 2, 12
    label_w = 8 + 6.4 * max([len(c) for c in cases] + [10])
    plot_w, left = 560, label_w + 10
    width = left + plot_w + 70
    legend_rows = math.ceil(len(series) / 3) + (1 if bws else 0)
    y0 = 48 + (16 if note else 0) + 16 * legend_rows + 14
    out, labels = [], []  # labels go last, over the bandwidth lines
    y = y0
    scale = plot_w / axis_end
    for case in cases:
        row = data.cases[case]
        shown = [s for s in series if s[0] in row]
        h = len(shown) * (bar + gap) - gap
        out.append(text(left - 8, y + h / 2 + 4, case, anchor="end"))
        for key, _, kind in shown:
            v = row[key]
            w = min(v, axis_end) * scale
            stroke = ' stroke="#862e0b" stroke-width="0.8"' if kind == "vnpu" else ""
            out.append(f'<rect x="{left:.1f}" y="{y:.1f}" width="{max(w, 0.5):.1f}" height="{bar}" '
                       f'fill="{colors[key]}"{stroke}><title>{escape(case)}: {escape(dict((s[0], s[1]) for s in series)[key])} '
                       f'{v:.2f} GB/s</title></rect>')
            if v > axis_end:  # cut: two white slashes near the end, value inside the bar
                xe = left + w
                out.append(f'<path d="M{xe - 14:.1f},{y + bar + 1:.1f} l5,{-bar - 2} M{xe - 9:.1f},{y + bar + 1:.1f} '
                           f'l5,{-bar - 2}" stroke="#fff" stroke-width="2"/>')
                labels.append(text(xe - 18, y + bar - 1, f"{v:.1f}", size=9, anchor="end",
                                   weight="bold" if kind == "vnpu" else "normal", halo=True))
            else:
                labels.append(text(left + w + 3, y + bar - 1, f"{v:.1f}", size=9,
                                   weight="bold" if kind == "vnpu" else "normal", fill="#343a40", halo=True))
            y += bar + gap
        for kind, dash in (("read", ""), ("copy", ' stroke-dasharray="4,3"')):
            bw = data.case_bw.get(case, {}).get(kind)
            if bw is not None and bw <= axis_end:
                x = left + bw * scale
                out.append(f'<line x1="{x:.1f}" y1="{y - h - gap - 4:.1f}" x2="{x:.1f}" y2="{y + 2:.1f}" '
                           f'stroke="#c92a2a" stroke-width="1.6"{dash}><title>{kind} bandwidth {bw:.1f} GB/s'
                           f'</title></line>')
        y += pad
    y_end = y - pad + 4

    grid = []
    t = 0.0
    while t <= axis_end + 1e-9:
        x = left + t * scale
        grid.append(f'<line x1="{x:.1f}" y1="{y0 - 6}" x2="{x:.1f}" y2="{y_end:.1f}" stroke="#e9ecef"/>')
        grid.append(text(x, y_end + 14, f"{t:g}", size=10, anchor="middle", fill="#495057"))
        t += step
    grid.append(text(left + plot_w / 2, y_end + 30, "GB/s (median)", size=11, anchor="middle"))

    head = [text(12, 22, title, size=15, weight="bold")]
    ly = 42
    if note:
        head.append(text(12, ly, note, size=10, fill="#495057"))
        ly += 16
    col_w = (width - 24) / 3
    for i, (key, label, kind) in enumerate(series):
        lx, yy = 12 + (i % 3) * col_w, ly + (i // 3) * 16
        head.append(f'<rect x="{lx:.1f}" y="{yy - 9:.1f}" width="12" height="10" fill="{colors[key]}"/>')
        head.append(text(lx + 17, yy, label, size=11, weight="bold" if kind == "vnpu" else "normal"))
    if bws:
        yy = ly + math.ceil(len(series) / 3) * 16
        for i, (kind, dash) in enumerate(k for k in (("read", ""), ("copy", ' stroke-dasharray="4,3"')) if k[0] in kinds):
            lx = 12 + i * col_w
            head.append(f'<line x1="{lx:.1f}" y1="{yy - 4}" x2="{lx + 12:.1f}" y2="{yy - 4}" stroke="#c92a2a" '
                        f'stroke-width="1.6"{dash}/>')
            head.append(text(lx + 17, yy, f"{kind} bandwidth measured in the run", size=11))

    height = y_end + 42
    return "\n".join([
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="Helvetica, Arial, sans-serif">',
        f'<rect width="100%" height="100%" fill="#fff"/>',
        *head, *grid,
        f'<line x1="{left:.1f}" y1="{y0 - 6}" x2="{left:.1f}" y2="{y_end:.1f}" stroke="#495057"/>',
        *out, *labels, "</svg>", ""])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("inputs", nargs="+", help="JSON files, or directories of them")
    ap.add_argument("-o", "--output", default="-", help="SVG file to write (default: stdout)")
    ap.add_argument("--title", help="chart title (default: the suites in the data)")
    ap.add_argument("--note", help="a line under the title (default: date, host and CPUs of the peer run)")
    ap.add_argument("--max", type=float, help="end of the GB/s axis; longer bars are cut")
    ap.add_argument("--cases", help="only the cases matching this regular expression")
    args = ap.parse_args(argv)

    data = Data()
    for name in args.inputs:
        p = pathlib.Path(name)
        if not p.exists():
            print(f"plot_bench: {name}: no such file or directory", file=sys.stderr)
            return 2
        for f in sorted(p.glob("*.json")) if p.is_dir() else [p]:
            data.load(f)
    if args.cases:
        data.cases = {c: v for c, v in data.cases.items() if re.search(args.cases, c)}
    if not data.cases:
        print("plot_bench: no benchmark figures in the input", file=sys.stderr)
        return 1
    ops = sorted({c.split("/")[0] for c in data.cases})
    title = args.title or f"{', '.join(ops)}: GB/s per case and library"
    ctx = data.context
    note = args.note
    if note is None:
        bits = [str(ctx[k]) for k in ("date", "host_name") if ctx.get(k)]
        if ctx.get("num_cpus"):
            bits.append(f"{ctx['num_cpus']} CPUs")
        if ctx.get("vnpu_threads"):
            bits.append(f"{ctx['vnpu_threads']} threads for vnpu and every peer")
        note = ", ".join(bits)
    svg = svg_chart(data, title, note, args.max)
    if args.output == "-":
        sys.stdout.write(svg)
    else:
        pathlib.Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        pathlib.Path(args.output).write_text(svg)
    return 0


if __name__ == "__main__":
    sys.exit(main())
