"""A tiny data folder in the layouts of ../shared/data (TweetEval and every multilingual source), for build and
push tests."""

from __future__ import annotations

from pathlib import Path

from backend.modeling.labels import TWEETEVAL_EMOJIS
from training.sources import AFFECT_EMOTIONS, XLMT_LANGUAGES

GOEMOTIONS = ("admiration amusement anger annoyance approval caring confusion curiosity desire disappointment "
              "disapproval disgust embarrassment excitement fear gratitude grief joy love nervousness optimism pride "
              "realization relief remorse sadness surprise").split()


MAPPING = "".join(f"{i}\t{e}\t_x_\n" for i, e in enumerate(TWEETEVAL_EMOJIS))


def _split(folder: Path, prefix: str, rows: list[tuple[str, int]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{prefix}_text.txt").write_text("".join(t + "\n" for t, _ in rows), encoding="utf-8")
    (folder / f"{prefix}_labels.txt").write_text("".join(f"{i}\n" for _, i in rows), encoding="utf-8")


def make_fake_data(root: Path) -> Path:
    emoji = root / "tweeteval" / "emoji"
    _split(emoji, "train", [("Merry Christmas everyone", 17), ("love you mom", 0), ("so funny lol", 2),
                            ("@ Disneyland", 10), ("Best. Day. Ever &amp; more", 0), ("shared text", 2)])
    _split(emoji, "val", [("Christmas tree up", 17), ("love u", 0), ("SHARED text!!", 4)])
    _split(emoji, "test", [("NEVER READ THIS test tweet", 0)])
    (emoji / "mapping.txt").write_text(MAPPING, encoding="utf-8")
    es_mapping = "".join(f"{i}\t{e}\n" for i, e in enumerate(["❤", "😂", "💪"]))
    _split(root / "semeval2018", "us_extra", [("love you mom!", 0), ("lit party tonight", 4)])
    _split(root / "semeval2018", "es_trial", [("vamos al gimnasio", 2), ("te quiero mucho", 0)])
    (root / "semeval2018" / "us_mapping.txt").write_text(MAPPING, encoding="utf-8")
    (root / "semeval2018" / "es_mapping.txt").write_text(es_mapping, encoding="utf-8")
    emotion = root / "tweeteval" / "emotion"
    _split(emotion, "train", [("I am so angry right now", 0), ("feeling blue today 😭", 3)])
    _split(emotion, "val", [("today will be great", 2)])
    (emotion / "mapping.txt").write_text("0\tanger\n1\tjoy\n2\toptimism\n3\tsadness\n", encoding="utf-8")
    affect = root / "semeval2018-affect"
    affect.mkdir()
    header = "ID\tTweet\t" + "\t".join(AFFECT_EMOTIONS) + "\n"
    for split, rows in {"train": [("2017-En-1", "this is disgusting and infuriating 😡", "10100000000"),
                                  ("2017-En-2", "boo! that scared me", "00010000001")],
                        "dev": [("2017-En-3", "what a lovely surprise 😍", "00001100010")]}.items():
        lines = "".join(f"{i}\t{t}\t" + "\t".join(flags) + "\n" for i, t, flags in rows)
        (affect / f"en_ec_{split}.tsv").write_text(header + lines, encoding="utf-8")
    for task in ("hate", "offensive", "irony"):
        folder = root / "tweeteval" / task
        _split(folder, "train", [(f"{task} tweet with an eye roll 🙄", 1), ("plain tweet", 0)])
        _split(folder, "val", [(f"{task} val 🙄🙄 again", 0)])
    for language in XLMT_LANGUAGES:
        _split(root / "xlm-t" / language, "train", [(f"{language} tweet 🎉 yay", 2), (f"{language} sin emoji", 1)])
    make_fake_multilingual_data(root)
    return root


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def make_fake_multilingual_data(root: Path) -> None:
    """One tiny file per multilingual source, in the layouts ../shared/data/README.md describes."""
    _write(root / "emojispace" / "es_train.jsonl",
           '{"text": "_usr que rabia me da _url _emo", "emoji": "😠"}\n'
           '{"text": "te quiero _nums veces _emo", "emoji": "\u2665"}\n')
    for split, rows in {"train": ["deu_train_1,Ich bin so wütend auf dich,1,0,0,0,0,0",
                                  "deu_train_2,Was für eine Überraschung,0,0,0,1,0,1",
                                  "deu_train_3,Nichts Besonderes heute,0,0,0,0,0,0"],
                        "dev": ['deu_dev_1,"Ekelhaft, einfach ekelhaft",0,1,0,0,0,0']}.items():
        _write(root / "brighter" / f"deu_{split}.csv",
               "id,text,anger,disgust,fear,joy,sadness,surprise\n" + "\n".join(rows) + "\n")
    _write(root / "goemotions" / "emotions.txt", "\n".join(GOEMOTIONS + ["neutral"]) + "\n")
    _write(root / "goemotions" / "train.tsv", "Thank you so much for this!\t15\teea1\n"
           "I just realised it is Monday\t22,26\teea2\nWe won the final!!!\t13,21\teea3\n")
    _write(root / "goemotions" / "dev.tsv", "I miss her every day\t16\teea4\n")
    _write(root / "xed-projections" / "en-annotated.tsv", "Get out of my house!\t1, 4\n♪ la la la ♪\t5\n")
    _write(root / "xed-projections" / "de-projections.tsv", "Raus aus meinem Haus!\t1\n")
    _write(root / "offenseval2020" / "tr_train.tsv", "id\ttweet\tsubtask_a\n1\t@USER çok güzel 😂\tNOT\n")
    _write(root / "offenseval2020" / "ar_train.tsv", "id\ttweet\tsubtask_a\n2\tصباح الخير 🌹\tNOT\n")
    _write(root / "offenseval2020" / "ar_dev.tsv", "id\ttweet\tsubtask_a\n3\tمساء الخير ❤️\tNOT\n")
    _write(root / "told-br" / "pt_train.csv", 'text,toxic\n"olha quem chegou 😍",0\n')
    _write(root / "told-br" / "pt_validation.csv", 'text,toxic\n"que saudade 😭🇧🇷",0\n')
    _write(root / "germeval2018" / "de_train.tsv", "Schönes Wetter heute 😎\tOTHER\tOTHER\n")
    header = "ID\tTweet\t" + "\t".join(AFFECT_EMOTIONS) + "\n"
    for language in ("es", "ar"):
        for split in ("train", "dev"):
            _write(root / "semeval2018-affect" / f"{language}_ec_{split}.tsv",
                   header + f"2018-{language}-{split}\tqué miedo {split} {language}\t" + "\t".join("00010000000")
                   + "\n")
    _write(root / "parallel" / "xed" / "de.tsv",
           "a\tb\t1\t1\tWhat happened to you?\tWas ist mit dir passiert?\n"
           "a\tb\t2\t2\tBusiness is lousy.\tDas Geschäft läuft sehr schlecht.\n")
    _write(root / "parallel" / "ru-goemotions_validation.csv",
           "ru_text,text,labels,id\nЯ скучаю по ней,I miss her,16,x\n")
    _write(root / "parallel" / "nusax_mt_train.csv", "indonesian,english,javanese\nAku senang sekali,I am so happy,"
           "Aku seneng banget\n")


FAKE_LABELS = ["❤", "😂", "🎄", "🔥", "📷", "💪", "😡", "🤢", "😢", "😭", "🙄", "🙃", "😱", "🤝", "😊", "🥰", "😮",
               "🙏", "😍", "🎉"]
