"""A large, deterministic microservice monorepo for the scan-speed benchmark.

``generate(root, lines)`` writes Python and Go services (at least ``lines``
lines of code between them) with what a real repository around them has:
``pyproject.toml``/``requirements.txt``/``go.mod`` manifests and lockfiles,
GitHub Actions workflows, Dockerfiles, Kubernetes manifests (Deployment,
Service, HPA, PDB), alert rules, READMEs, runbooks and tests. The same
arguments always give byte-identical trees, so cold and warm runs, and runs
on different days, measure the same work.

Every module differs (names, constants and branch shapes vary with its
number): identical files would let a content-hash cache cheat.
"""

from __future__ import annotations

from pathlib import Path

PY_SERVICES = ("orders", "payments", "inventory", "notifier")
GO_SERVICES = ("gateway", "catalog", "shipping", "ledger")

_PY_MODULE = '''\
"""{svc} module {i}: {topic} handling."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field

import httpx
import requests
from fastapi import APIRouter, HTTPException
from prometheus_client import Counter, Histogram
from tenacity import retry, stop_after_attempt, wait_exponential

log = logging.getLogger(__name__)
router = APIRouter(prefix="/{svc}/{topic}{i}")
CALLS_{i} = Counter("{svc}_{topic}{i}_calls_total", "Calls to {topic} {i}")
LATENCY_{i} = Histogram("{svc}_{topic}{i}_seconds", "Latency of {topic} {i}")
UPSTREAM = os.environ.get("UPSTREAM_URL_{i}", "http://upstream-{i}:8080")
LIMIT_{i} = {limit}


@dataclass
class {cls}Record:
    """One {topic} record as the upstream returns it."""

    ident: str
    amount: int = 0
    tags: list[str] = field(default_factory=list)
    status: str = "new"

    def weight(self) -> int:
        score = self.amount
        if self.status == "new":
            score += {a}
        elif self.status == "held":
            score -= {b}
        else:
            score *= 2
        for tag in self.tags:
            if tag.startswith("vip"):
                score += 10
        return score


class {cls}Client:
    """Talks to the upstream {topic} service."""

    def __init__(self, base_url: str = UPSTREAM) -> None:
        self.base_url = base_url
        self.session = requests.Session()
        self.http = httpx.Client(timeout={timeout})

    def fetch(self, ident: str) -> {cls}Record:
        response = self.session.get(f"{{self.base_url}}/{topic}/{{ident}}", timeout={timeout})
        response.raise_for_status()
        data = response.json()
        return {cls}Record(data["id"], int(data.get("amount", 0)), list(data.get("tags", [])))

    def push(self, record: {cls}Record) -> bool:
        body = {{"id": record.ident, "amount": record.amount, "status": record.status}}
        response = self.http.post(f"{{self.base_url}}/{topic}", json=body)
        return response.status_code in (200, 201, 202)

    def legacy(self, ident: str) -> dict[str, object]:
        return requests.get(f"{{self.base_url}}/legacy/{{ident}}").json()


@retry(stop=stop_after_attempt({attempts}), wait=wait_exponential(multiplier=0.1))
def notify_{i}(ident: str) -> None:
    requests.post("http://notifier/notify", json={{"id": ident, "n": {i}}}, timeout=2)


def classify_{i}(records: list[{cls}Record]) -> dict[str, list[str]]:
    buckets: dict[str, list[str]] = {{}}
    for record in records:
        if record.amount > LIMIT_{i}:
            key = "large"
        elif record.amount > LIMIT_{i} // 2:
            key = "medium"
        elif record.amount > {b}:
            key = "small"
        else:
            key = "tiny"
        if record.status == "held" and key != "tiny":
            key = key + "-held"
        buckets.setdefault(key, []).append(record.ident)
    return buckets


def summarise_{i}(items: list[dict[str, int]]) -> dict[str, int]:
    totals: dict[str, int] = {{}}
    for item in items:
        for key, value in item.items():
            if value < 0:
                log.warning("negative %s in {topic} {i}", key)
                continue
            totals[key] = totals.get(key, 0) + value
    return totals


def _encode_{i}(record: {cls}Record) -> str:
    return json.dumps({{"id": record.ident, "tags": sorted(record.tags), "v": {i}}})


@router.get("/{{ident}}")
def read_{topic}_{i}(ident: str) -> dict[str, object]:
    CALLS_{i}.inc()
    with LATENCY_{i}.time():
        try:
            record = {cls}Client().fetch(ident)
        except requests.RequestException as exc:
            log.error("upstream failed for %s: %s", ident, exc)
            raise HTTPException(status_code=502, detail="upstream unavailable") from exc
    return {{"id": record.ident, "weight": record.weight(), "encoded": _encode_{i}(record)}}


@router.post("/")
def write_{topic}_{i}(payload: dict[str, int]) -> dict[str, int]:
    client = {cls}Client()
    record = {cls}Record(str(payload.get("id", {i})), payload.get("amount", 0))
    if not client.push(record):
        log.warning("push failed for %s", record.ident)
    notify_{i}(record.ident)
    return summarise_{i}([payload])
'''

