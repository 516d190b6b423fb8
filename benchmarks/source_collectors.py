"""Speed of the source-code and secrets collectors.

One command: ``.venv/bin/python benchmarks/source_collectors.py [--lines N] [--path DIR]``

Builds a repository of realistic Python, Go and JavaScript service code
(HTTP clients with and without timeouts, sessions on ``self``, routes,
retries, logging, metrics) plus configuration files with a few planted
credentials, writes it to a temporary directory, and times in the same run:

- ``source_facts`` (every file classified, production code analysed with
  ``ast`` / tree-sitter) and ``secret_facts`` (every text file scanned);
- baseline 1, the parse floor: ``ast.parse`` of every Python file plus a
  tree-sitter parse of every Go/JS file, the least any parser-based
  analysis must do. ``source_facts / floor`` is what the analysis costs on
  top of parsing;
- baseline 2, a real tool doing a comparable job: ``bandit -r`` restricted
  to its hard-coded password tests (B105, B106, B107) on the same tree,
  against ``secret_facts``.

``--path DIR`` runs the same measurements on a real directory instead.
Figures are medians of ``--repeats`` cold runs (no cache); peak RSS is the
process maximum after all runs.
"""

from __future__ import annotations

import argparse
import ast
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from prodready.scan.facts.code_facts import source_facts, source_language
from prodready.scan.facts.secrets import secret_facts
from prodready.scan.facts.treesitter import parse as ts_parse

PY_MODULE = '''\
"""Orders service module {i}."""

import logging
import os

import httpx
import requests
import structlog
from fastapi import APIRouter, FastAPI
from prometheus_client import Counter
from tenacity import retry, stop_after_attempt, wait_exponential

log = structlog.get_logger()
ORDERS_{i} = Counter("orders_{i}_total", "Orders handled by module {i}")
router = APIRouter(prefix="/orders{i}")
BASE_URL = os.environ.get("INVENTORY_URL", "http://inventory")


class InventoryClient{i}:
    """Talks to the inventory service."""

    def __init__(self, base_url: str = BASE_URL) -> None:
        self.base_url = base_url
        self.session = requests.Session()
        self.client = httpx.Client(timeout=None)

    def stock(self, sku: str) -> int:
        response = self.session.get(f"{{self.base_url}}/stock/{{sku}}")
        response.raise_for_status()
        return int(response.json()["stock"])

    def reserve(self, sku: str, quantity: int) -> bool:
        response = self.session.post(
            f"{{self.base_url}}/reserve", json={{"sku": sku, "qty": quantity}}, timeout=5
        )
        return response.status_code == 200

    def price(self, sku: str) -> float:
        return float(self.client.get(f"{{self.base_url}}/price/{{sku}}").json()["price"])


@retry(stop=stop_after_attempt(3), wait=wait_exponential(multiplier=0.1))
def notify(order_id: str) -> None:
    requests.post("http://notifier/notify", json={{"order": order_id}}, timeout=2)


def summarise(items: list[dict[str, int]]) -> dict[str, int]:
    totals: dict[str, int] = {{}}
    for item in items:
        for key, value in item.items():
            totals[key] = totals.get(key, 0) + value
    return totals


@router.get("/{{order_id}}")
def get_order(order_id: str) -> dict[str, str]:
    ORDERS_{i}.inc()
    log.info("order.read", order_id=order_id)
    return {{"id": order_id, "status": "open"}}


@router.post("/")
def create_order(payload: dict[str, int]) -> dict[str, int]:
    client = InventoryClient{i}()
    if not all(client.reserve(sku, qty) for sku, qty in payload.items()):
        logging.getLogger(__name__).warning("reservation failed")
    return summarise([payload])
'''

PY_APP = """\
import signal

import uvicorn
from fastapi import FastAPI

app = FastAPI(title="orders")


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: None)
    uvicorn.run(app, host="0.0.0.0", port=8080)
"""

