/** The pure rules of a case, importable from workflow code, the API and tests alike. */
export * from './types';
export * from './access';
export * from './dates';
export * from './policy';
export * from './steps';
export * from './case-state';
export * from './case';
export * from './correction';
export * from './ask-again';
export * from './issued';
export * from './alarms';
