export { eventually } from '@clustr-internal/test-utils';

export function clientIds(list: string, namePrefix: string): string[] {
  return list
    .split('\n')
    .filter((line) => new RegExp(`name=${namePrefix}\\S*`).test(line))
    .map((line) => /id=(\d+)/.exec(line)?.[1] ?? '');
}
