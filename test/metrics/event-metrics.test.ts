import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AppStatus } from "../../src/agent/index.js";
import type { SkiffEvent } from "../../src/events/index.js";
import { createMetricsSink, createSkiffMetrics, setHostGauges } from "../../src/metrics/index.js";
import { parsePrometheus, sampleValue } from "../support/prometheus.js";

function at(ms: number): string {
  return new Date(Date.UTC(2026, 0, 1, 0, 0, 0, ms)).toISOString();
}

function event(type: string, ms: number, extra: Partial<SkiffEvent> = {}): SkiffEvent {
  return { type, time: at(ms), app: "hello", message: type, ...extra };
}

async function scrape(metrics: ReturnType<typeof createSkiffMetrics>) {
  return parsePrometheus(await metrics.registry.metrics());
}

describe("the event → metrics mapping", () => {
  it("counts deploys by result and times deploy, boot and health check from their events", async () => {
    const metrics = createSkiffMetrics();
    const sink = createMetricsSink(metrics);
    const deploy = { deploy: "d1", release: 2 };
    sink.emit(event("deploy.started", 0, deploy));
    sink.emit(event("swap.phase", 100, { ...deploy, data: { phase: "starting" } }));
    sink.emit(event("instance.started", 350, { ...deploy, data: { instance: "hello-2-abcd" } }));
    sink.emit(event("health.ok", 1350, { ...deploy, data: { instance: "hello-2-abcd" } }));
    sink.emit(event("deploy.succeeded", 4000, deploy));
    sink.emit(event("deploy.started", 5000, { deploy: "d2", release: 3 }));
    sink.emit(event("instance.started", 5100, { deploy: "d2", data: { instance: "hello-3-wxyz" } }));
    sink.emit(event("health.failed", 5600, { deploy: "d2", data: { instance: "hello-3-wxyz" } }));
    sink.emit(
      event("deploy.failed", 6000, {
        deploy: "d2",
        error: { code: "ERR_SKIFF_HEALTH_TIMEOUT", message: "x" },
      }),
    );
    const samples = await scrape(metrics);
    const value = (name: string, labels: Record<string, string>) => sampleValue(samples, name, labels);
    assert.equal(value("skiff_deploys_total", { app: "hello", result: "succeeded" }), 1);
    assert.equal(value("skiff_deploys_total", { app: "hello", result: "failed" }), 1);
    assert.equal(value("skiff_deploy_duration_seconds_sum", { app: "hello", result: "succeeded" }), 4);
    assert.equal(value("skiff_deploy_duration_seconds_sum", { app: "hello", result: "failed" }), 1);
    assert.equal(value("skiff_deploy_duration_seconds_bucket", { result: "succeeded", le: "2.5" }), 0);
    assert.equal(value("skiff_deploy_duration_seconds_bucket", { result: "succeeded", le: "5" }), 1);
    // The second deploy's start phase was not seen: one boot timed, not a made-up one.
    assert.equal(value("skiff_boot_duration_seconds_count", { app: "hello" }), 1);
    assert.equal(value("skiff_boot_duration_seconds_sum", { app: "hello" }), 0.25);
    assert.equal(value("skiff_health_check_duration_seconds_sum", { app: "hello", result: "ok" }), 1);
    assert.equal(value("skiff_health_check_duration_seconds_sum", { app: "hello", result: "failed" }), 0.5);
    assert.equal(value("skiff_confirm_rollbacks_total", { app: "hello" }), undefined);
  });

  it("counts confirmation-window rollbacks, crash restarts, crash loops, refusals by code, wakes and notifications", async () => {
    const metrics = createSkiffMetrics();
    const sink = createMetricsSink(metrics);
    sink.emit(
      event("deploy.failed", 0, { deploy: "d", error: { code: "ERR_SKIFF_ROLLED_BACK", message: "x" } }),
    );
    sink.emit(event("instance.restarted", 1));
    sink.emit(event("instance.restarted", 2));
    sink.emit(event("instance.restart_failed", 3));
    sink.emit(event("instance.crash_loop", 4));
    sink.emit(event("release.refused", 5, { error: { code: "ERR_SKIFF_CHECKSUM_MISMATCH", message: "x" } }));
    sink.emit(event("release.refused", 6, { error: { code: "ERR_SKIFF_CHECKSUM_MISMATCH", message: "x" } }));
    sink.emit(event("instance.woken", 7, { data: { durationMs: 120 } }));
    sink.emit(event("notify.delivered", 8, { data: { sink: "slack" } }));
    sink.emit(event("notify.failed", 9, { data: { sink: "https://hooks.example/secret-path" } }));
    // Without an app an event says nothing about one: no series with an empty label.
    sink.emit({ type: "deploy.failed", time: at(10), message: "x" });
    const samples = await scrape(metrics);
    const value = (name: string, labels: Record<string, string>) => sampleValue(samples, name, labels);
    assert.equal(value("skiff_confirm_rollbacks_total", { app: "hello" }), 1);
    assert.equal(value("skiff_deploys_total", { app: "hello", result: "failed" }), 1);
    assert.equal(value("skiff_crash_restarts_total", { app: "hello", result: "restarted" }), 2);
    assert.equal(value("skiff_crash_restarts_total", { app: "hello", result: "failed" }), 1);
    assert.equal(value("skiff_crash_loops_total", { app: "hello" }), 1);
    assert.equal(
      value("skiff_refused_releases_total", { app: "hello", code: "ERR_SKIFF_CHECKSUM_MISMATCH" }),
      2,
    );
    assert.equal(value("skiff_wake_duration_seconds_sum", { app: "hello" }), 0.12);
    assert.equal(value("skiff_notification_deliveries_total", { sink: "slack", result: "delivered" }), 1);
    // A sink's URL never becomes a label value.
    assert.equal(value("skiff_notification_deliveries_total", { sink: "other", result: "failed" }), 1);
    assert.ok(samples.every((s) => !Object.values(s.labels).some((v) => v.includes("secret"))));
    assert.ok(samples.every((s) => s.labels.app !== ""));
  });

  it("sets instances by state and skiff_app_info from what the host runs, and the front door's figures", async () => {
    const metrics = createSkiffMetrics();
    const statuses: AppStatus[] = [
      { app: "hello", release: 3, current: 3, status: "running", instance: "hello-3-abcd", failed: [] },
      { app: "shop", release: 1, current: 2, status: "confirming", instance: "shop-1-abcd", failed: [] },
      { app: "old", release: 4, status: "stopped", failed: [] },
    ];
    setHostGauges(metrics, statuses, [{ app: "hello", open: 2, requests: 10, bytesIn: 5, bytesOut: 7 }]);
    // A second scrape replaces the gauges: an app that left is not reported any more.
    setHostGauges(metrics, statuses, [{ app: "hello", open: 1, requests: 12, bytesIn: 6, bytesOut: 9 }]);
    const samples = await scrape(metrics);
    const value = (name: string, labels: Record<string, string>) => sampleValue(samples, name, labels);
    assert.equal(value("skiff_instances", { app: "hello", state: "running" }), 1);
    assert.equal(value("skiff_instances", { app: "shop", state: "confirming" }), 1);
    assert.equal(value("skiff_instances", { app: "old" }), undefined);
    assert.equal(
      value("skiff_app_info", {
        app: "hello",
        release: "3",
        sync_status: "synced",
        health_status: "healthy",
      }),
      1,
    );
    assert.equal(
      value("skiff_app_info", {
        app: "shop",
        release: "1",
        sync_status: "out_of_sync",
        health_status: "progressing",
      }),
      1,
    );
    assert.equal(
      value("skiff_app_info", {
        app: "old",
        release: "4",
        sync_status: "unknown",
        health_status: "suspended",
      }),
      1,
    );
    assert.equal(value("skiff_front_open_connections", { app: "hello" }), 1);
    assert.equal(value("skiff_front_requests_total", { app: "hello" }), 12);
    assert.equal(value("skiff_front_bytes_total", { app: "hello", direction: "out" }), 9);
  });
});
