"""Memory held by the in-memory tracker store: 10,000 idle conversations, then after the TTL.

    .venv/bin/python bench/bench_tracker_memory.py [--conversations 10000] [--ttl 45]

Each conversation is three turns shaped like the real ones (user text with full parse data:
intent ranking, entities, tokens; slots; bot replies of directory-card length; Rasa's event
metadata). They are saved through the store's public `save`, as Rasa does, inside an asyncio
loop so the background sweep runs as it does in the server. Prints the process's resident
memory (RSS) at baseline, with every conversation held, and after the TTL has passed.
Target: < 200 MB above baseline when full; back near baseline after the TTL.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import string
import time
import uuid
import warnings

warnings.filterwarnings("ignore")

from rasa.shared.core.domain import Domain  # noqa: E402
from rasa.shared.core.events import (  # noqa: E402
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker  # noqa: E402

from bot.tracker_store import EphemeralInMemoryTrackerStore  # noqa: E402

TARGET_MB = 200
INTENTS = ["search_services", "greet", "quick_exit", "ask_pathway", "identify_professional"]
DOMAIN = Domain.from_dict(
    {
        "slots": {
            name: {"type": "text", "mappings": [{"type": "custom"}]}
            for name in ("borough", "strand", "need")
        }
    }
)
CARD = (
    "Advance: independent domestic violence advisers for women in Hammersmith & Fulham, "
    "Kensington & Chelsea and Westminster.\nCall 020 8741 7008 (Monday to Friday)\n"
    "https://www.advancecharity.org.uk\nOpen: 9am to 5pm\nYou can contact them yourself."
)


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def words(count: int) -> str:
    return " ".join(
        "".join(random.choices(string.ascii_lowercase, k=random.randint(3, 9)))
        for _ in range(count)
    )


def user_turn(text: str, intent: str, entities: list[dict]) -> UserUttered:
    ranking = [{"name": name, "confidence": random.random()} for name in INTENTS]
    tokens = []
    position = 0
    for word in text.split():
        tokens.append([position, position + len(word)])
        position += len(word) + 1
    parse_data = {
        "intent": {"name": intent, "confidence": 0.98},
        "entities": entities,
        "text": text,
        "message_id": uuid.uuid4().hex,
        "metadata": {},
        "text_tokens": tokens,
        "intent_ranking": ranking,
        "response_selector": {"all_retrieval_intents": [], "default": {"ranking": []}},
    }
    return UserUttered(
        text, parse_data["intent"], entities, parse_data, input_channel="rest",
        message_id=parse_data["message_id"],
        metadata={"model_id": uuid.uuid4().hex, "assistant_id": "vawg-directory-assistant"},
    )  # fmt: skip


def conversation(sender: str) -> DialogueStateTracker:
    borough = {"entity": "borough", "value": "westminster", "start": 19, "end": 30}
    need = {"entity": "need", "value": "refuge", "start": 9, "end": 15}
    events = [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
        user_turn(f"hi {words(4)}", "greet", []),
        ActionExecuted("utter_greet"),
        BotUttered("Hello. I can help you find support services. " + words(12)),
        ActionExecuted("action_listen"),
        user_turn(f"I need a refuge in Westminster {words(8)}", "search_services", [need, borough]),
        SlotSet("borough", "westminster"),
        SlotSet("need", "refuge"),
        ActionExecuted("action_search_services"),
        *(BotUttered(CARD) for _ in range(3)),
        ActionExecuted("action_listen"),
        user_turn(f"what about counselling {words(10)}", "search_services", []),
        ActionExecuted("action_search_services"),
        *(BotUttered(CARD) for _ in range(3)),
        ActionExecuted("action_listen"),
    ]
    return DialogueStateTracker.from_events(sender, events, DOMAIN.slots)


async def measure(conversations: int, ttl: float) -> dict[str, float]:
    store = EphemeralInMemoryTrackerStore(
        DOMAIN, ttl_seconds=ttl, max_conversations=max(conversations, 1)
    )
    sample = conversation(str(uuid.uuid4()))
    serialised_kb = len(store.serialise_tracker(sample)) / 1024
    gc.collect()
    baseline = rss_mb()

    started = time.monotonic()
    for _ in range(conversations):
        await store.save(conversation(str(uuid.uuid4())))
    fill_s = time.monotonic() - started
    gc.collect()
    full = rss_mb()
    held = len(store._live)

    await asyncio.sleep(ttl + store._sweep_interval() + 1)  # idle: only the sweeper runs
    gc.collect()
    after = rss_mb()
    return {
        "conversations": held,
        "serialised_kb": serialised_kb,
        "baseline_mb": baseline,
        "full_mb": full,
        "after_ttl_mb": after,
        "left_after_ttl": len(store._live),
        "fill_s": fill_s,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument(
        "--ttl", type=float, default=45.0, help="idle TTL in seconds; must outlast the fill"
    )
    args = parser.parse_args()
    random.seed(5)
    figures = asyncio.run(measure(args.conversations, args.ttl))
    above = figures["full_mb"] - figures["baseline_mb"]
    residue = figures["after_ttl_mb"] - figures["baseline_mb"]
    print(f"conversations held:        {figures['conversations']:,}")
    print(f"one conversation:          {figures['serialised_kb']:.1f} KB serialised (3 turns)")
    print(f"filled in:                 {figures['fill_s']:.1f} s")
    print(f"RSS baseline:              {figures['baseline_mb']:.1f} MB")
    print(f"RSS with all held:         {figures['full_mb']:.1f} MB (+{above:.1f} MB)")
    print(
        f"RSS after the TTL ({args.ttl:g} s): {figures['after_ttl_mb']:.1f} MB (+{residue:.1f} MB)"
    )
    print(f"conversations left:        {figures['left_after_ttl']}")
    if figures["conversations"] < args.conversations:
        print("the TTL ran out while filling: rerun with a longer --ttl")
        return 1
    verdict = "OK" if above < TARGET_MB and figures["left_after_ttl"] == 0 else "OVER TARGET"
    print(f"target < {TARGET_MB} MB above baseline, none left after TTL: {verdict}")
    return 0 if verdict == "OK" else 1


if __name__ == "__main__":
    raise SystemExit(main())
