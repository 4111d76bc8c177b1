import type { LeaveReason, Member } from '@clustr/core';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Bytes with a binary unit: `512B`, `48.9K`, `61.2M`, `1.5G`. */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return '-';
  if (bytes < 1024) return `${bytes}B`;
  const units = ['K', 'M', 'G', 'T'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)}${units[unit]}`;
}

/** A duration as `45s`, `12m03s`, `3h12m`, `2d04h`. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const pad = (n: number) => String(n).padStart(2, '0');
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${pad(seconds % 60)}s`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h${pad(Math.floor(seconds / 60) % 60)}m`;
  return `${Math.floor(seconds / 86_400)}d${pad(Math.floor(seconds / 3600) % 24)}h`;
}

/** A rate per second: `0`, `0.5`, `12`, `3.4k`; `-` when unknown. */
export function formatRate(rate: number | undefined): string {
  if (rate === undefined) return '-';
  if (rate === 0) return '0';
  if (rate < 10) return rate.toFixed(1);
  if (rate < 10_000) return String(Math.round(rate));
  return `${(rate / 1000).toFixed(1)}k`;
}

/**
 * The id a person reads: `master` (or `master@host:pid` when several masters are shown), the
 * first 8 characters of a UUID (what `clustr kill` takes as a prefix), any other id whole.
 */
export function shortId(member: Member, masters: number): string {
  if (member.workerId === 'master') return masters > 1 ? member.id : 'master';
  return UUID.test(member.id) ? member.id.slice(0, 8) : member.id;
}

/** Why a member left, in a word or two: `exit 3`, `SIGKILL`, `closed`, `timeout`. */
export function formatReason(reason: LeaveReason): string {
  if (reason.kind !== 'exit') return reason.kind;
  return reason.signal ?? `exit ${reason.code ?? '?'}`;
}
