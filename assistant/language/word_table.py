"""jieba's word frequencies in a compact file that loads in milliseconds.

jieba keeps its dictionary as a Python dict of about 500,000 words and word prefixes; building
that dict (from its marshal cache) takes most of a second on this machine, longer than the rest
of a one-shot question. A `WordTable` holds the same words and frequencies as one UTF-8 blob, an
offsets array and an open-addressing hash table (CRC-32, linear probing), saved with numpy; a
lookup costs a few microseconds and is remembered, so segmenting a question or the passages of
an answer touches a few thousand entries and never builds the dict. It is a read-only Mapping:
jieba's Tokenizer reads FREQ only with `in`, `[]` and `.get`, so segmentation with a WordTable is
the same as with the dict it was made from (tests/test_segmentation.py compares them)."""

from __future__ import annotations

import os
import uuid
import zlib
from collections.abc import Mapping
from pathlib import Path

import numpy as np

#: Remembered lookups; cleared when full (a long build sees millions of distinct fragments).
MEMO_LIMIT = 1_000_000
_MISSING = object()


class WordTable(Mapping):
    def __init__(self, blob: bytes, offsets: np.ndarray, freqs: np.ndarray, slots: np.ndarray, total: int):
        self._blob = blob
        self._offsets_array, self._freqs_array, self._slots_array = offsets, freqs, slots
        self._offsets = memoryview(offsets)
        self._freqs = memoryview(freqs)
        self._slots = memoryview(slots)
        self._mask = len(slots) - 1
        self.total = int(total)
        self._memo: dict[str, int | None] = {}

    @classmethod
    def from_freq(cls, freq: dict[str, int], total: int) -> "WordTable":
        words = [w.encode("utf-8") for w in freq]
        lengths = np.array([len(w) for w in words], dtype=np.int64)
        if lengths.sum() >= 2**31 or max(freq.values(), default=0) >= 2**31:
            raise ValueError("dictionary too large for a WordTable")
        offsets = np.zeros(len(words) + 1, dtype=np.int32)
        offsets[1:] = np.cumsum(lengths)
        freqs = np.fromiter(freq.values(), dtype=np.int32, count=len(words))
        size = 1 << max(4, (2 * len(words) - 1).bit_length())  # load factor <= 1/2
        slots = np.full(size, -1, dtype=np.int32)
        mask = size - 1
        table = slots.tolist()
        for index, word in enumerate(words):
            slot = zlib.crc32(word) & mask
            while table[slot] >= 0:
                slot = (slot + 1) & mask
            table[slot] = index
        slots[:] = table
        return cls(b"".join(words), offsets, freqs, slots, total)

    def save(self, path: Path) -> None:
        """Written beside `path` and renamed onto it, so readers never see half a file."""
        path = Path(path)
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
        try:
            with open(tmp, "wb") as handle:
                np.savez(handle, blob=np.frombuffer(self._blob, dtype=np.uint8), offsets=self._offsets_array,
                         freqs=self._freqs_array, slots=self._slots_array, total=np.array([self.total]))
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)

    @classmethod
    def load(cls, path: Path) -> "WordTable":
        with np.load(path, allow_pickle=False) as data:
            slots = data["slots"]
            if len(slots) & (len(slots) - 1):
                raise ValueError(f"{path}: hash table size {len(slots)} is not a power of two")
            return cls(data["blob"].tobytes(), data["offsets"], data["freqs"], slots, int(data["total"][0]))

    def _find(self, word: str) -> int | None:
        key = word.encode("utf-8")
        blob, offsets, slots, mask = self._blob, self._offsets, self._slots, self._mask
        slot = zlib.crc32(key) & mask
        while True:
            index = slots[slot]
            if index < 0:
                return None
            if blob[offsets[index]:offsets[index + 1]] == key:
                return self._freqs[index]
            slot = (slot + 1) & mask

    def get(self, word, default=None):
        value = self._memo.get(word, _MISSING)
        if value is _MISSING:
            value = self._find(word) if isinstance(word, str) else None
            if len(self._memo) >= MEMO_LIMIT:
                self._memo.clear()
            self._memo[word] = value
        return default if value is None else value

    def __getitem__(self, word):
        value = self.get(word)
        if value is None:
            raise KeyError(word)
        return value

    def __contains__(self, word) -> bool:
        return self.get(word) is not None

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __iter__(self):
        offsets = self._offsets
        for index in range(len(self)):
            yield self._blob[offsets[index]:offsets[index + 1]].decode("utf-8")