_PY_TEST = '''\
"""Tests of {svc} module {i}."""

from {pkg}.{topic}_{i} import {cls}Record, classify_{i}, summarise_{i}


def test_weight_new_{i}() -> None:
    assert {cls}Record("a", 5).weight() == 5 + {a}


def test_classify_{i}() -> None:
    records = [{cls}Record("a", {limit} + 1), {cls}Record("b", 0)]
    assert classify_{i}(records) == {{"large": ["a"], "tiny": ["b"]}}


def test_summarise_{i}() -> None:
    assert summarise_{i}([{{"x": 1}}, {{"x": 2, "y": -1}}]) == {{"x": 3}}
'''

_PY_APP = '''\
"""The {svc} service's entry point."""

import signal

import uvicorn
from fastapi import FastAPI

from {pkg} import {imports}

app = FastAPI(title="{svc}")
{routers}


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {{"status": "ok"}}


@app.get("/readyz")
def readyz() -> dict[str, str]:
    return {{"status": "ready"}}


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: None)
    uvicorn.run(app, host="0.0.0.0", port=8080, timeout_graceful_shutdown=20)
'''

_GO_FILE = """\
package {pkg}

import (
\t"context"
\t"encoding/json"
\t"errors"
\t"fmt"
\t"net/http"
\t"strings"
\t"time"

\t"github.com/sony/gobreaker"
\t"go.uber.org/zap"
)

// {cls}{i} is one {topic} record.
type {cls}{i} struct {{
\tID     string   `json:"id"`
\tAmount int      `json:"amount"`
\tTags   []string `json:"tags"`
\tStatus string   `json:"status"`
}}

// Client{i} calls the upstream {topic} service.
type Client{i} struct {{
\thttp    *http.Client
\tbreaker *gobreaker.CircuitBreaker
\tlog     *zap.Logger
\tbase    string
}}

// NewClient{i} builds a client with timeouts and a breaker.
func NewClient{i}(log *zap.Logger, base string) *Client{i} {{
\treturn &Client{i}{{
\t\thttp:    &http.Client{{Timeout: {timeout} * time.Second}},
\t\tbreaker: gobreaker.NewCircuitBreaker(gobreaker.Settings{{Name: "{topic}{i}"}}),
\t\tlog:     log,
\t\tbase:    base,
\t}}
}}

// Fetch reads one record.
func (c *Client{i}) Fetch(ctx context.Context, id string) (*{cls}{i}, error) {{
\tctx, cancel := context.WithTimeout(ctx, {timeout}*time.Second)
\tdefer cancel()
\treq, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/{topic}/"+id, nil)
\tif err != nil {{
\t\treturn nil, err
\t}}
\tresp, err := c.http.Do(req)
\tif err != nil {{
\t\treturn nil, fmt.Errorf("fetch %s: %w", id, err)
\t}}
\tdefer resp.Body.Close()
\tif resp.StatusCode != http.StatusOK {{
\t\treturn nil, errors.New("unexpected status " + resp.Status)
\t}}
\tvar record {cls}{i}
\tif err := json.NewDecoder(resp.Body).Decode(&record); err != nil {{
\t\treturn nil, err
\t}}
\treturn &record, nil
}}

// Weight scores a record.
func Weight{i}(r *{cls}{i}) int {{
\tscore := r.Amount
\tswitch r.Status {{
\tcase "new":
\t\tscore += {a}
\tcase "held":
\t\tscore -= {b}
\tdefault:
\t\tscore *= 2
\t}}
\tfor _, tag := range r.Tags {{
\t\tif strings.HasPrefix(tag, "vip") {{
\t\t\tscore += 10
\t\t}} else if tag == "blocked" {{
\t\t\treturn 0
\t\t}}
\t}}
\treturn score
}}

// Classify{i} buckets records by size.
func Classify{i}(records []*{cls}{i}) map[string][]string {{
\tbuckets := map[string][]string{{}}
\tfor _, r := range records {{
\t\tkey := "tiny"
\t\tif r.Amount > {limit} {{
\t\t\tkey = "large"
\t\t}} else if r.Amount > {limit}/2 {{
\t\t\tkey = "medium"
\t\t}} else if r.Amount > {b} {{
\t\t\tkey = "small"
\t\t}}
\t\tif r.Status == "held" && key != "tiny" {{
\t\t\tkey += "-held"
\t\t}}
\t\tbuckets[key] = append(buckets[key], r.ID)
\t}}
\treturn buckets
}}

func legacy{i}(url string) (*http.Response, error) {{
\treturn http.Get(url)
}}

// Handle{i} serves GET /{topic}{i}/{{id}}.
func Handle{i}(c *Client{i}) http.HandlerFunc {{
\treturn func(w http.ResponseWriter, r *http.Request) {{
\t\tid := strings.TrimPrefix(r.URL.Path, "/{topic}{i}/")
\t\trecord, err := c.Fetch(r.Context(), id)
\t\tif err != nil {{
\t\t\tc.log.Error("fetch failed", zap.String("id", id), zap.Error(err))
\t\t\thttp.Error(w, "upstream unavailable", http.StatusBadGateway)
\t\t\treturn
\t\t}}
\t\tw.Header().Set("Content-Type", "application/json")
\t\t_ = json.NewEncoder(w).Encode(map[string]int{{"weight": Weight{i}(record)}})
\t}}
}}

// Register{i} mounts the handlers.
func Register{i}(mux *http.ServeMux, c *Client{i}) {{
\tmux.HandleFunc("/{topic}{i}/", Handle{i}(c))
}}
"""

