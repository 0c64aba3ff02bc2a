"""Scale-down must not lose results: scattered data has no lineage, so a worker removed without
being retired takes its share with it and gathering fails.

    python retire.py ADDRESS scatter   spreads 30 values over every worker, publishes them
    python retire.py ADDRESS gather    gathers them back, prints one JSON line
"""
import json
import sys

from dask.distributed import Client

address, phase = sys.argv[1], sys.argv[2]
with Client(address, timeout=60) as client:
    if phase == "scatter":
        workers = list(client.scheduler_info(n_workers=-1)["workers"])
        # One value per worker in turn, so every worker holds some of them.
        futures = [client.scatter(i * 7, workers=[workers[i % len(workers)]]) for i in range(30)]
        client.publish_dataset(values=futures, override=True)
        holders = {addr for addrs in client.who_has(futures).values() for addr in addrs}
        print(json.dumps({"holders": len(holders)}))
    else:
        values = client.gather(client.get_dataset("values"), errors="raise")
        names = sorted(w["name"] for w in client.scheduler_info(n_workers=-1)["workers"].values())
        print(json.dumps({"values": values, "workers": names}))