GO_FILE = """\
package orders{i}

import (
\t"context"
\t"encoding/json"
\t"net/http"
\t"time"

\t"github.com/sony/gobreaker"
\t"go.uber.org/zap"
)

type Client struct {{
\thttp    *http.Client
\tbreaker *gobreaker.CircuitBreaker
\tlog     *zap.Logger
}}

func New(log *zap.Logger) *Client {{
\treturn &Client{{
\t\thttp:    &http.Client{{Timeout: 5 * time.Second}},
\t\tbreaker: gobreaker.NewCircuitBreaker(gobreaker.Settings{{Name: "orders{i}"}}),
\t\tlog:     log,
\t}}
}}

func (c *Client) Stock(ctx context.Context, sku string) (int, error) {{
\tctx, cancel := context.WithTimeout(ctx, 2*time.Second)
\tdefer cancel()
\treq, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://inventory/stock/"+sku, nil)
\tif err != nil {{
\t\treturn 0, err
\t}}
\tresp, err := c.http.Do(req)
\tif err != nil {{
\t\treturn 0, err
\t}}
\tdefer resp.Body.Close()
\tvar body struct{{ Stock int }}
\tif err := json.NewDecoder(resp.Body).Decode(&body); err != nil {{
\t\treturn 0, err
\t}}
\treturn body.Stock, nil
}}

func Legacy(url string) (*http.Response, error) {{
\treturn http.Get(url)
}}

func Handler(w http.ResponseWriter, r *http.Request) {{
\tw.Header().Set("Content-Type", "application/json")
\t_ = json.NewEncoder(w).Encode(map[string]string{{"status": "ok"}})
}}

func Register(mux *http.ServeMux) {{
\tmux.HandleFunc("/orders{i}", Handler)
\tmux.HandleFunc("/healthz", Handler)
}}
"""

JS_FILE = """\
import axios from 'axios';
import express from 'express';

const api = axios.create({{ baseURL: 'http://inventory', timeout: 5000 }});
export const router{i} = express.Router();

router{i}.get('/items{i}/:id', async (req, res) => {{
  const item = await api.get(`/items/${{req.params.id}}`);
  const price = await fetch(`http://pricing/${{req.params.id}}`);
  res.json({{ item: item.data, price: await price.json() }});
}});
"""


def _fake(prefix: str, n: int, seed: int) -> str:
    alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    state = seed * 2654435761 % 2**32
    out = []
    for _ in range(n):
        state = (state * 1103515245 + 12345) % 2**31
        out.append(alphabet[state % len(alphabet)])
    return prefix + "".join(out)


def build_repo(target_lines: int) -> dict[str, str]:
    files: dict[str, str] = {"services/orders/app.py": PY_APP}
    lines = 0
    i = 0
    while lines < target_lines:
        py = PY_MODULE.format(i=i)
        go = GO_FILE.format(i=i)
        files[f"services/orders/orders/module_{i}.py"] = py
        files[f"services/inventory/internal/orders{i}/client.go"] = go
        lines += py.count("\n") + go.count("\n")
        if i % 4 == 0:
            js = JS_FILE.format(i=i)
            files[f"web/src/routes/items{i}.js"] = js
            lines += js.count("\n")
        if i % 10 == 0:
            files[f"services/orders/tests/test_module_{i}.py"] = py
            files[f"deploy/k8s/orders-{i}.yaml"] = (
                f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: orders-{i}\n"
                "data:\n  LOG_LEVEL: info\n  DB_PASSWORD: ${DB_PASSWORD}\n"
            )
        i += 1
    # planted credentials: 3 distinct real-looking secrets, one repeated
    token = _fake("gh" + "p_", 36, 1)
    password = _fake("", 14, 2) + "#9"
    files["services/orders/.env"] = f"DB_PASSWORD={password}\nGITHUB_TOKEN={token}\n"
    files["deploy/values.yaml"] = f"db:\n  password: {password}\n"
    files["services/inventory/config.go"] = (
        f'package inventory\n\nconst apiKey = "{_fake("", 32, 3)}"\n'
    )
    files["services/orders/.env.example"] = "DB_PASSWORD=changeme\n"
    return files


