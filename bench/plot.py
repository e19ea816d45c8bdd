"""The boot benchmark's sweep as a PNG: boots/s, and p50/p99 latency,
against the offered rate, each shape (the floor, distributed, local)
beside the others. Needs matplotlib (the `bench` extra)."""


def _x(rate, rates):
    # "As fast as possible" (0) is drawn right of the highest offered rate.
    top = max([r for r in rates if r] or [1.0])
    return rate if rate else top * 1.5


def write(sweep, path, n, concurrency):
    """sweep: {shape: {offered rate: figures()}}."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5))
    for shape, runs in sweep.items():
        rates = sorted(runs, key=lambda r: _x(r, list(runs)))
        xs = [_x(r, rates) for r in rates]
        left.plot(xs, [runs[r]["rate"] for r in rates], "o-", label=shape)
        line, = right.plot(xs, [runs[r]["p50"] for r in rates], "o-", label=f"{shape} p50")
        right.plot(xs, [runs[r]["p99"] for r in rates], "s--", color=line.get_color(),
                   label=f"{shape} p99")
    left.set(xlabel="offered boots/s (rightmost: as fast as possible)", ylabel="boots/s",
             title="throughput")
    right.set(xlabel="offered boots/s (rightmost: as fast as possible)", ylabel="ms",
              title="latency, submit to final state", yscale="log")
    for axis in (left, right):
        axis.grid(True, alpha=0.3)
        axis.legend(fontsize=8)
    fig.suptitle(f"Stratus beside the bare Celery floor: {n} boots per point, "
                 f"concurrency {concurrency}")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
