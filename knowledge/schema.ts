// The shapes of everything the knowledge keepers write: agency profiles, knowledge entries and the
// shared referral directory. Parsed with zod so a typo in a YAML file is reported, not obeyed.
import { z } from 'zod';

/** Languages the bot may have texts for. Latvian is always first and always required. */
export const LANGUAGE_CODES = ['lv', 'en', 'ru', 'uk', 'de', 'lt', 'et', 'pl', 'fr'] as const;
export type LanguageCode = (typeof LANGUAGE_CODES)[number];
export const languageCode = z.enum(LANGUAGE_CODES);

const nonEmpty = z.string().trim().min(1);
/** A calendar date written as YYYY-MM-DD (YAML may hand us a Date object; accept both). */
export const isoDate = z.preprocess((v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v), z.iso.date());

/** Text per language. Latvian is mandatory; other languages are checked by kb:check. */
export const localized = z
  .object({ lv: nonEmpty })
  .catchall(nonEmpty)
  .refine((o) => Object.keys(o).every((k) => (LANGUAGE_CODES as readonly string[]).includes(k)), {
    message: `language keys must be among ${LANGUAGE_CODES.join(', ')}`,
  });
export type Localized = z.infer<typeof localized>;

const phraseList = z.array(nonEmpty).min(1);
export const localizedList = z
  .object({ lv: phraseList })
  .catchall(phraseList)
  .refine((o) => Object.keys(o).every((k) => (LANGUAGE_CODES as readonly string[]).includes(k)), {
    message: `language keys must be among ${LANGUAGE_CODES.join(', ')}`,
  });
export type LocalizedList = z.infer<typeof localizedList>;

/** Where a fact comes from: a public URL or a point of a document (e.g. "seed 003 §24"). */
export const source = z.union([z.url({ protocol: /^https?$/ }), z.string().regex(/^[^\s].*\S$/, 'a URL or a document point such as "DVI standard 2017 §24"')]);

export const link = z.object({
  url: z.url({ protocol: /^https?$/ }),
  title: localized,
});

/** Entry ids are stable, lower-case, dotted: `dvi.data-complaint`, `smalltalk.thanks`. */
export const entryId = z.string().regex(/^[a-z0-9]+(?:[.-][a-z0-9]+)*$/, 'lower-case words joined by "." or "-"');

export const knowledgeEntry = z
  .object({
    id: entryId,
    /** `topic`: an answer within competence; `smalltalk`: greetings, thanks, "are you a robot". */
    kind: z.enum(['topic', 'smalltalk']).default('topic'),
    questions: localizedList,
    keywords: localizedList.optional(),
    answer: localized,
    links: z.array(link).default([]),
    sources: z.array(source).min(1),
    owner: nonEmpty,
    reviewed: isoDate,
    followUps: z.array(entryId).default([]),
    /** The question usually needs a person (a personal case): always offer a staff member. */
    offerStaff: z.boolean().default(false),
  })
  .strict();
export type KnowledgeEntry = z.infer<typeof knowledgeEntry>;

export const contacts = z
  .object({
    website: z.url({ protocol: /^https?$/ }).optional(),
    phone: nonEmpty.optional(),
    email: z.email().optional(),
    /** Official e-address (e-adrese) of a Latvian institution. */
    eAddress: nonEmpty.optional(),
    address: nonEmpty.optional(),
    hours: localized.optional(),
    sources: z.array(source).min(1),
    verified: isoDate,
  })
  .strict();
export type Contacts = z.infer<typeof contacts>;

/** An agency's folder name under knowledge/agencies/: its id everywhere (tokens, records, staff, URLs). */
export const AGENCY_FOLDER = /^[a-z0-9-]{1,40}$/;
export const agencyFolder = z.string().regex(AGENCY_FOLDER, 'a folder name under knowledge/agencies: lower-case letters, digits, dashes');

