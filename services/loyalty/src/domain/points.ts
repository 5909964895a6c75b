import { addMonthsTo } from '@crm/service-kit';
/** Earned points expire this many months after they are earned (oldest first). */
export const POINTS_VALIDITY_MONTHS = 24;

/** The tier every new member starts in. */
export const ENTRY_TIER = 'BRONZE';

/** When points earned at `earnedAt` expire: the same day POINTS_VALIDITY_MONTHS later (end of month when shorter). */
export function expiryOf(earnedAt: Date, months = POINTS_VALIDITY_MONTHS): Date {
  return addMonthsTo(earnedAt, months);
}

const REFERRAL_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'; // no 0/O or 1/I: read over the phone

/** A referral code from random bytes: 8 characters, unambiguous when spoken. */
export function referralCodeFrom(bytes: Uint8Array): string {
  if (bytes.length < 8) throw new Error('referral code needs 8 random bytes');
  let code = '';
  for (let i = 0; i < 8; i++) code += REFERRAL_ALPHABET[(bytes[i] ?? 0) % REFERRAL_ALPHABET.length];
  return code;
}

/** Whether a birthday (YYYY-MM-DD) falls on a date; 29 February birthdays fall on 28 February in other years. */
export function isBirthday(birthDate: string, date: string): boolean {
  const md = birthDate.slice(5);
  if (md === date.slice(5)) return true;
  const year = Number(date.slice(0, 4));
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return md === '02-29' && !leap && date.slice(5) === '02-28';
}
