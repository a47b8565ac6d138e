export function chooseEntry(root: string): { entry: 'dist' | 'src'; stale: boolean };
