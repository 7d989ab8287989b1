/**
 * `npm run web:api-types`: rewrites web/api-types.ts from the API's current OpenAPI document. With `--stdout` it
 * prints the types instead (the staleness test compares them; openapi-typescript loads ES modules jest cannot).
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { generateApiTypes } from './api-types-source';

void generateApiTypes().then((source) => {
  if (process.argv.includes('--stdout')) {
    process.stdout.write(source);
    return;
  }
  writeFileSync(resolve(__dirname, 'api-types.ts'), source);
  process.stdout.write('wrote web/api-types.ts\n');
});
