"""Do pretrained word vectors help? The same pipeline with and without dense features
(SpacyFeaturizer over spaCy's en_core_web_md vectors), scored end to end.

    make vectors && .venv/bin/python bench/bench_vectors.py [--items FILE_OR_DIR]

Builds build/spacy/vawg-vectors (our gazetteer pipeline plus the vectors), trains
build/vectors-model/vawg.tar.gz from config.yml with SpacyFeaturizer added before the count
featurizers, prints the training time, then runs bench_end_to_end.py for models/vawg.tar.gz
and for the variant. Decide on a tuning set; the held-out set (the default) only reports.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VECTORS = PROJECT_ROOT / "build" / "vectors"
PIPELINE = PROJECT_ROOT / "build" / "spacy" / "vawg-vectors"
OUT = PROJECT_ROOT / "build" / "vectors-model"


def variant_config() -> Path:
    config = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text())
    pipeline = config["pipeline"]
    pipeline[0]["model"] = str(PIPELINE.relative_to(PROJECT_ROOT))
    first_counts = next(i for i, c in enumerate(pipeline) if c["name"] == "CountVectorsFeaturizer")
    pipeline.insert(first_counts, {"name": "SpacyFeaturizer", "pooling": "mean"})
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "config.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def run(*command: str) -> None:
    subprocess.run([sys.executable, *command], cwd=PROJECT_ROOT, check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=Path)
    args = parser.parse_args()
    if not (VECTORS / "vectors").exists():
        sys.exit("No vectors in build/vectors: run `make vectors` first.")
    run("-m", "bot.nlp.build", str(PIPELINE), str(VECTORS))
    started = time.monotonic()
    run(
        "-m", "rasa", "train", "--config", str(variant_config()), "--domain", "domain",
        "--data", "data", "--out", str(OUT), "--fixed-model-name", "vawg", "--quiet",
    )  # fmt: skip
    print(f"training with vectors: {time.monotonic() - started:.0f} s")
    items = ["--items", str(args.items)] if args.items else []
    for label, model in (
        ("without vectors", PROJECT_ROOT / "models" / "vawg.tar.gz"),
        ("with vectors", OUT / "vawg.tar.gz"),
    ):
        print(f"--- {label}: {model.relative_to(PROJECT_ROOT)}", flush=True)
        run("bench/bench_end_to_end.py", "--model", str(model), *items)
    return 0


if __name__ == "__main__":
    sys.exit(main())
