import type { Address } from './api.js';

export function who(address: Address | undefined): string {
  if (address === undefined || (address.Name === '' && address.Address === '')) return '(nobody)';
  return address.Name !== '' ? address.Name : address.Address;
}

export function fullAddress(address: Address): string {
  return address.Name !== '' ? `${address.Name} <${address.Address}>` : address.Address;
}

export function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Today: the time; otherwise the date (the full timestamp goes in the title). */
export function when(iso: string, now = new Date()): string {
  const date = new Date(iso);
  const sameDay = date.toDateString() === now.toDateString();
  return sameDay
    ? date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
    : date.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
}

/** http(s) URLs in plain text, for the text tab's clickable links. */
export const URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/g;
