import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderNotFoundPage } from "../../src/proxy/front/not-found-page.js";
import { pickBackend, type Candidate } from "../../src/proxy/front/pick-backend.js";
import { normalizeHost } from "../../src/proxy/front/request-head.js";
import { responseStatus } from "../../src/proxy/front/traffic-counters.js";
import { structureKey, type HaproxyModel } from "../../src/proxy/front/haproxy/haproxy-model.js";
import { haproxyPaths } from "../../src/proxy/front/haproxy/haproxy-paths.js";
import { parseStats } from "../../src/proxy/front/haproxy/parse-stats.js";
import { planRuntime } from "../../src/proxy/front/haproxy/plan-runtime.js";
import { renderHaproxyConfig, renderHostMap } from "../../src/proxy/front/haproxy/render-config.js";
import { parseShowProc } from "../../src/proxy/front/haproxy/show-proc.js";

const ready = (load: number): Candidate & { name: string } => ({ name: `r${load}`, state: "ready", load });

describe("front door decisions (pure)", () => {
  it("picks the ready backend with the fewest connections, ties in turn, never a draining one", () => {
    const a = { ...ready(1), name: "a" };
    const b = { ...ready(1), name: "b" };
    const busy = { ...ready(5), name: "busy" };
    const draining: Candidate & { name: string } = { name: "d", state: "draining", load: 0 };
    assert.equal(pickBackend([busy, a, draining], 0)?.name, "a");
    assert.deepEqual(
      [0, 1, 2, 3].map((turn) => pickBackend([a, b, busy], turn)?.name),
      ["a", "b", "a", "b"],
    );
    assert.equal(pickBackend([draining], 0), undefined, "no ready backend: hold");
  });

  it("normalizes a Host for routing", () => {
    assert.equal(normalizeHost("Hello.Example.COM.:8000"), "hello.example.com");
    assert.equal(normalizeHost("hello.localhost"), "hello.localhost");
    assert.equal(normalizeHost("[::1]:80"), "[::1]");
    assert.equal(normalizeHost(""), undefined);
  });

  it("reads the status of an HTTP status line and nothing else", () => {
    assert.equal(responseStatus(Buffer.from("HTTP/1.1 503 Service Unavailable\r\n")), 503);
    assert.equal(responseStatus(Buffer.from("HTTP/1.0 200 OK\r\n")), 200);
    assert.equal(responseStatus(Buffer.from("SSH-2.0-OpenSSH_9.2\r\n")), undefined);
    assert.equal(responseStatus(Buffer.from("HTTP/1.1 2")), undefined);
  });

  it("names the known hostnames on the 404 page only with the index on, escaped", () => {
    const page = (index: boolean): string =>
      renderNotFoundPage({ host: "<x>", hostnames: ["b.localhost", "a.localhost"], port: 8000, index });
    assert.doesNotMatch(page(false), /a\.localhost/);
    assert.match(page(true), /a\.localhost:8000\/.*b\.localhost:8000\//s);
    assert.doesNotMatch(page(true), /<x>/, "the asked host is escaped");
  });
});

describe("HAProxy configuration (pure)", () => {
  const paths = haproxyPaths("/data/front");
  const model = (overrides: Partial<HaproxyModel["apps"][number]> = {}): HaproxyModel => ({
    front: { host: "127.0.0.1", port: 8000 },
    apps: [
      {
        app: "hello",
        publish: { host: "0.0.0.0", port: 8080 },
        hostname: "hello.localhost",
        publishHttp: false,
        replay: false,
        backends: [{ id: "hello-1-aaaa", address: { host: "127.0.0.1", port: 40001 }, state: "ready" }],
        ...overrides,
      },
    ],
  });

  it("writes a frontend per publish port, the shared listener by Host, and the door as backup server", () => {
    const config = renderHaproxyConfig(model(), paths);
    assert.match(config, /frontend p_hello\n {2}bind 0\.0\.0\.0:8080\n {2}default_backend t_hello/);
    assert.match(
      config,
      /backend t_hello\n {2}balance leastconn\n {2}server hello-1-aaaa 127\.0\.0\.1:40001\n {2}server hold unix@\/data\/front\/haproxy\/h-[0-9a-f]{12}\.t\.sock backup/,
    );
    assert.match(config, /frontend shared\n {2}mode http\n {2}bind 127\.0\.0\.1:8000/);
    assert.match(config, /backend h_hello\n {2}mode http/);
    assert.equal(renderHostMap(model()), "hello.localhost h_hello\n");
    const draining = renderHaproxyConfig(
      model({
        backends: [{ id: "hello-1-aaaa", address: { host: "127.0.0.1", port: 40001 }, state: "draining" }],
      }),
      paths,
    );
    assert.match(draining, /server hello-1-aaaa 127\.0\.0\.1:40001 weight 0/);
    assert.match(config, /backend h_hello\n {2}mode http\n {2}balance leastconn\n {2}http-reuse always\n/);
    assert.match(
      config,
      /server hold unix@\S+\.h\.sock backup pool-max-conn 0/,
      "one request per hold connection",
    );
    assert.match(
      config,
      /disable-l7-retry unless METH_GET or METH_OPTIONS/,
      "only safe methods are sent twice",
    );
    const replay = renderHaproxyConfig(model({ replay: true }), paths);
    assert.match(replay, /retry-on conn-failure empty-response response-timeout/);
    assert.doesNotMatch(replay, /disable-l7-retry/, "with replay every request may be sent again");
  });

  it("a publish port that speaks HTTP uses the app's http backend, with or without a hostname", () => {
    const config = renderHaproxyConfig(model({ hostname: null, publishHttp: true }), paths);
    assert.match(
      config,
      /frontend p_hello\n {2}mode http\n {2}bind 0\.0\.0\.0:8080\n {2}timeout http-request 10s\n {2}timeout http-keep-alive 10s\n {2}default_backend h_hello\n/,
    );
    assert.doesNotMatch(config, /backend t_hello/, "no tcp backend");
    assert.match(config, /backend h_hello\n {2}mode http\n {2}balance leastconn\n {2}http-reuse always\n/);
    assert.equal(renderHostMap(model({ hostname: null, publishHttp: true })), "", "no hostname to map");
    const tcp = model({ hostname: null });
    const http = model({ hostname: null, publishHttp: true });
    assert.notEqual(structureKey(tcp), structureKey(http), "changing the protocol reloads");
    const next = model({
      hostname: null,
      publishHttp: true,
      backends: [{ id: "hello-2-bbbb", address: { host: "127.0.0.1", port: 40002 }, state: "ready" }],
    });
    assert.deepEqual(
      planRuntime(http, next, paths.map).map((s) => s.command),
      [
        "add server h_hello/hello-2-bbbb 127.0.0.1:40002 weight 1 pool-max-conn -1 pool-purge-delay 5s",
        "enable server h_hello/hello-2-bbbb",
        "set server h_hello/hello-1-aaaa state maint",
        "del server h_hello/hello-1-aaaa",
      ],
    );
  });

  it("changes backends and hostnames at runtime, and needs a reload only for listeners and apps", () => {
    const before = model();
    const after = model({
      hostname: "hi.localhost",
      backends: [
        { id: "hello-1-aaaa", address: { host: "127.0.0.1", port: 40001 }, state: "draining" },
        { id: "hello-2-bbbb", address: { host: "127.0.0.1", port: 40002 }, state: "ready" },
      ],
    });
    assert.equal(structureKey(before), structureKey(after));
    const commands = planRuntime(before, after, paths.map).map((s) => s.command);
    assert.deepEqual(commands, [
      "set server t_hello/hello-1-aaaa weight 0",
      "add server t_hello/hello-2-bbbb 127.0.0.1:40002 weight 1",
      "enable server t_hello/hello-2-bbbb",
      "set server h_hello/hello-1-aaaa weight 0",
      "add server h_hello/hello-2-bbbb 127.0.0.1:40002 weight 1 pool-max-conn -1 pool-purge-delay 5s",
      "enable server h_hello/hello-2-bbbb",
      `del map ${paths.map} hello.localhost`,
      `add map ${paths.map} hi.localhost h_hello`,
    ]);
    const removed = planRuntime(
      after,
      model({ hostname: "hi.localhost", backends: after.apps[0]!.backends.slice(1) }),
      paths.map,
    );
    assert.deepEqual(
      removed.map((s) => [s.command, s.mayFail === true]),
      [
        ["set server t_hello/hello-1-aaaa state maint", false],
        ["del server t_hello/hello-1-aaaa", true],
        ["set server h_hello/hello-1-aaaa state maint", false],
        ["del server h_hello/hello-1-aaaa", true],
      ],
    );
    assert.notEqual(structureKey(before), structureKey(model({ publish: { host: "0.0.0.0", port: 8081 } })));
    assert.notEqual(structureKey(before), structureKey(model({ hostname: null })));
  });

  it("reads show proc and show stat", () => {
    const proc = parseShowProc(
      "#<PID>          <type>          <reloads>       <uptime>        <version>\n" +
        "8788            master          1 [failed: 0]   0d00h10m25s     2.6.12\n# workers\n1464            worker          0               0d00h00m01s     2.6.12\n# programs\n",
    );
    assert.deepEqual(proc, { masterPid: 8788, failedReloads: 0, worker: 1464 });
    const rows = parseStats(
      "# pxname,svname,qcur,scur,stot,bin,bout,econ,hrsp_5xx,req_tot,lastsess,rtime\nh_a,a1,0,2,7,100,200,1,0,7,3,4\nh_a,BACKEND,0,2,9,150,300,1,1,9,3,5\n",
    );
    assert.deepEqual(rows[0], {
      proxy: "h_a",
      server: "a1",
      scur: 2,
      stot: 7,
      bin: 100,
      bout: 200,
      econ: 1,
      hrsp5xx: 0,
      reqTot: 7,
      lastsess: 3,
      rtime: 4,
    });
    assert.equal(rows[1]?.server, "BACKEND");
  });
});