export const authority = z
  .object({
    id: entryId,
    name: localized,
    /** What it is competent for, in plain words (shown to nobody; used for matching and review). */
    competence: localized,
    questions: localizedList,
    keywords: localizedList.optional(),
    contacts,
    /** Refer at once, before anything else (fire, accident, life in danger → 112). */
    emergency: z.boolean().default(false),
    /**
     * The agency folder (knowledge/agencies/<id>) that answers for this body when the installation
     * serves it: the citizen may then continue the conversation with it here, not only be told its
     * contacts.
     */
    agency: agencyFolder.optional(),
  })
  .strict();
export type Authority = z.infer<typeof authority>;

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM');
const interval = z.tuple([clock, clock]);
export const weekHours = z
  .object({
    mon: z.array(interval).default([]),
    tue: z.array(interval).default([]),
    wed: z.array(interval).default([]),
    thu: z.array(interval).default([]),
    fri: z.array(interval).default([]),
    sat: z.array(interval).default([]),
    sun: z.array(interval).default([]),
  })
  .strict();

export const agencyProfile = z
  .object({
    id: entryId,
    name: localized,
    shortName: localized.optional(),
    /** The name in the genitive ("Datu valsts inspekcijas"), for Latvian sentences such as
     *  "… nav Datu valsts inspekcijas kompetencē". Falls back to the name. */
    nameGenitive: localized.optional(),
    /** One paragraph: what the agency is competent for. Used to explain referrals and the greeting. */
    competence: localized,
    /** What the bot can help with, listed in the greeting and for "what can you do". */
    topics: localizedList,
    contacts,
    /** Languages at least one staff member speaks (until staff records exist). Latvian first. */
    staffLanguages: z
      .array(languageCode)
      .min(1)
      .refine((l) => l[0] === 'lv', 'Latvian must come first'),
    timeZone: z.string().default('Europe/Riga'),
    /** When staff answer chats: a person is offered live only then (the handover calendar). */
    chatHours: z.object({ hours: weekHours, source }).strict(),
    /** Days the government moves (a working Saturday, a bridge day off) and other changes to the
     *  Latvian public holidays that date-holidays does not know. */
    holidayOverrides: z
      .array(
        z
          .object({
            date: isoDate,
            /** true: a working day (e.g. a Saturday worked instead of a bridge day); false: a day off. */
            working: z.boolean(),
            note: nonEmpty.optional(),
            source: source.optional(),
            /** Staff hours on a working day that has none in chatHours (a moved Saturday). */
            hours: z.array(interval).optional(),
          })
          .strict(),
      )
      .default([]),
    /** The agency mailbox left questions (cases) are mailed to; default: contacts.email. */
    mailbox: z.email().optional(),
    /** Published phone-consultation hours (R16), told beside the phone number. */
    phoneConsultations: z.object({ text: localized, source }).strict().optional(),
    /** Working days within which a left question is answered (R4). */
    answerWithinWorkingDays: z.number().int().min(1).max(30).default(2),
    /** How a complaint about the service is made, and how a decision is contested (R7). */
    complaints: z.object({ service: localized, appeal: localized, sources: z.array(source).min(1) }).strict(),
    /** Minutes the bot stays silent after ending an abusive conversation (R6). */
    coolingOffMinutes: z.number().int().min(1).max(10_080).default(60),
    /** Days after which a knowledge entry counts as due for review. */
    reviewIntervalDays: z.number().int().min(1).default(365),
    /** Days transcripts, cases and feedback are kept (R8). */
    retentionDays: z.number().int().min(1).default(90),
    /**
     * The agency's Facebook Page, whose Messenger conversations this agency answers (one app may
     * serve several Pages; each Page's access token is configuration, FACEBOOK_PAGE_TOKENS).
     */
    facebookPage: z
      .object({ id: z.string().regex(/^\d{1,30}$/, "the Page's numeric id"), source })
      .strict()
      .optional(),
  })
  .strict();
export type AgencyProfile = z.infer<typeof agencyProfile>;
