# A Dask client for the e2e tests: connects to the address in argv[1], computes sum(range(10)),
# then computes sum(range(n)) for every number n read from stdin, printing "computed <result>".
# It keeps one Client across those computations, so a test can change the cluster in between.
# A computation the client cancels because its scheduler connection dropped is submitted again,
# as an application would once the Client has reconnected.
import sys
import time

from dask.distributed import Client
from distributed.client import FutureCancelledError


def compute(client, n):
    for attempt in range(10):
        try:
            return client.submit(sum, range(n), pure=False).result(timeout=60)
        except FutureCancelledError as e:
            print("retrying after", e, file=sys.stderr, flush=True)
            time.sleep(1)
    raise RuntimeError(f"sum(range({n})) was cancelled 10 times")


with Client(sys.argv[1], timeout="30s") as client:
    print("computed", compute(client, 10), flush=True)
    for line in sys.stdin:
        print("computed", compute(client, int(line)), flush=True)
