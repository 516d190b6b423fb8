# prodready server image: `prodready serve` on 0.0.0.0:8000.
# Build:  docker build -t prodready:0.1.0 .
# Run:    docker run -p 8000:8000 -e PRODREADY_DATABASE_URL=postgresql+psycopg://... prodready:0.1.0
# The scanner and load generator are in the image too (`docker run prodready:0.1.0 scan /src`).

FROM python:3.11.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
RUN python -m venv /opt/prodready \
    && /opt/prodready/bin/pip install --no-compile .

FROM python:3.11.11-slim-bookworm
ENV PATH=/opt/prodready/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    XDG_DATA_HOME=/var/lib/prodready/data
COPY --from=build /opt/prodready /opt/prodready
RUN groupadd --system --gid 10001 prodready \
    && useradd --system --uid 10001 --gid prodready --home-dir /var/lib/prodready --create-home prodready
USER 10001:10001
WORKDIR /var/lib/prodready
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status == 200 else 1)"]
ENTRYPOINT ["prodready"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000", "--migrate"]
