/**
 * The one shape of a clock: a function answering the time now, as a promise. Promised because one clock a test gives
 * the services, the time-skipping Temporal server's, answers over gRPC; a sync clock following it would only guess
 * (the server moves when it skips). The composition root (service.ts) injects `wallClock`; workflow code never gets
 * one, it reads Temporal's deterministic time.
 */
export type Clock = () => Promise<Date>;

export const wallClock: Clock = async () => new Date();
