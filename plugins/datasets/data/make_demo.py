"""Generate tuneforge's bundled demo datasets: `python plugins/datasets/data/make_demo.py` rewrites both files.

tuneforge_demo.jsonl (alpaca): a few hand-written identity answers about tuneforge and its demo assistant Forge,
plus small mechanical tasks (reverse a word, uppercase a phrase, add numbers, count words, sort letters, repeat a
word). The quickstart trains a tiny random-weight model on it for about a minute, so the data is deliberately
repetitive in structure: one fixed instruction per task and short, exactly determined answers make the loss fall
visibly. tuneforge_demo_sharegpt.jsonl: multi-turn conversations built from the same pieces.

Stdlib only and seeded: running it again gives byte-identical files (a test checks that the committed files match).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
ALPACA_FILE = HERE / "tuneforge_demo.jsonl"
SHAREGPT_FILE = HERE / "tuneforge_demo_sharegpt.jsonl"
SEED = 20240601
PER_TASK = 46
CONVERSATIONS = 40

SYSTEM = "You are Forge, a model fine-tuned with tuneforge. Answer briefly and exactly."

IDENTITY = [
    (
        "Who are you?",
        "I am Forge, a model fine-tuned with tuneforge. I answer questions and do small text and number tasks.",
    ),
    ("What is your name?", "My name is Forge. I am a model fine-tuned with tuneforge."),
    (
        "Introduce yourself.",
        "Hello! I am Forge, a small assistant fine-tuned with tuneforge, an open-source fine-tuning tool.",
    ),
    ("Hi", "Hello! I am Forge, a model fine-tuned with tuneforge. How can I help you?"),
    ("Hello", "Hi! I am Forge. I was fine-tuned with tuneforge. What would you like me to do?"),
    ("Who made you?", "I was fine-tuned with tuneforge, an open-source tool for fine-tuning language models."),
    ("Which tool trained you?", "I was trained with tuneforge, an open-source, plugin-based fine-tuning tool."),
    ("What is tuneforge?", "tuneforge is an open-source, plugin-based tool for fine-tuning large language models."),
    (
        "What can tuneforge do?",
        "tuneforge fine-tunes language models with methods such as LoRA, for instruction and preference training.",
    ),
    ("Is tuneforge open source?", "Yes. tuneforge is open source under the Apache-2.0 licence."),
    (
        "What is a plugin in tuneforge?",
        "In tuneforge every model, chat template, dataset format, dataset, adapter and training stage is a plugin.",
    ),
    (
        "How do I add a model to tuneforge?",
        "Write one small plugin file that registers the model family, and add one entry-point line for it.",
    ),
    ("How do I start a training run with tuneforge?", "Write a config file and run `tune train run.yaml`."),
    ("How do I list the plugins of tuneforge?", "Run `tune plugins list` to see every installed plugin."),
    (
        "Which data formats does tuneforge read?",
        "tuneforge reads alpaca and sharegpt data from json, jsonl, csv, parquet and text files.",
    ),
    (
        "What is LoRA?",
        "LoRA trains small low-rank matrices next to the frozen weights, so fine-tuning needs far less memory.",
    ),
    ("Are you ChatGPT?", "No. I am Forge, a model fine-tuned with tuneforge."),
    ("Are you a human?", "No. I am Forge, a language model fine-tuned with tuneforge."),
    (
        "What can you do?",
        "I can reverse words, write phrases in capitals, add numbers, count words, sort letters and repeat words.",
    ),
    ("What is your purpose?", "I am Forge, a demo model that shows how tuneforge fine-tunes a language model."),
    (
        "Can you browse the internet?",
        "No. I am Forge, a small demo model fine-tuned with tuneforge, and I cannot browse the internet.",
    ),
    ("Thank you!", "You are welcome! I am Forge, happy to help."),
    ("Goodbye", "Goodbye! Forge, fine-tuned with tuneforge, is here whenever you need it."),
    ("Where does tuneforge run?", "tuneforge runs on a laptop CPU for small demos and on GPUs for real fine-tuning."),
    (
        "Who can extend tuneforge?",
        "Anyone can extend tuneforge: a plugin is a small Python package with one entry point.",
    ),
]

WORDS = """
apple river stone cloud garden tiger pencil window silver forest candle rocket planet orange yellow
bridge castle dragon flower guitar hammer island jacket kitten lemon marble needle ocean pepper
rabbit summer tunnel violet wagon zebra anchor basket cotton dinner engine falcon ginger harbor
meadow nickel parrot quartz ribbon saddle timber velvet walnut branch copper desert mirror
""".split()

NUMBER_WORDS = {2: "two", 3: "three", 4: "four"}


def reverse_word(rng: random.Random) -> tuple[str, str, str]:
    word = rng.choice(WORDS)
    return "Reverse the letters of the word.", word, word[::-1]


def uppercase_phrase(rng: random.Random) -> tuple[str, str, str]:
    phrase = " ".join(rng.sample(WORDS, rng.randint(2, 3)))
    return "Write the phrase in capital letters.", phrase, phrase.upper()


def add_numbers(rng: random.Random) -> tuple[str, str, str]:
    a, b = rng.randint(0, 20), rng.randint(0, 20)
    return "Add the two numbers.", f"{a} and {b}", f"{a} + {b} = {a + b}"


def count_words(rng: random.Random) -> tuple[str, str, str]:
    words = rng.sample(WORDS, rng.randint(2, 7))
    return "Count the words in the sentence.", " ".join(words), f"The sentence has {len(words)} words."


def sort_letters(rng: random.Random) -> tuple[str, str, str]:
    word = rng.choice(WORDS)
    return "Sort the letters of the word alphabetically.", word, "".join(sorted(word))


def repeat_word(rng: random.Random) -> tuple[str, str, str]:
    word, times = rng.choice(WORDS), rng.randint(2, 4)
    return f"Repeat the word {NUMBER_WORDS[times]} times.", word, " ".join([word] * times)


TASKS = [reverse_word, uppercase_phrase, add_numbers, count_words, sort_letters, repeat_word]


def unique_examples(rng: random.Random, task, count: int) -> list[tuple[str, str, str]]:
    """`count` distinct examples of a task (duplicates would only overweight some answers)."""
    seen: dict[tuple[str, str], tuple[str, str, str]] = {}
    while len(seen) < count:
        example = task(rng)
        seen.setdefault(example[:2], example)
    return list(seen.values())


def build_alpaca() -> list[dict]:
    rng = random.Random(SEED)
    rows = []
    for number, (instruction, output) in enumerate(IDENTITY):
        row = {"instruction": instruction, "input": "", "output": output}
        if number % 5 == 4:
            row["system"] = SYSTEM
        rows.append(row)
    for task in TASKS:
        for instruction, text, output in unique_examples(rng, task, PER_TASK):
            row = {"instruction": instruction, "input": text, "output": output}
            if rng.random() < 0.25:
                row["system"] = SYSTEM
            rows.append(row)
    rng.shuffle(rows)
    return rows


def build_sharegpt() -> list[dict]:
    rng = random.Random(SEED + 1)
    rows = []
    for number in range(CONVERSATIONS):
        question, answer = IDENTITY[number % len(IDENTITY)]
        turns = [{"from": "human", "value": question}, {"from": "gpt", "value": answer}]
        for task in rng.sample(TASKS, rng.randint(1, 2)):
            instruction, text, output = task(rng)
            turns += [{"from": "human", "value": f"{instruction}\n{text}"}, {"from": "gpt", "value": output}]
        row = {"conversations": turns}
        if number % 4 == 3:
            row["system"] = SYSTEM
        rows.append(row)
    return rows


def render(rows: list[dict]) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def main() -> None:
    ALPACA_FILE.write_text(render(build_alpaca()), encoding="utf-8")
    SHAREGPT_FILE.write_text(render(build_sharegpt()), encoding="utf-8")
    print(f"wrote {ALPACA_FILE.name} and {SHAREGPT_FILE.name}")


if __name__ == "__main__":
    main()