_GO_TEST = """\
package {pkg}

import "testing"

func TestWeight{i}(t *testing.T) {{
\tif got := Weight{i}(&{cls}{i}{{Amount: 5, Status: "new"}}); got != 5+{a} {{
\t\tt.Fatalf("weight = %d", got)
\t}}
}}

func TestClassify{i}(t *testing.T) {{
\tgot := Classify{i}([]*{cls}{i}{{{{ID: "a", Amount: {limit} + 1}}}})
\tif len(got["large"]) != 1 {{
\t\tt.Fatalf("classify = %v", got)
\t}}
}}
"""

_GO_MAIN = """\
package main

import (
\t"context"
\t"net/http"
\t"os"
\t"os/signal"
\t"syscall"
\t"time"

\t"go.uber.org/zap"
)

func main() {{
\tlog, _ := zap.NewProduction()
\tmux := http.NewServeMux()
\tmux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {{
\t\tw.WriteHeader(http.StatusOK)
\t}})
\tsrv := &http.Server{{Addr: ":8080", Handler: mux, ReadHeaderTimeout: 5 * time.Second}}
\tgo func() {{
\t\tif err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {{
\t\t\tlog.Fatal("serve", zap.Error(err))
\t\t}}
\t}}()
\tstop := make(chan os.Signal, 1)
\tsignal.Notify(stop, syscall.SIGTERM, os.Interrupt)
\t<-stop
\tctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
\tdefer cancel()
\t_ = srv.Shutdown(ctx)
\tlog.Info("{svc} stopped")
}}
"""

_DOCKERFILE_PY = """\
FROM python:3.12-slim@sha256:{digest}
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY src/ ./src/
USER 10001
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz')"
CMD ["python", "-m", "{pkg}.app"]
"""

_DOCKERFILE_GO = """\
FROM golang:1.22@sha256:{digest} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -o /out/{svc} ./cmd/{svc}

FROM gcr.io/distroless/static:nonroot@sha256:{digest}
COPY --from=build /out/{svc} /{svc}
USER nonroot
ENTRYPOINT ["/{svc}"]
"""

_K8S = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {svc}
  labels:
    app: {svc}
