/**
 * What a request's log line may keep of its URL as it is (api/request-log.ts): the literal words of the routes' paths
 * and the names of the query parameters they read. Here, below the API and the console, so that each can say its own.
 */

/** A router's share of the vocabulary: its paths' words (read from its routes) and the query names it reads. */
export interface VocabularyOf {
  /** The words and names a mounted router (the web console) adds to those of the API's routes. */
  readonly vocabulary?: () => { pathWords: readonly string[]; queryNames: readonly string[] };
}

/** The literal words of a route's path (`/api/cases/:caseId/close`: api, cases, close), never its parameters. */
export const pathWordsOf = (path: string) => path.split('/').filter((word) => word !== '' && !word.includes(':'));

interface RouterLayer {
  rawPath?: unknown;
  route?: { path?: unknown };
  handle?: { stack?: RouterLayer[] };
}

/** The path words of every route and mount point of an Express router, and of the routers mounted in it. */
export function routerPathWords(router: unknown): string[] {
  const stack = (router as { stack?: RouterLayer[] }).stack ?? [];
  return stack.flatMap((layer) => [
    ...[layer.rawPath, layer.route?.path].flatMap((path) => (typeof path === 'string' ? pathWordsOf(path) : [])),
    ...(layer.handle?.stack ? routerPathWords(layer.handle) : []),
  ]);
}
