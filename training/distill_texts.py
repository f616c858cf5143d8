"""Unlabelled tweets in the languages the labelled rows barely cover, for a student to learn from its teacher
alone (``training.train --distill_texts FILE --teacher DIR``): the wide dataset is 93% English, and smaller
students lost a sixth to a third of the default's sentiment gap in French, German, Italian, Portuguese and
Arabic (``benchmarks.multilingual``).

    python -m training.distill_texts --out .gpupack/distill_texts.txt

xlm-t's train tweets of the seven languages other than English, after the first ``XLMT_CHECK_ROWS`` of each
(those are the multilingual check's), each written ``--repeat`` times: one text a line.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from training.data import DEFAULT_DATA_DIR, XLMT_CHECK_ROWS, read_lines

LANGUAGES = ("french", "german", "italian", "portuguese", "spanish", "arabic", "hindi")


def distill_texts(data_dir: Path, repeat: int = 1) -> list[str]:
    texts = []
    for lang in LANGUAGES:
        rows = read_lines(data_dir / "xlm-t" / lang / "train_text.txt")[XLMT_CHECK_ROWS:]
        texts += [" ".join(t.split()) for t in rows if t.strip()]  # one line each, whatever separators it held
    return texts * repeat


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data_dir", default=str(DEFAULT_DATA_DIR))
    p.add_argument("--repeat", type=int, default=2)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    texts = distill_texts(Path(a.data_dir), a.repeat)
    Path(a.out).write_text("\n".join(texts) + "\n", encoding="utf-8")
    print(f"{a.out}: {len(texts)} texts")


if __name__ == "__main__":
    main()
