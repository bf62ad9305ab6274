"""Sign-in cost: Argon2id at the production settings, against scrypt n=2^17 in the same run.

Run: .venv/bin/python bench/bench_passwords.py
Prints the median and spread of hash and verify times, and peak memory per hash.
"""

from __future__ import annotations

import hashlib
import os
import statistics
import time

from argon2 import PasswordHasher

from inspect_app.config import Config

ROUNDS = 15


def timed(fn, rounds: int = ROUNDS) -> list[float]:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def report(name: str, samples: list[float]) -> float:
    median = statistics.median(samples)
    print(
        f"{name:<34} median {median * 1000:7.1f} ms   min {min(samples) * 1000:7.1f}   max {max(samples) * 1000:7.1f}"
    )
    return median


def main() -> None:
    hasher = PasswordHasher(
        time_cost=Config.ARGON2_TIME_COST, memory_cost=Config.ARGON2_MEMORY_COST
    )
    stored = hasher.hash("correct-horse-battery")
    print(
        f"Argon2id time_cost={Config.ARGON2_TIME_COST} memory_cost={Config.ARGON2_MEMORY_COST} KiB, {ROUNDS} rounds, {os.cpu_count()} cores"
    )
    argon_hash = report("argon2id hash", timed(lambda: hasher.hash("correct-horse-battery")))
    argon_verify = report(
        "argon2id verify", timed(lambda: hasher.verify(stored, "correct-horse-battery"))
    )
    salt = os.urandom(16)
    n, r, p = 2**17, 8, 1
    scrypt = report(
        "scrypt n=2^17 r=8 p=1 (baseline)",
        timed(
            lambda: hashlib.scrypt(
                b"correct-horse-battery", salt=salt, n=n, r=r, p=p, maxmem=132 * n * r * p
            )
        ),
    )
    print(
        f"argon2id verify / scrypt baseline: {argon_verify / scrypt:.2f}x   (hash: {argon_hash / scrypt:.2f}x)"
    )
    print(
        f"memory per hash: argon2id {Config.ARGON2_MEMORY_COST // 1024} MiB, scrypt {128 * n * r // 2**20} MiB"
    )


if __name__ == "__main__":
    main()
