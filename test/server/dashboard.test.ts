import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it, type TestContext } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { commitAll, writeFixture } from "../support/app-repo.js";
import { collectPageErrors, launchBrowser } from "../support/browser.js";
import { waitForBody } from "../support/http.js";
import { REPO_ROOT } from "../support/paths.js";
import {
  createReadOnlyToken,
  gitPush,
  makeServedApp,
  serverSandbox,
  type RunningServer,
} from "./server-harness.js";

/** Screenshots land here (git-ignored; kept after the run for people to look at). */
const SHOTS = join(REPO_ROOT, "test-output", "dashboard");
const SIZES = [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
] as const;

async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  for (const size of SIZES) {
    await page.setViewportSize(size);
    // Charts follow their container's width (a ResizeObserver) on a following frame.
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(SHOTS, `${name}-${size.width}x${size.height}.png`) });
    await page.screenshot({ path: join(SHOTS, `${name}-${size.width}-full.png`), fullPage: true });
  }
  await page.setViewportSize(SIZES[0]);
}

async function logIn(context: BrowserContext, url: string, token: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${url}/`);
  await page.fill("#token", token);
  await Promise.all([page.waitForURL(`${url}/`), page.click("button[type=submit]")]);
  return page;
}

async function currentRelease(server: RunningServer): Promise<number | undefined> {
  const response = await fetch(`${server.url}/api/v1/apps/hello/releases`, {
    headers: { authorization: `Bearer ${server.token}` },
  });
  const body = (await response.json()) as { releases: { release: number; current: boolean }[] };
  return body.releases.find((r) => r.current)?.release;
}

describe("the dashboard in a real Chromium against a running skiff server", () => {
  const sandbox = serverSandbox();
  let server: RunningServer;
  let publicUrl: string;
  let readOnly: string;
  let browser: Browser | undefined;
  /** Console errors and uncaught exceptions of every page of every test. */
  const collected: string[][] = [];
  const pageErrors = (): string[] => collected.flat();

  before(async () => {
    server = await sandbox.start(["--sample", "500ms"]);
    const served = await makeServedApp(join(sandbox.root, "app"), "hello", "v1");
    publicUrl = `http://127.0.0.1:${served.port}/`;
    for (const version of ["v1", "v2"]) {
      if (version !== "v1") {
        writeFixture(served.dir, "serve", version);
        commitAll(served.dir, version);
      }
      const pushed = await gitPush(served.dir, server.gitUrl("hello"));
      assert.equal(pushed.code, 0, pushed.stderr);
    }
    await waitForBody(publicUrl, "v2 hello");
    readOnly = await createReadOnlyToken(server.data);
  });
  after(async () => {
    await browser?.close();
  });

  /** A fresh browser context (its own cookies) whose pages' errors are collected; undefined when the tier cannot run. */
  async function open(t: TestContext): Promise<BrowserContext | undefined> {
    browser ??= await launchBrowser(t);
    if (browser === undefined) return undefined;
    const context = await browser.newContext({ viewport: SIZES[0] });
    context.on("page", (page) => collected.push(collectPageErrors(page)));
    t.after(() => context.close());
    return context;
  }

  it("a wrong token shows an error on the login form; a deploy token lists the pushed app with status, release and URL", async (t) => {
    const context = await open(t);
    if (context === undefined) return;
    const page = await context.newPage();
    const first = await page.goto(`${server.url}/`);
    assert.match(first!.url(), /\/login$/, "no session: the login form");
    await page.fill("#token", `${server.token}x`);
    await Promise.all([page.waitForResponse(`${server.url}/login`), page.click("button[type=submit]")]);
    assert.match((await page.textContent(".error")) ?? "", /That token is not valid/);
    assert.ok(!page.url().includes(server.token), "the token is never in the URL");
    assert.deepEqual(await context.cookies(), [], "no session for a wrong token");
    await screenshots(page, "login-error");

    const apps = await logIn(context, server.url, server.token);
    const cookie = (await context.cookies()).find((c) => c.name === "skiff_session");
    assert.ok(cookie, "a session cookie");
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, "Strict");
    assert.ok(!cookie.value.includes(server.token), "the cookie is a session id, not the token");
    const row = apps.locator('tr[data-app="hello"]');
    assert.equal(await row.locator(".app-name").textContent(), "hello");
    assert.match(
      (await row.locator("[data-status]").getAttribute("data-status")) ?? "",
      /^(running|confirming)$/,
    );
    assert.equal((await row.locator(".release").textContent())?.trim(), "v2");
    assert.equal(await row.locator(`a[href="${publicUrl.replace(/\/$/, "")}"]`).count(), 1, "the app's URL");
    await screenshots(apps, "apps");
    assert.deepEqual(pageErrors(), []);
  });

  it("a read-only token sees no working change button, and its POST is refused with 403", async (t) => {
    const context = await open(t);
    if (context === undefined) return;
    const page = await logIn(context, server.url, readOnly);
    await page.goto(`${server.url}/apps/hello`);
    assert.equal(await page.locator("form[data-change]").count(), 0, "no change form");
    assert.ok((await page.locator("button:disabled", { hasText: "Roll back to v1" }).count()) === 1);
    const csrf = await page.inputValue('form.logout input[name="csrf"]');
    const refused = await page.request.post(`${server.url}/apps/hello/rollback`, {
      form: { csrf, release: "1" },
      headers: { origin: server.url },
      maxRedirects: 0,
    });
    assert.equal(refused.status(), 403);
    assert.match(await refused.text(), /ERR_SKIFF_FORBIDDEN/);
    assert.equal(await currentRelease(server), 2, "nothing changed");
    assert.deepEqual(pageErrors(), []);
  });

  it("CSRF: a change without the session's token, with a wrong one, or from another site is refused, and logout ends the session", async (t) => {
    const context = await open(t);
    if (context === undefined) return;
    const page = await logIn(context, server.url, server.token);
    const csrf = await page.inputValue('form.logout input[name="csrf"]');
    const post = (form: Record<string, string>, origin = server.url) =>
      page.request.post(`${server.url}/apps/hello/rollback`, { form, headers: { origin }, maxRedirects: 0 });
    for (const answer of [
      await post({ release: "1" }),
      await post({ csrf: `${csrf.slice(0, -2)}xx`, release: "1" }),
      await post({ csrf, release: "1" }, "http://evil.example"),
    ]) {
      assert.equal(answer.status(), 403);
      assert.match(await answer.text(), /ERR_SKIFF_CSRF/);
    }
    // The API itself: the cookie alone does not make a change.
    const api = await page.request.post(`${server.url}/api/v1/apps/hello/rollback`, {
      data: {},
      headers: { origin: server.url },
    });
    assert.equal(api.status(), 403);
    assert.equal(((await api.json()) as { code: string }).code, "ERR_SKIFF_CSRF");
    assert.equal(await currentRelease(server), 2, "nothing changed");

    await Promise.all([page.waitForURL(/\/login$/), page.click("form.logout button")]);
    const afterLogout = await page.request.get(`${server.url}/api/v1/apps`, { maxRedirects: 0 });
    assert.equal(afterLogout.status(), 401, "the session is gone");
    assert.deepEqual(pageErrors(), []);
  });

  it("the app page: a chart has points after load, the log tail shows a line printed after it opened, and a rollback clicked is live within 2 s", async (t) => {
    const context = await open(t);
    if (context === undefined) return;
    const page = await logIn(context, server.url, server.token);
    await page.goto(`${server.url}/apps/hello`);
    await page.waitForSelector('#log[data-state="live"]');
    await page.waitForSelector('#activity[data-state="live"]');
    // Two samples at least: a line, not a dot.
    await page.waitForSelector(
      'figure[data-chart="instances"]:not([data-points="0"]):not([data-points="1"])',
    );
    assert.equal(await page.locator('figure[data-chart="instances"] canvas').count(), 1, "uPlot drew it");
    assert.match((await page.textContent("tr.current .release")) ?? "", /v2/);

    // The app prints "serving v2 on PORT" when its new instance starts: after the tail opened.
    const restarted = await fetch(`${server.url}/api/v1/apps/hello/restart`, {
      method: "POST",
      headers: { authorization: `Bearer ${server.token}`, "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(restarted.status, 200, await restarted.text());
    await page
      .locator("#log span.line", { hasText: /serving v2 on \d+/ })
      .first()
      .waitFor();
    await page.waitForSelector("#activity li.fresh", { timeout: 10_000 });
    await waitForBody(publicUrl, "v2 hello");
    await screenshots(page, "app");

    // Within 2 s of the server's answer to the click (as the CLI's rollback is, once the command returns).
    const clicked = Date.now();
    const posted = page.waitForResponse(
      (r) => r.request().method() === "POST" && r.url() === `${server.url}/apps/hello/rollback`,
    );
    await page.click('form[data-change="rollback"] button');
    assert.equal((await posted).status(), 303);
    const answered = Date.now();
    assert.equal(await waitForBody(publicUrl, "v1 hello", 2000, { fresh: true }), "v1 hello\n");
    t.diagnostic(
      `rollback clicked → answered in ${answered - clicked} ms → v1 served ${Date.now() - answered} ms later`,
    );
    await page.waitForURL(`${server.url}/apps/hello`);
    await page.waitForSelector(".flash");
    assert.match((await page.textContent(".flash")) ?? "", /Rolled back hello: current is v1 \(was v2\)/);
    assert.equal(await currentRelease(server), 1);
    assert.deepEqual(pageErrors(), []);
  });
});
