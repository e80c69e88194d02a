export { type ConformanceApp, runAdapterConformance } from './adapter-conformance.js';
export type { ContractExpectation, ContractTestApi } from './contract-helpers.js';
export { type MakeStore, runSessionStoreContract } from './store-contract.js';
