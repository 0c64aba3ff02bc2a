@echo off
rem kubectl runs this to complete `kubectl dask <TAB>`: the arguments are the words typed after
rem `kubectl dask`, the last one being completed. Put it on PATH next to kubectl-dask.exe.
kubectl-dask.exe __complete %*