spec:
  replicas: 3
  selector:
    matchLabels:
      app: {svc}
  strategy:
    type: RollingUpdate
  template:
    metadata:
      labels:
        app: {svc}
    spec:
      containers:
        - name: {svc}
          image: registry.example.com/{svc}:1.0.0
          ports:
            - containerPort: 8080
          readinessProbe:
            httpGet:
              path: /healthz
              port: 8080
          livenessProbe:
            httpGet:
              path: /healthz
              port: 8080
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
            limits:
              memory: 256Mi
          securityContext:
            runAsNonRoot: true
            readOnlyRootFilesystem: true
---
apiVersion: v1
kind: Service
metadata:
  name: {svc}
spec:
  selector:
    app: {svc}
  ports:
    - port: 80
      targetPort: 8080
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {svc}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {svc}
  minReplicas: 3
  maxReplicas: 10
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: 70
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {svc}
spec:
  minAvailable: 2
  selector:
    matchLabels:
      app: {svc}
"""

_ALERTS = """\
groups:
  - name: {svc}
    rules:
      - alert: {cls}HighErrorRate
        expr: sum(rate(http_requests_total{{job="{svc}",code=~"5.."}}[5m])) > 1
        for: 10m
        labels:
          severity: page
        annotations:
          runbook_url: https://example.com/runbooks/{svc}
"""

_WORKFLOW = """\
name: {svc}
on:
  push:
    branches: [main]
  pull_request:
