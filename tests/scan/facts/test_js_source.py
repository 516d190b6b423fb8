"""JavaScript/TypeScript source facts (``analyze_js``)."""

from __future__ import annotations

import textwrap

from prodready.scan.facts.code_model import JsFileFacts
from prodready.scan.facts.js_source import analyze_js


def js(source: str, path: str = "src/index.js") -> JsFileFacts:
    return analyze_js(path, textwrap.dedent(source))


def verdicts(source: str, path: str = "src/index.js") -> list[tuple[int, str, bool | None]]:
    return [(c.line, c.api, c.has_timeout) for c in js(source, path).outbound_calls]


def test_fetch_needs_a_signal() -> None:
    found = verdicts(
        """\
        const opts = { method: 'POST', signal: AbortSignal.timeout(2000) };
        const bare = { method: 'GET' };
        async function main(extra) {
          await fetch('https://api');
          await fetch('https://api', { signal: AbortSignal.timeout(5000) });
          await fetch('https://api', { signal: controller.signal });
          await fetch('https://api', opts);
          await fetch('https://api', bare);
          await fetch('https://api', { ...extra });
          await fetch('https://api', extra);
          await window.fetch('https://api');
        }
        """
    )
    assert found == [
        (4, "fetch", False),
        (5, "fetch", True),
        (6, "fetch", True),
        (7, "fetch", True),
        (8, "fetch", False),
        (9, "fetch", None),
        (10, "fetch", None),
        (11, "fetch", False),
    ]


def test_node_fetch_accepts_its_timeout_option() -> None:
    found = verdicts(
        """\
        const fetch = require('node-fetch');
        fetch('https://api', { timeout: 5000 });
        fetch('https://api');
        """
    )
    assert found == [(2, "fetch", True), (3, "fetch", False)]


def test_axios_module_calls_and_instances() -> None:
    found = js(
        """\
        import axios from 'axios';
        const api = axios.create({ baseURL: 'https://api', timeout: 5000 });
        const raw = axios.create({ baseURL: 'https://api' });
        const later = axios.create();
        later.defaults.timeout = 3000;
        async function go(config) {
          await axios.get('https://api');
          await axios.get('https://api', { timeout: 2000 });
          await axios.post('https://api', {}, { timeout: 0 });
          await axios.post('https://api', body, { signal: AbortSignal.timeout(1000) });
          await axios({ url: 'https://api', timeout: 1000 });
          await axios('https://api');
          await axios.get('https://api', config);
          await api.get('/users');
          await raw.get('/users');
          await later.get('/users');
        }
        """
    )
    assert [(c.line, c.api, c.has_timeout, c.timeout_source) for c in found.outbound_calls] == [
        (7, "axios.get", False, None),
        (8, "axios.get", True, "call"),
        (9, "axios.post", False, None),
        (10, "axios.post", True, "call"),
        (11, "axios", True, "call"),
        (12, "axios", False, None),
        (13, "axios.get", None, None),
        (14, "axios instance.get", True, "client"),
        (15, "axios instance.get", False, None),
        (16, "axios instance.get", True, "client"),
    ]
    assert found.outbound_calls[7].via_client_defined_at == ("src/index.js", 2)
    assert not found.sets_axios_default_timeout


def test_axios_defaults_timeout_in_file() -> None:
    found = js(
        """\
        const axios = require('axios');
        axios.defaults.timeout = 5000;
        axios.get('https://api');
        """
    )
    assert found.sets_axios_default_timeout
    assert [(c.has_timeout, c.timeout_source) for c in found.outbound_calls] == [(True, "default")]


def test_destructured_require_and_named_import() -> None:
    found = verdicts(
        """\
        const { get } = require('axios');
        import { post as send } from 'axios';
        get('https://api');
        send('https://api', {}, { timeout: 10 });
        """
    )
    assert found == [(3, "axios.get", False), (4, "axios.post", True)]


def test_got() -> None:
    found = verdicts(
        """\
        import got from 'got';
        const client = got.extend({ timeout: { request: 1000 } });
        got('https://api');
        got.get('https://api', { timeout: { request: 500 } });
        client.get('https://api');
        """
    )
    assert found == [
        (3, "got", False),
        (4, "got.get", True),
        (5, "got instance.get", True),
    ]


