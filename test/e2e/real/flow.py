"""The recipe's flow, for Prefect 3: two tasks, the second prints the first's value, run on the
Dask cluster through DaskTaskRunner(address=...).

    python flow.py ADDRESS MARKER
"""
import sys

from prefect import flow, task
from prefect_dask import DaskTaskRunner

address, marker = sys.argv[1], sys.argv[2]


@task
def first():
    return 42


@task
def second(value):
    print(f"{marker}: second task got {value}", flush=True)
    return value


@flow(task_runner=DaskTaskRunner(address=address))
def recipe():
    return second.submit(first.submit()).result()


if __name__ == "__main__":
    print(f"flow result {recipe()}", flush=True)
