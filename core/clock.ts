/**
 * The shape of a clock: a function answering the time now. Services are given one (the wall clock unless a test
 * passes its own); workflow code never is, it reads Temporal's deterministic time.
 */
export type Clock = () => Date;

export const wallClock: Clock = () => new Date();