jobs:
  test:
    runs-on: ubuntu-latest
    defaults:
      run:
        working-directory: services/{svc}
    steps:
      - uses: actions/checkout@b4ffde65f46336ab88eb53be808477a3936bae11
{steps}
"""

_PY_STEPS = """\
      - uses: actions/setup-python@0a5c61591373683505ea898e09a3ea4f39ef2b9c
        with:
          python-version: "3.12"
      - run: pip install -r requirements.txt pytest ruff mypy
      - run: ruff check .
      - run: mypy src
      - run: pytest --cov=src --cov-fail-under=80"""

_GO_STEPS = """\
      - uses: actions/setup-go@0c52d547c9bc32b1aa3301fd7a9cb496313a4491
        with:
          go-version: "1.22"
      - run: go vet ./...
      - run: go test -race ./..."""

_TOPICS = ("orders", "refunds", "quotes", "audits", "batches", "events", "ledgers", "routes")


def _fill(template: str, svc: str, i: int, **extra: object) -> str:
    topic = _TOPICS[i % len(_TOPICS)]
    values: dict[str, object] = {
        "svc": svc,
        "i": i,
        "topic": topic,
        "cls": topic.capitalize().rstrip("s") + f"{svc.capitalize()}",
        "limit": 100 + (i * 37) % 900,
        "a": 1 + i % 17,
        "b": 2 + i % 11,
        "timeout": 2 + i % 5,
        "attempts": 2 + i % 4,
        "digest": f"{(i * 2654435761) % (1 << 64):016x}" * 4,
    }
    values.update(extra)
    return template.format(**values)


def _write(root: Path, rel: str, text: str) -> int:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return text.count("\n")


def generate(root: Path, lines: int = 82_000) -> dict[str, int]:
    """Write the repository under ``root``; return counts (files, code lines)."""
    root.mkdir(parents=True, exist_ok=True)
    py_module_lines = _fill(_PY_MODULE, "x", 0).count("\n")
    go_file_lines = _fill(_GO_FILE, "x", 0, pkg="x").count("\n")
    per_service = lines / (len(PY_SERVICES) + len(GO_SERVICES))
    py_modules = int(per_service // py_module_lines) + 1
    go_files = int(per_service // go_file_lines) + 1
    files = code = 0

    def put(rel: str, text: str, counts_as_code: bool = False) -> None:
        nonlocal files, code
        written = _write(root, rel, text)
        files += 1
        if counts_as_code:
            code += written

    put("README.md", "# Shop platform\n\nEight services: " + ", ".join(PY_SERVICES + GO_SERVICES))
    put(".gitignore", "__pycache__/\n*.pyc\n/bin/\n")
    put("CODEOWNERS", "* @shop/platform\n")
    put(".github/dependabot.yml", "version: 2\nupdates:\n  - package-ecosystem: pip\n")
    for number, svc in enumerate(PY_SERVICES):
        base = f"services/{svc}"
        pkg = svc
        names = [f"{_TOPICS[i % len(_TOPICS)]}_{i}" for i in range(py_modules)]
        for i, name in enumerate(names):
            put(f"{base}/src/{pkg}/{name}.py", _fill(_PY_MODULE, svc, i), True)
            if i % 3 == 0:
                put(f"{base}/tests/test_{name}.py", _fill(_PY_TEST, svc, i, pkg=pkg), True)
        put(f"{base}/src/{pkg}/__init__.py", f'"""The {svc} service."""\n', True)
        shown = names[:20]
        routers = "\n".join(f"app.include_router({n}.router)" for n in shown)
        app = _PY_APP.format(svc=svc, pkg=pkg, imports=", ".join(shown), routers=routers)
        put(f"{base}/src/{pkg}/app.py", app, True)
        put(
            f"{base}/pyproject.toml",
            f'[project]\nname = "{svc}"\nversion = "1.{number}.0"\nrequires-python = ">=3.11"\n'
            'dependencies = ["fastapi==0.115.0", "httpx==0.27.2", "requests==2.32.3",\n'
            '  "prometheus-client==0.21.0", "tenacity==9.0.0", "uvicorn==0.30.6"]\n\n'
            "[tool.ruff]\nline-length = 100\n\n[tool.coverage.report]\nfail_under = 80\n",
        )
        put(
            f"{base}/requirements.txt",
            "fastapi==0.115.0\nhttpx==0.27.2\nrequests==2.32.3\nprometheus-client==0.21.0\n"
            "tenacity==9.0.0\nuvicorn==0.30.6\n",
        )
        put(f"{base}/Dockerfile", _fill(_DOCKERFILE_PY, svc, number, pkg=pkg))
        put(f"{base}/README.md", f"# {svc}\n\nRun `python -m {pkg}.app`.\n")
        put(f"{base}/docs/runbook.md", f"# {svc} runbook\n\n## Alerts\n\nRestart the pod.\n")
        put(f"{base}/deploy/k8s.yaml", _fill(_K8S, svc, number))
        put(f"{base}/deploy/alerts.yaml", _fill(_ALERTS, svc, number))
        put(f".github/workflows/{svc}.yml", _fill(_WORKFLOW, svc, number, steps=_PY_STEPS))
    for number, svc in enumerate(GO_SERVICES):
        base = f"services/{svc}"
        for i in range(go_files):
            pkg = f"{_TOPICS[i % len(_TOPICS)]}{i // 10}"
            rel = f"{base}/internal/{pkg}/{_TOPICS[i % len(_TOPICS)]}_{i}.go"
            put(rel, _fill(_GO_FILE, svc, i, pkg=pkg), True)
            if i % 3 == 0:
                test = f"{base}/internal/{pkg}/{_TOPICS[i % len(_TOPICS)]}_{i}_test.go"
                put(test, _fill(_GO_TEST, svc, i, pkg=pkg), True)
        put(f"{base}/cmd/{svc}/main.go", _GO_MAIN.format(svc=svc), True)
        put(
            f"{base}/go.mod",
            f"module example.com/shop/{svc}\n\ngo 1.22\n\nrequire (\n"
            "\tgithub.com/sony/gobreaker v1.0.0\n\tgo.uber.org/zap v1.27.0\n)\n",
        )
        put(
            f"{base}/go.sum",
            "github.com/sony/gobreaker v1.0.0 h1:feX5fGGXSl3dYd4aHZaMEUvWXdXNqtP5hoX6kmfDKvE=\n"
            "go.uber.org/zap v1.27.0 h1:aJMhYGrd5QSmlpLMr2MftRKl7t8EbZfDw3BVXdrkrk8=\n",
        )
        put(f"{base}/Dockerfile", _fill(_DOCKERFILE_GO, svc, number))
        put(f"{base}/README.md", f"# {svc}\n\nRun `go run ./cmd/{svc}`.\n")
        put(f"{base}/deploy/k8s.yaml", _fill(_K8S, svc, number))
        put(f"{base}/deploy/alerts.yaml", _fill(_ALERTS, svc, number))
        put(f".github/workflows/{svc}.yml", _fill(_WORKFLOW, svc, number, steps=_GO_STEPS))
    return {"files": files, "code_lines": code}
