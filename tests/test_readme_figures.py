"""The README quotes figures that live elsewhere: the default's scores in its ``metrics.json`` (written by
``make evaluate``) and the speed in ``benchmarks/results.json`` (written by ``make bench``). These tests fail when
one of them is rewritten and the README still shows the old figure."""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
METRICS = json.loads((ROOT / "backend" / "models" / "default" / "metrics.json").read_text(encoding="utf-8"))
BENCH = json.loads((ROOT / "benchmarks" / "results.json").read_text(encoding="utf-8"))


def section(title: str) -> str:
    """The README's text from the heading ``title`` to the next heading of any level."""
    start = README.index(title)
    return re.split(r"\n#{2,3} ", README[start + len(title):])[0]


def row(text: str, starts: str) -> list[str]:
    """The cells of the one table row of ``text`` whose first cell starts with ``starts``."""
    rows = [line for line in text.splitlines() if line.startswith(f"| {starts}")]
    assert len(rows) == 1, (starts, rows)
    return [cell.strip().strip("*") for cell in rows[0].strip("|").split("|")]


def shown(value: float, places: int) -> str:
    return f"{value:.{places}f}"


def test_the_results_table_shows_the_defaults_tweeteval_scores():
    cells = row(section("## Results"), "**the default**")
    assert cells[1:4] == [shown(METRICS[key], 2) for key in ("macro_f1", "accuracy", "top5_accuracy")]


def test_the_feelings_table_shows_the_defaults_brighter_scores():
    brighter = METRICS["feelings"]["brighter"]
    cells = row(section("### Every feeling, in every language"), "**new default")
    emotions = ["anger", "disgust", "fear", "joy", "sadness", "surprise"]
    assert cells[1:] == [shown(brighter["mean_over_languages"], 1)] + [
        shown(brighter["per_emotion"][e], 1) for e in emotions]


def test_the_language_table_shows_the_defaults_scores():
    per_language = METRICS["feelings"]["brighter"]["per_language"]
    text = section("### Every feeling, in every language")
    found = re.findall(r"\| ([a-z]{3,4}) \| [\d.]+ \| ([\d.]+) ", text)  # both halves of each row
    assert {code for code, _ in found} == set(per_language)
    for code, new in found:
        assert new == shown(per_language[code]["all"], 1), code


def test_the_feelings_paragraph_quotes_the_metrics():
    feelings = METRICS["feelings"]
    first = feelings["brighter"]["first"]
    text = section("### Every feeling, in every language")
    for figure in (shown(first["mean_over_languages"], 1), shown(first["joy_first_when_not_joy"], 1) + "%",
                   "Spanish 34.3 -> " + shown(feelings["ec"]["es"]["all"], 1),
                   "Arabic 58.0 -> " + shown(feelings["ec"]["ar"]["all"], 1),
                   shown(feelings["sources"]["emojispace"]["top5"], 1) + "%"):
        assert figure in text, figure


@pytest.mark.parametrize(("starts", "expected"), [
    ("model alone, one text", lambda b: [b["model"]["exported_int8"]["single"]["p50_ms"],
                                         b["model"]["exported_int8"]["single"]["p99_ms"],
                                         b["model"]["exported_int8"]["batch64_texts_per_s"]]),
    ("XLM-R-base-sized", lambda b: [b["model"]["xlmr_base_int8"]["single"]["p50_ms"],
                                    b["model"]["xlmr_base_int8"]["single"]["p99_ms"],
                                    b["model"]["xlmr_base_int8"]["batch64_texts_per_s"]]),
    *[(f"HTTP, {n} client", lambda b, i=i: [b["http"]["load"][i]["p50_ms"], b["http"]["load"][i]["p99_ms"],
                                            b["http"]["load"][i]["rps"]])
      for i, n in enumerate((1, 8, 32))],
    ("HTTP batch endpoint", lambda b: [b["http"]["batch_texts_per_s"]]),
])
def test_the_speed_table_shows_the_latest_bench(starts, expected):
    cells = " ".join(row(section("## Speed"), starts)[1:])
    numbers = [float(x) for x in re.findall(r"\d+(?:\.\d+)?(?= ?(?:ms|texts/s|requests/s))", cells)]
    want = expected(BENCH)
    assert len(numbers) == len(want), (cells, want)
    for got, value in zip(numbers, want, strict=True):
        step = 1 if got == int(got) else 0.1  # the README rounds to a whole number or one decimal
        assert abs(got - value) <= step / 2 + 1e-9, (starts, got, value)


def test_the_speed_paragraph_quotes_cold_start_and_memory():
    text = section("## Speed")
    http, torch_path = BENCH["http"], BENCH["servers"]["torch_path"]
    rss = http["rss_mb_per_worker"]
    for figure in (f"{http['cold_start_s']:.1f} s", f"{min(rss):.0f}-{max(rss):.0f} MB",
                   f"{torch_path['cold_start_s']:.1f} s and {max(torch_path['rss_mb_per_worker']):.0f} MB"):
        assert figure in text, figure


def test_the_api_section_counts_the_languages_with_names():
    from backend.modeling.labels import translated_names

    count = int(re.search(r"CLDR's names \((\d+) languages", README).group(1))
    assert count == len(translated_names())
