#!/usr/bin/env python3
"""The loader a migration engineer would write by hand, as a peer for `ferry import`.

Reads request bodies from a payloads.ndjson (one JSON body per line, as
`ferry validate` writes them) and POSTs each to {target}/api/clients with
asyncio + aiohttp: N requests in flight, retries on 429, 5xx and connection
errors with exponential backoff and full jitter (Retry-After obeyed). No
ledger, no journal: a crash loses track of what was sent. Prints created,
failed, retries, seconds and rows/s on one line each.

    MAMBU_API_KEY=k python_loader.py payloads.ndjson --target http://127.0.0.1:18080 --concurrency 32

Exit code 0 when every row was created, 1 when some failed, 2 on bad usage.
"""

import argparse
import asyncio
import os
import random
import sys
import time

import aiohttp

RETRY_STATUSES = {429, 500, 502, 503, 504}


async def send(session, url, body, max_attempts, stats):
    """POST one body; True when the target created it."""
    for attempt in range(max_attempts):
        try:
            async with session.post(url, data=body) as resp:
                await resp.read()
                if resp.status in (200, 201):
                    return True
                if resp.status not in RETRY_STATUSES:
                    return False
                if resp.status == 429:
                    stats["throttled"] += 1
                retry_after = resp.headers.get("Retry-After")
        except (aiohttp.ClientError, asyncio.TimeoutError):
            retry_after = None
        stats["retries"] += 1
        if retry_after is not None and retry_after.isdigit():
            delay = float(retry_after)
        else:
            delay = random.uniform(0, min(10.0, 0.1 * 2**attempt))
        await asyncio.sleep(delay)
    return False


async def worker(queue, session, url, max_attempts, stats):
    while True:
        body = await queue.get()
        if body is None:
            return
        ok = await send(session, url, body, max_attempts, stats)
        stats["created" if ok else "failed"] += 1


async def main_async(args):
    key = os.environ.get("MAMBU_API_KEY")
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if key:
        headers["apikey"] = key
    url = args.target.rstrip("/") + "/api/clients"
    stats = {"created": 0, "failed": 0, "retries": 0, "throttled": 0}
    queue = asyncio.Queue(maxsize=args.concurrency * 4)
    connector = aiohttp.TCPConnector(limit=args.concurrency)
    timeout = aiohttp.ClientTimeout(total=args.timeout)
    started = time.monotonic()
    async with aiohttp.ClientSession(
        headers=headers, connector=connector, timeout=timeout
    ) as session:
        workers = [
            asyncio.create_task(worker(queue, session, url, args.attempts, stats))
            for _ in range(args.concurrency)
        ]
        sent = 0
        with open(args.payloads, "rb") as f:
            for line in f:
                line = line.rstrip(b"\n")
                if not line:
                    continue
                if args.limit and sent >= args.limit:
                    break
                await queue.put(line)
                sent += 1
        for _ in workers:
            await queue.put(None)
        await asyncio.gather(*workers)
    secs = max(time.monotonic() - started, 1e-9)
    print(f"created {stats['created']}")
    print(f"failed {stats['failed']}")
    print(f"retries {stats['retries']}")
    print(f"throttled {stats['throttled']}")
    print(f"seconds {secs:.3f}")
    print(f"rows/s {stats['created'] / secs:.1f}")
    return 0 if stats["failed"] == 0 else 1


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("payloads", help="payloads.ndjson: one request body per line")
    p.add_argument("--target", required=True, help="base URL, e.g. http://127.0.0.1:18080")
    p.add_argument("--concurrency", type=int, default=32)
    p.add_argument("--attempts", type=int, default=6, help="tries per row")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    p.add_argument("--limit", type=int, default=0, help="send at most this many rows")
    args = p.parse_args()
    if args.concurrency < 1 or args.attempts < 1:
        p.error("--concurrency and --attempts must be at least 1")
    sys.exit(asyncio.run(main_async(args)))


if __name__ == "__main__":
    main()
