"""The garbage collector and a long-running process's startup heap.

A full collection walks every tracked object. A service's startup leaves
about 100,000 (its modules, the app, the ORM's tables) that live as long
as the process: walking them took 20-45 ms on the bench machine, and a
page of /servers/detail (1,000 servers) allocates enough to start a full
collection every few pages, in the api and in the conductor. Frozen
(gc.freeze), the startup heap is left out of every later collection;
objects made afterwards are collected as before."""
import gc


def freeze_startup_heap():
    """Collect what startup left as garbage, then keep the rest out of
    every later collection."""
    gc.collect()
    gc.freeze()