class DirFiles:
    """``RepoFiles`` over a directory (what the engine's index provides)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        found = []
        for dirpath, dirs, names in os.walk(root):
            dirs[:] = [d for d in dirs if d not in (".git", "__pycache__")]
            for name in names:
                path = Path(dirpath, name)
                if path.is_file() and path.stat().st_size <= 2_000_000:
                    found.append(path.relative_to(root).as_posix())
        self._paths = sorted(found)
        self._cache: dict[str, str | None] = {}

    def paths(self) -> list[str]:
        return list(self._paths)

    def read_text(self, path: str) -> str | None:
        if path not in self._cache:
            data = (self.root / path).read_bytes()
            try:
                self._cache[path] = None if b"\0" in data[:8192] else data.decode("utf-8")
            except UnicodeDecodeError:
                self._cache[path] = None
        return self._cache[path]


def parse_floor(files: DirFiles) -> int:
    parsed = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for path in files.paths():
            language = source_language(path)
            text = files.read_text(path) if language else None
            if text is None:
                continue
            if language == "python":
                try:
                    ast.parse(text)
                except (SyntaxError, ValueError, RecursionError):
                    continue
            else:
                grammar = {"typescript": "tsx" if path.endswith("x") else "typescript"}.get(
                    str(language), str(language)
                )
                ts_parse(grammar, text.encode())
            parsed += 1
    return parsed


def timed(fn: Callable[[], Any], repeats: int) -> tuple[float, float, Any]:
    """Median wall and CPU seconds of ``repeats`` runs, and the last result.
    CPU time is reported too: on a shared machine wall time also measures
    the neighbours."""
    walls, cpus = [], []
    result: Any = None
    for _ in range(repeats):
        start, cpu = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def bandit_passwords(root: Path) -> tuple[float, float] | None:
    """Wall and CPU seconds (children) of one bandit run."""
    bandit = shutil.which("bandit") or str(Path(sys.executable).with_name("bandit"))
    if not Path(bandit).exists():
        return None
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [bandit, "-q", "-r", str(root), "-t", "B105,B106,B107", "-f", "json", "-o", os.devnull],
        check=False,
        capture_output=True,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--lines", type=int, default=80_000, help="lines of Python + Go to generate"
    )
    parser.add_argument("--path", type=Path, help="measure a real directory instead")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.path
        if root is None:
            root = Path(tmp)
            for rel, text in build_repo(args.lines).items():
                target = root / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text)
        files = DirFiles(root)
        for path in files.paths():  # read once up front: we time analysis, not the disk
            files.read_text(path)
        code_lines = sum(
            (files.read_text(p) or "").count("\n") for p in files.paths() if source_language(p)
        )
        print(f"repository: {root if args.path else 'generated'}")
        print(f"  {len(files.paths())} files, {code_lines} lines of source code")
        floor_s, floor_cpu, parsed = timed(lambda: parse_floor(files), args.repeats)
        source_s, source_cpu, facts = timed(lambda: source_facts(files), args.repeats)
        secrets_s, secrets_cpu, secrets = timed(lambda: secret_facts(files), args.repeats)
        bandit = bandit_passwords(root)
        analysed = sum(1 for f in facts.files if f.analysed)
        print(f"  parsed source files: {parsed}; production files analysed: {analysed}")
        print(
            f"  outbound calls: {len(facts.outbound_calls)} (missing timeouts: "
            f"{len(facts.missing_timeouts)}), library uses: {len(facts.library_uses)}, "
            f"routes: {len(facts.routes)}"
        )
        print(
            f"  distinct secrets: {secrets.count}, excluded: {secrets.excluded_counts}, "
            f"placeholders suppressed: {secrets.placeholders}"
        )
        print(f"  load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        print()
        rows = [
            ("baseline 1: parse floor (ast + tree-sitter)", floor_s, floor_cpu, "x1.00"),
            ("source_facts", source_s, source_cpu, f"x{source_cpu / floor_cpu:.2f} of floor"),
        ]
        if bandit is not None:
            rows.append(("baseline 2: bandit -t B105,B106,B107", *bandit, "x1.00"))
            ratio = f"x{secrets_cpu / bandit[1]:.3f} of bandit"
            rows.append(("secret_facts", secrets_s, secrets_cpu, ratio))
        else:
            rows.append(("secret_facts", secrets_s, secrets_cpu, "(no bandit)"))
        print(f"{'measurement':46s} {'wall':>8s} {'cpu':>8s}  ratio (cpu)")
        for label, wall, cpu, ratio in rows:
            print(f"{label:46s} {wall:7.2f}s {cpu:7.2f}s  {ratio}")
        per_kloc = source_cpu / max(code_lines, 1) * 1_000_000
        print(f"{'source_facts cpu per 1,000 lines':46s} {per_kloc:7.1f}ms")
        rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{'peak RSS of this process':46s} {rss_mib:7.0f}MiB")


if __name__ == "__main__":
    main()
