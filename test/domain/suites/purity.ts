import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

describe('purity', () => {
  const DOMAIN = join(__dirname, '..', '..', '..', 'domain');

  function sourceFiles(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory()
        ? sourceFiles(join(dir, entry.name))
        : entry.name.endsWith('.ts')
          ? [join(dir, entry.name)]
          : [],
    );
  }

  describe('domain/ stays pure', () => {
    const files = sourceFiles(DOMAIN);

    it('has files to check', () => {
      expect(files.map((file) => relative(DOMAIN, file))).toEqual(
        expect.arrayContaining(['case.ts', 'policy.ts', 'steps.ts', 'types.ts']),
      );
    });

    it.each(files.map((file) => [relative(DOMAIN, file), file]))(
      '%s imports only zod and domain/ itself',
      (_name, file) => {
        const source = readFileSync(file, 'utf8');
        const specifiers = [
          ...source.matchAll(
            /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)|import\(\s*['"]([^'"]+)['"]\s*\)/g,
          ),
        ].map((match) => match[1] ?? match[2] ?? match[3] ?? '');
        for (const specifier of specifiers) {
          if (specifier === 'zod') continue;
          expect(specifier).toMatch(/^\.\.?\//);
          const target = join(file, '..', specifier);
          expect(relative(DOMAIN, target).startsWith('..')).toBe(false);
        }
      },
    );

    it.each(files.map((file) => [relative(DOMAIN, file), file]))(
      '%s reads no clock and no randomness',
      (_name, file) => {
        const source = readFileSync(file, 'utf8');
        expect(source).not.toMatch(/Date\.now\(|new Date\(\)|Math\.random|process\.|performance\./);
      },
    );
  });
});
