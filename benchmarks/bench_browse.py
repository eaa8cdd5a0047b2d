"""Browse with 10,000 synthetic cards: the time each keystroke of a search costs.

- filter: `BrowseIndex.search` for every prefix of a few typed queries (what one keystroke
  has to compute), median and worst case; the target is < 50 ms per keystroke;
- keystroke in Pilot: the same typing in the real Browse screen (headless), from the key press
  until the list and preview have been redrawn, median and worst case, next to the same typing
  into a bare Textual app with one Input (Pilot's own cost per key);
- building the index once, when Browse opens.

Run: python benchmarks/bench_browse.py [--cards N]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from studytool.content.model import Card, CardType, Deck, LoadResult, Text  # noqa: E402
from studytool.study.search import BrowseIndex, parse_query  # noqa: E402

QUERIES = ["attention", "어텐션 행렬", "tag:cnn gradient", "-relu softmax", "is:new type:mcq"]
TARGET_MS = 50.0

WORDS_EN = (
    "attention softmax gradient descent convolution kernel stride padding residual batch norm"
    " dropout regularization learning rate momentum adam optimizer encoder decoder transformer"
    " embedding token sequence recurrent hidden state loss entropy probability sample latent"
).split()
WORDS_KO = (
    "어텐션 소프트맥스 그래디언트 경사 하강 합성곱 커널 스트라이드 패딩 잔차 배치 정규화 드롭아웃"
    " 학습률 모멘텀 옵티마이저 인코더 디코더 트랜스포머 임베딩 토큰 시퀀스 순환 은닉 상태 손실"
    " 엔트로피 확률 표본 잠재 행렬 벡터"
).split()
TAGS = ["cnn", "rnn", "optim", "attention", "regularization", "generative", "math", "history"]


def sentence(rng: random.Random, words: list[str], n: int) -> str:
    return " ".join(rng.choice(words) for _ in range(n))


def text(rng: random.Random, n: int) -> Text:
    return Text(sentence(rng, WORDS_EN, n), sentence(rng, WORDS_KO, n))


def synthetic_decks(n_cards: int, seed: int = 7) -> list[Deck]:
    """Realistic sizes: a question, an answer or four choices, an explanation, tags."""
    rng = random.Random(seed)
    decks: list[Deck] = []
    per_deck = 500
    for d in range(0, n_cards, per_deck):
        deck_id = f"deck-{d // per_deck:02d}"
        cards = []
        for i in range(min(per_deck, n_cards - d)):
            ctype = rng.choice([CardType.BASIC, CardType.MCQ, CardType.CLOZE, CardType.TYPED])
            kw: dict = {}
            if ctype is CardType.MCQ:
                kw = {"choices": tuple(text(rng, 4) for _ in range(4)), "answer_index": 0}
            elif ctype is CardType.TYPED:
                kw = {"answers": (text(rng, 2),)}
            elif ctype is CardType.BASIC:
                kw = {"back": text(rng, 18)}
            prompt = text(rng, 14)
            if ctype is CardType.CLOZE:
                prompt = Text(prompt.en + " {{c1::softmax}}", prompt.ko + " {{c1::소프트맥스}}")
            cards.append(
                Card(
                    deck=deck_id,
                    id=f"card-{i:04d}",
                    type=ctype,
                    prompt=prompt,
                    explain=text(rng, 30),
                    tags=tuple(rng.sample(TAGS, 2)),
                    line=i * 12 + 5,
                    **kw,
                )
            )
        decks.append(
            Deck(
                deck_id,
                Text(f"Deck {d}", f"덱 {d}"),
                Path(f"/bench/{deck_id}.yaml"),
                cards=tuple(cards),
            )
        )
    return decks


def keystrokes() -> list[str]:
    return [q[:k] for q in QUERIES for k in range(1, len(q) + 1)]


def bench_filter(index: BrowseIndex) -> list[float]:
    times = []
    for prefix in keystrokes():
        start = time.perf_counter()
        index.search(parse_query(prefix))
        times.append((time.perf_counter() - start) * 1000)
    return times


async def bench_pilot(decks: list[Deck]) -> list[float]:
    from textual.widgets import Input

    from studytool.config import Settings
    from studytool.tui.app import StudyApp
    from studytool.tui.browse import BrowseScreen

    data = Path(tempfile.mkdtemp(prefix="studytool-bench-"))
    app = StudyApp(Settings(data_dir=data), library=LoadResult(decks=decks), open_store=False)
    times: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.push_screen(BrowseScreen())
        await pilot.pause()
        search = app.screen.query_one("#browse-search", Input)
        for query in QUERIES:
            search.value = ""
            await pilot.pause()
            for ch in query:
                start = time.perf_counter()
                await pilot.press(ch)  # returns once the key is handled and the screen redrawn
                times.append((time.perf_counter() - start) * 1000)
            assert search.value == query
    return times


async def bench_floor() -> list[float]:
    """The same typing into a bare Textual app with one Input: what Pilot itself costs."""
    from textual.app import App, ComposeResult
    from textual.widgets import Input

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Input()

    times: list[float] = []
    async with Bare().run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for query in QUERIES:
            pilot.app.query_one(Input).value = ""
            await pilot.pause()
            for ch in query:
                start = time.perf_counter()
                await pilot.press(ch)
                times.append((time.perf_counter() - start) * 1000)
    return times


def summary(name: str, times: list[float]) -> str:
    return (
        f"{name:<22} median {statistics.median(times):6.2f} ms   worst {max(times):6.2f} ms"
        f"   ({len(times)} keystrokes)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cards", type=int, default=10_000)
    args = parser.parse_args()
    decks = synthetic_decks(args.cards)
    start = time.perf_counter()
    index = BrowseIndex(decks)
    build_ms = (time.perf_counter() - start) * 1000
    print(f"{len(index):,} cards; index built in {build_ms:.0f} ms (once, when Browse opens)")
    filter_ms = bench_filter(index)
    print(summary("filter", filter_ms))
    pilot_ms = asyncio.run(bench_pilot(decks))
    print(summary("keystroke in Pilot", pilot_ms))
    print(summary("  floor: bare Input", asyncio.run(bench_floor())))
    worst = max(filter_ms)
    verdict = "ok" if worst < TARGET_MS else "SLOW"
    print(f"target: every keystroke filters in < {TARGET_MS:.0f} ms: {verdict}")


if __name__ == "__main__":
    main()
