# A Dask client for the e2e tests: connects to the address in argv[1], computes sum(range(10)),
# then computes sum(range(n)) for every number n read from stdin, printing "computed <result>".
# It keeps one Client across those computations, so a test can change the cluster in between.
import sys

from dask.distributed import Client

with Client(sys.argv[1], timeout="30s") as client:
    print("computed", client.submit(sum, range(10)).result(timeout=60), flush=True)
    for line in sys.stdin:
        n = int(line)
        print("computed", client.submit(sum, range(n)).result(timeout=60), flush=True)
