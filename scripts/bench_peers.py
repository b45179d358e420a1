"""bench_peers.py — what the peer-comparison scripts (bench-reduce.sh, bench-softmax-norm.sh)
share: the case names of `vnpu bench --json` records, reading the Google Benchmark JSON of a
vnpu_*_peers binary (and of bench_torch.py, which writes the same shape) and formatting
its cells.

    from bench_peers import PeerResults, case_name
    case_name(record)      # "sum/f32/[8192,8192]/axis0", "sum/f32/[64,256,56,56]/axes0,2,3"
    peers = PeerResults("peers.json", "torch.json")  # one or more files, merged
    peers.order            # peers in the order they ran, e.g. ["vnpu", "onednn", ...]
    peers.others           # the peers that are not vnpu itself ("vnpu", "vnpu-direct")
    peers.get(case, peer)  # (GB/s or None, note) or None when the peer did not run it
    peers.cell(case, peer) # "12.34", "— [1]" (failed: numbered note), "—"
    peers.best(case)       # the highest GB/s of any peer but vnpu, or None
    peers.notes            # {message: number} for the failures cited
"""
import json
import re


def case_name(r):
    """The name a case of `vnpu bench reduce|softmax|norm --json` has in the peer binaries
    (ReduceCase::name(), RowCase::name(); batch_norm: its mode)."""
    shape = ",".join(str(d) for d in r["shape"])
    if r["op"] == "batch_norm":
        return f'batch_norm/{r["dtype"]}/[{shape}]/' + ("training" if r["training"] else "inference")
    axes = r["axes"]
    where = f"axis{axes[0]}" if len(axes) == 1 else "axes" + ",".join(str(a) for a in axes)
    return f'{r["op"]}/{r["dtype"]}/[{shape}]/{where}'


def is_vnpu(peer):
    """vnpu's own entries in a peers binary: "vnpu" and its modes ("vnpu-direct")."""
    return peer == "vnpu" or peer.startswith("vnpu-")


class PeerResults:
    def __init__(self, *paths, ref_note=False):
        """Medians of the repetitions; failed runs carry their error message. With ref_note,
        a oneDNN label naming its reference implementation ("ref...") is noted as "ref".
        The context is the first file's."""
        docs = [json.load(open(p)) for p in paths]
        self.context = docs[0]["context"]
        self.results, self.order, self.notes = {}, [], {}
        for b in (b for d in docs for b in d["benchmarks"]):
            name = b.get("run_name", b["name"]).removesuffix("/real_time")
            # A benchmark given its own repetition count is named ".../peer/repeats:N".
            name = re.sub(r"/repeats:\d+$", "", name)
            case, peer = name.rsplit("/", 1)
            if peer not in self.order:
                self.order.append(peer)
            if b.get("error_occurred"):
                self.results.setdefault(case, {})[peer] = (None, b.get("error_message", "error"))
            elif b.get("aggregate_name", "median") == "median":
                note = "ref" if ref_note and b.get("label", "").startswith("ref") else ""
                self.results.setdefault(case, {})[peer] = (b["bytes_per_second"] / 1e9, note)
        self.others = [p for p in self.order if not is_vnpu(p)]

    def get(self, case, peer):
        return self.results.get(case, {}).get(peer)

    def best(self, case):
        row = self.results.get(case, {})
        return max((v[0] for p, v in row.items() if not is_vnpu(p) and v[0] is not None), default=None)

    def cell(self, case, peer):
        v = self.get(case, peer)
        if v is None:
            return "—"
        gbps, note = v
        if gbps is None:
            self.notes.setdefault(note, len(self.notes) + 1)
            return f"— [{self.notes[note]}]"
        return f"{gbps:.2f}" + (" (ref)" if note else "")

    def any_ref(self):
        return any(v[1] == "ref" for row in self.results.values() for v in row.values() if v[0] is not None)


def ratio(a, b):
    """'1.23x', or '—' without a b."""
    return f"{a / b:.2f}x" if b else "—"