def test_express_routes_and_service_shape() -> None:
    found = js(
        """\
        const express = require('express');
        const { createTerminus } = require('@godaddy/terminus');
        const request = require('supertest');
        const app = express();
        const router = express.Router();
        app.get('/healthz', (req, res) => res.send('ok'));
        router.get('/ready', handler);
        app.use('/api', router);
        request(app).get('/health');
        axios.get('/health', { timeout: 1 });
        const server = app.listen(3000);
        process.on('SIGTERM', () => server.close());
        createTerminus(server, {});
        """
    )
    routes = [(r.line, r.framework, r.method, r.route, r.health) for r in found.routes]
    assert routes == [
        (6, "express", "GET", "/healthz", "strong"),
        (7, "express", "GET", "/ready", "strong"),
        (8, "express", None, "/api", None),
    ]
    assert [(e.line, e.kind) for e in found.server_entrypoints] == [(4, "app"), (11, "server-run")]
    assert sorted((h.line, h.kind) for h in found.shutdown_hooks) == [
        (12, "drain"),
        (12, "signal-handler"),
        (13, "drain"),
        (13, "signal-handler"),
    ]


def test_fastify_and_hapi_object_routes() -> None:
    found = js(
        """\
        const fastify = require('fastify')();
        fastify.route({ method: 'GET', url: '/livez', handler: h });
        server.route([{ method: 'GET', path: '/readyz' }, { method: 'POST', path: '/x' }]);
        """
    )
    assert [(r.method, r.route, r.health) for r in found.routes] == [
        ("GET", "/livez", "strong"),
        ("GET", "/readyz", "strong"),
        ("POST", "/x", None),
    ]


def test_nestjs_controllers_in_typescript() -> None:
    found = js(
        """\
        import { Controller, Get, Post } from '@nestjs/common';
        import { NestFactory } from '@nestjs/core';

        @Controller('health')
        export class HealthController {
          @Get('live')
          live(): string { return 'ok'; }
        }

        @Controller()
        export class ItemsController {
          @Post('items')
          create(): void {}
        }

        async function bootstrap(): Promise<void> {
          const app = await NestFactory.create(AppModule);
          app.enableShutdownHooks();
          await app.listen(3000);
        }
        """,
        path="src/main.ts",
    )
    assert found.language == "typescript"
    routes = [(r.line, r.method, r.route, r.health) for r in found.routes]
    assert routes == [
        (4, None, "/health", "strong"),
        (6, "GET", "/health/live", "strong"),
        (12, "POST", "/items", None),
    ]
    assert [h.kind for h in found.shutdown_hooks] == ["lifespan"]
    assert [e.kind for e in found.server_entrypoints] == ["app", "server-run"]


def test_tsx_file_parses() -> None:
    found = js(
        """\
        import React from 'react';
        export function App(): JSX.Element {
          fetch('/api/items');
          return <div className="x">hi</div>;
        }
        """,
        path="web/App.tsx",
    )
    assert [(c.api, c.has_timeout) for c in found.outbound_calls] == [("fetch", False)]


def test_library_uses() -> None:
    found = js(
        """\
        import * as Sentry from '@sentry/node';
        import axiosRetry from 'axios-retry';
        import axios from 'axios';
        import pRetry from 'p-retry';
        import client from 'prom-client';
        const CircuitBreaker = require('opossum');
        const rateLimit = require('express-rate-limit');
        const pino = require('pino')();
        const winston = require('winston');
        require('dd-trace').init();

        Sentry.init({ dsn: 'x', tracesSampleRate: 0.1 });
        axiosRetry(axios, { retries: 3 });
        const breaker = new CircuitBreaker(call, { timeout: 3000 });
        app.use(rateLimit({ windowMs: 60000, max: 100 }));
        new client.Counter({ name: 'x', help: 'y' });
        winston.createLogger({ format: winston.format.json() });
        winston.createLogger({ format: winston.format.simple() });

        async function waitForDatabase() {
          await pRetry(connect, { retries: 5 });
        }
        """
    )
    found_uses = [
        (u.line, u.capability, u.library, u.startup_only)
        for u in found.library_uses
        if u.capability not in ("http-client", "web-framework")
    ]
    assert found_uses == [
        (8, "structured-logging", "pino", False),
        (10, "tracing", "dd-trace", False),
        (12, "error-tracking", "@sentry/node", False),
        (12, "tracing", "@sentry/node", False),
        (13, "retry", "axios-retry", False),
        (14, "circuit-breaker", "opossum", False),
        (15, "rate-limit", "express-rate-limit", False),
        (16, "metrics", "prom-client", False),
        (17, "structured-logging", "winston", False),
        (21, "retry", "p-retry", True),
    ]


def test_broken_source_does_not_raise() -> None:
    found = js("const x = {;\nfetch('u'\n")
    assert found.problems == ()
