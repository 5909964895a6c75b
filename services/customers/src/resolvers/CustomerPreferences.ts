import type { CustomerResolvers } from '../__generated__/resolvers-types.ts';

/** "HH:MM-HH:MM" as stored, as the window the API shows. */
function contactTimeWindow(text: string | null): { from: string; to: string } | null {
  const m = text ? /^(\d{2}:\d{2})-(\d{2}:\d{2})$/.exec(text) : null;
  return m?.[1] && m[2] ? { from: m[1], to: m[2] } : null;
}

/** Customer.preferences (src/schema/preferences.graphql): read from the customer row, no query of its own. */
export const CustomerPreferencesField: Pick<CustomerResolvers, 'preferences'> = {
  preferences: (c) => ({
    preferredChannel: c.preferred_channel,
    preferredLanguage: c.preferred_language,
    contactTime: contactTimeWindow(c.contact_time),
    interests: c.interests,
    educationLevel: c.education_level,
  }),
};
