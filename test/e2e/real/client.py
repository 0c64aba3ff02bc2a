"""Test client for the real node: connects to a forwarded scheduler and checks what it sees.

    python client.py ADDRESS WORKERS   waits for WORKERS workers, computes, prints one JSON line
"""
import json
import sys

from dask.distributed import Client

address, want = sys.argv[1], int(sys.argv[2])
with Client(address, timeout=60) as client:
    client.wait_for_workers(want, timeout=120)
    workers = client.scheduler_info(n_workers=-1)["workers"]
    futures = client.map(lambda x: x * x, range(100))
    total = client.submit(sum, futures).result(timeout=60)
    # Which workers ran the squares: the work really happened on the cluster's pods.
    who = client.who_has(futures)
    used = sorted({w for addrs in who.values() for w in addrs})
    print(json.dumps({
        "workers": len(workers),
        "names": sorted(w["name"] for w in workers.values()),
        "sum": total,
        "ran_on": used,
        "versions": client.get_versions(check=False)["scheduler"]["packages"]["distributed"],
    }))
