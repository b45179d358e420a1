#!/usr/bin/env python3
"""test_collectives_cli.py --vnpu PATH --case CASE [-- LAUNCHER...] — `vnpu bench hccl` and `vnpu demo train`.

Cases (quick smoke runs: small sizes, few repetitions; no timing is judged):
  hccl           LAUNCHER vnpu bench hccl --json --max-bytes 1048576 --reps 2: one JSON object with
                 "ranks" (the launcher's process count, --ranks-expected) and one record per size
                 4 KiB, 16 KiB, ..., 1 MiB, each with positive times and bandwidths consistent with
                 them, bitwise_identical and within_tolerance true.
  hccl_alone     vnpu bench hccl outside mpirun: exit 64 with a message naming mpirun, nothing on stdout.
  train          vnpu demo train --ranks 2 --steps 2 --json (ranks = devices of one process).
  train_mpi      LAUNCHER vnpu demo train --steps 2 --json (ranks = processes).
The train cases check "ranks", "layers", "serial_ms", "overlapped_ms", "speedup" and that
"identical" (and "order_independent", "verified") are true. LAUNCHER is the MPI launcher
with its options, e.g. `mpiexec -n 2 --allow-run-as-root --oversubscribe`. Exits 1 on any failure.
"""
import argparse
import json
import subprocess
import sys

TIMEOUT = 280


def run(cmd):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
    return proc.returncode, proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace")


def main():
    argv = sys.argv[1:]
    launcher = []
    if "--" in argv:
        cut = argv.index("--")
        argv, launcher = argv[:cut], argv[cut + 1:]
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vnpu", required=True)
    parser.add_argument("--case", choices=["hccl", "hccl_alone", "train", "train_mpi"], required=True)
    parser.add_argument("--ranks-expected", type=int, default=2)
    args = parser.parse_args(argv)
    failures = []

    def check(ok, what):
        if not ok:
            failures.append(what)
            print("FAIL: " + what, flush=True)

    def number(doc, key):
        return isinstance(doc.get(key), (int, float)) and not isinstance(doc.get(key), bool)

    if args.case in ("hccl", "train_mpi") and not launcher:
        print("FAIL: case %s needs the MPI launcher after --" % args.case)
        return 1

    if args.case == "hccl_alone":
        rc, out, err = run([args.vnpu, "bench", "hccl", "--json", "--max-bytes", "4096"])
        check(rc == 64, "exit %d, want 64 (stderr: %s)" % (rc, err.strip()))
        check("mpirun" in err, "the message does not name mpirun: %r" % err)
        check(out.strip() == "", "stdout is not empty: %r" % out)
    elif args.case == "hccl":
        rc, out, err = run(launcher + [args.vnpu, "bench", "hccl", "--json", "--max-bytes", "1048576", "--reps", "2"])
        if rc != 0:
            print("FAIL: exit %d: %s" % (rc, err))
            return 1
        doc = json.loads(out)  # rank 0 alone prints: one document
        check(doc.get("ranks") == args.ranks_expected, "ranks %r" % doc.get("ranks"))
        sizes = doc.get("sizes", [])
        check([s.get("bytes") for s in sizes] == [4096 * 4 ** k for k in range(5)],
              "sizes %s" % [s.get("bytes") for s in sizes])
        n = args.ranks_expected
        for s in sizes:
            label = "size %s" % s.get("bytes")
            keys = ["vnpu_ms", "mpi_ms", "vnpu_busbw_gbs", "mpi_busbw_gbs", "ratio"]
            bad = [k for k in keys if not number(s, k) or s[k] <= 0]
            check(not bad, "%s: %s not positive numbers" % (label, bad))
            check(s.get("bitwise_identical") is True, "%s: bitwise_identical %r" % (label, s.get("bitwise_identical")))
            check(s.get("within_tolerance") is True, "%s: within_tolerance %r" % (label, s.get("within_tolerance")))
            if bad:
                continue
            for side in ("vnpu", "mpi"):
                busbw = s["bytes"] / (s[side + "_ms"] * 1e6) * 2 * (n - 1) / n
                check(abs(s[side + "_busbw_gbs"] - busbw) <= 0.01 + 0.02 * busbw,
                      "%s: %s_busbw_gbs %s, from the time %s" % (label, side, s[side + "_busbw_gbs"], busbw))
            check(abs(s["ratio"] - s["vnpu_ms"] / s["mpi_ms"]) <= 0.01 + 0.02 * s["ratio"],
                  "%s: ratio %s for %s / %s ms" % (label, s["ratio"], s["vnpu_ms"], s["mpi_ms"]))
    else:
        cmd = [args.vnpu, "demo", "train", "--steps", "2", "--json", "--layers", "4", "--params-mib", "4"]
        if args.case == "train":
            cmd += ["--ranks", "2"]
        else:
            cmd = launcher + cmd
        rc, out, err = run(cmd)
        if rc != 0:
            print("FAIL: exit %d: %s" % (rc, err))
            return 1
        doc = json.loads(out)
        check(doc.get("ranks") == args.ranks_expected, "ranks %r" % doc.get("ranks"))
        check(doc.get("mode") == ("threads" if args.case == "train" else "processes"), "mode %r" % doc.get("mode"))
        check(doc.get("layers") == 4, "layers %r" % doc.get("layers"))
        bad = [k for k in ("serial_ms", "overlapped_ms", "speedup") if not number(doc, k) or doc[k] <= 0]
        check(not bad, "%s not positive numbers" % bad)
        for key in ("identical", "order_independent", "verified"):
            check(doc.get(key) is True, "%s %r" % (key, doc.get(key)))
    if failures:
        print("%d failure(s)" % len(failures))
        return 1
    print("ok: %s" % args.case)
    return 0


if __name__ == "__main__":
    sys.exit(main())
