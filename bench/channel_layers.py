"""Compare channels-redis' core layer with its PubSub layer on this machine.

    .venv/bin/python bench/channel_layers.py [--redis redis://127.0.0.1:6379/0]
        [--receivers 100] [--messages 500]

For each layer: ``--receivers`` channels join one group, ``--messages`` group_sends go out, and
every receiver drains its channel. Prints deliveries per second, the time to the last delivery and
how many deliveries were lost. A figure-printing benchmark, never a test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

from channels_redis.core import RedisChannelLayer
from channels_redis.pubsub import RedisPubSubChannelLayer


async def run(layer, receivers: int, messages: int) -> dict:
    group = f"bench-{time.time_ns()}"
    channels = [await layer.new_channel() for _ in range(receivers)]
    for name in channels:
        await layer.group_add(group, name)
    received = [0] * receivers

    async def drain(index: int, name: str) -> None:
        while received[index] < messages:
            await layer.receive(name)
            received[index] += 1

    tasks = [asyncio.create_task(drain(i, name)) for i, name in enumerate(channels)]
    await asyncio.sleep(0.2)  # let every receiver subscribe
    start = time.perf_counter()
    for n in range(messages):
        await layer.group_send(group, {"type": "chat.message", "n": n, "body": "배송 문의드려요"})
    try:
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=60)
    except TimeoutError:
        for task in tasks:
            task.cancel()
    elapsed = time.perf_counter() - start
    delivered = sum(received)
    expected = receivers * messages
    for name in channels:
        await layer.group_discard(group, name)
    return {
        "deliveries": delivered,
        "lost": expected - delivered,
        "seconds": round(elapsed, 3),
        "deliveries_per_s": round(delivered / elapsed),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--receivers", type=int, default=100)
    parser.add_argument("--messages", type=int, default=500)
    args = parser.parse_args()
    layers = {
        "core": RedisChannelLayer(hosts=[args.redis], prefix="bench-core", capacity=5000),
        "pubsub": RedisPubSubChannelLayer(hosts=[args.redis], prefix="bench-pubsub"),
    }
    results = {}
    for name, layer in layers.items():
        results[name] = await run(layer, args.receivers, args.messages)
        print(f"{name:>6}: {json.dumps(results[name])}", flush=True)
        if hasattr(layer, "flush"):
            await layer.flush()
    ratio = results["pubsub"]["deliveries_per_s"] / max(1, results["core"]["deliveries_per_s"])
    print(f"pubsub/core deliveries per second: {ratio:.2f}x")


if __name__ == "__main__":
    asyncio.run(main())
