/** The scenario layer's public API: files and flags in, a validated Scenario and an ExecutionPlan out. */
export { loadScenario, resolveScenarioDocument, type LoadScenarioOptions, type ResolvedDocument } from './load.js';
export { applyOverrides, WORKLOAD_FLAGS, type ScenarioOverrides } from './overrides.js';
export { canonicalJson, valueDifferences, workloadFingerprint } from './fingerprint.js';
export { compileLevelSearch, compilePhases, compileScenario, compileSegment, compileThresholds, compileWholePhases } from './compile.js';
export { describeLoad } from './describe.js';
export { scenarioProblems, validateScenario } from './validate.js';
export {
  checkThreshold,
  evaluateThresholds,
  parseThreshold,
  thresholdActual,
  THRESHOLD_METRICS,
  THRESHOLD_OPERATORS,
  type Threshold,
  type ThresholdMetric,
  type ThresholdOperator,
} from './thresholds.js';
export { presetNames, presetsDir } from './presets.js';
export { scenarioJsonSchema, scenarioJsonSchemaText } from './json-schema.js';
export { EXECUTORS, ScenarioSchema, type Executor, type LoadConfig, type Scenario, type ScenarioInput } from './schema.js';
