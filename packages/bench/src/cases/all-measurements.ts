import type { Measurement } from '../measurement.js';
import { builtMeasurements } from './built.js';
import { clustrMessageMeasurements } from './clustr-cases.js';
import { clustrClusterMeasurements } from './clustr-cluster.js';
import { clustrSignedMeasurements } from './clustr-signed.js';
import { ipcGateMeasurements } from './ipc-gate.js';
import { ipcRawMeasurements } from './ipc-raw.js';
import { lifecycleMeasurements } from './lifecycle.js';
import { moleculerMeasurements } from './moleculer.js';
import { presenceMeasurements } from './presence-cost.js';
import { redisRawMeasurements } from './redis-raw.js';
import { requestMeasurementsAll } from './requests.js';

/** The order of the cases in the run and the report. */
const CASE_ORDER = [
  'ipc one-way',
  'ipc fan-out to 4',
  'ipc worker → worker',
  'ipc round trip',
  'ipc group of one',
  'ipc inbound, identity checked',
  'redis one-way',
  'redis one-way, one loop',
  'redis fan-out to 4',
  'redis round trip',
  'redis cluster, private to 6 workers',
  'redis requests, 100 in flight',
  'redis group of one',
  'spawn 8 until ready',
  'spawn 8 until ready (built, plain node)',
  'idle worker RSS',
  'presence, 64 members',
  'presence traffic, 64 members',
];

/** Every measurement of the bench, clustr first within each case, cases in {@link CASE_ORDER}. */
export const ALL_MEASUREMENTS: readonly Measurement[] = [
  ...clustrMessageMeasurements,
  ...requestMeasurementsAll,
  ...clustrSignedMeasurements,
  ...clustrClusterMeasurements,
  ...ipcRawMeasurements,
  ...ipcGateMeasurements,
  ...redisRawMeasurements,
  ...moleculerMeasurements,
  ...lifecycleMeasurements,
  ...builtMeasurements,
  ...presenceMeasurements,
].sort((a, b) => CASE_ORDER.indexOf(a.caseName) - CASE_ORDER.indexOf(b.caseName));
