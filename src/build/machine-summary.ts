import type { BuildSummary } from "./summary-schema.js";

/** What `skiff build --json` and the API show of a build: everything but the parsed skiff.yml. */
export function toMachineSummary(summary: BuildSummary) {
  return {
    buildId: summary.buildId,
    dir: summary.dir,
    app: summary.app,
    commit: summary.commit,
    repository: summary.repository,
    branch: summary.branch,
    status: summary.status,
    started: summary.started,
    durationMs: summary.durationMs,
    targets: summary.targets.map((target) => ({
      target: target.target,
      deploy: target.deploy,
      status: target.status,
      durationMs: target.durationMs,
      steps: target.steps.map((step) => ({
        step: step.step,
        durationMs: step.durationMs,
        exitCode: step.exitCode,
        logPath: step.logPath,
      })),
      artifacts: target.artifacts.map((artifact) => ({
        name: artifact.name,
        path: artifact.path,
        size: artifact.size,
        sha256: artifact.sha256,
        mode: artifact.mode,
      })),
    })),
    ...(summary.error === undefined ? {} : { error: summary.error }),
  };
}

export type MachineBuildSummary = ReturnType<typeof toMachineSummary>;
