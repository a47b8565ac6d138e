import { describe, expect, it } from 'vitest';
import { unifiedDiff } from './diff.js';

describe('unifiedDiff', () => {
  it('is empty for equal file sets, whatever their order', () => {
    const files = [
      { path: 'b', content: '2\n' },
      { path: 'a', content: '1\n' },
    ];
    expect(unifiedDiff(files, [...files].reverse())).toBe('');
  });

  it('shows changed, added and removed files in path order', () => {
    const diff = unifiedDiff(
      [
        { path: 't/x/values.yaml', content: 'a: 1\nb: 2\n' },
        { path: 't/x/old.yaml', content: 'gone\n' },
      ],
      [
        { path: 't/x/values.yaml', content: 'a: 1\nb: 3\n' },
        { path: 't/x/env/new.env', content: "A='1'\n" },
      ],
    );
    expect(diff).toBe(
      [
        '--- /dev/null',
        '+++ b/t/x/env/new.env',
        '@@ -0,0 +1,1 @@',
        "+A='1'",
        '--- a/t/x/old.yaml',
        '+++ /dev/null',
        '@@ -1,1 +0,0 @@',
        '-gone',
        '--- a/t/x/values.yaml',
        '+++ b/t/x/values.yaml',
        '@@ -1,2 +1,2 @@',
        ' a: 1',
        '-b: 2',
        '+b: 3',
        '',
      ].join('\n'),
    );
  });
});
