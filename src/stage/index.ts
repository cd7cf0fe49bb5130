export { runStage, type RunStageOptions } from "./run-stage.js";
export { planStage, type StageStep, type LoadPlan } from "./plan-stage.js";
export { judgeLoad } from "./judge.js";
export { runLoadStep, httpUrl, REQUEST_TIMEOUT_MS } from "./run-load-step.js";
export { runTestCommand, OUTPUT_TAIL_CHARS } from "./run-test-command.js";
export * from "./impair/index.js";
export { startStageAgent, type StageAgentOptions, type StageAgentHandle } from "./stage-agent.js";
export {
  createStagePass,
  type StagePassOptions,
  type StagePassResult,
  type StagedApp,
  type HeldApp,
  type StageOutcome,
} from "./stage-pass.js";
export { stageApp, type StageAppOptions } from "./stage-app.js";
export { stageRelease, type StageReleaseOptions, type UnsupportedRelease } from "./stage-release.js";
export { describeStageRecord } from "./describe-verdict.js";
