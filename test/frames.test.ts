// What a message asks for, by the meaning of its words (knowledge/frames.ts): the frames of the
// shipped knowledge/frames/frames.yaml on wordings the intent phrasings do not contain, the
// look-alikes that must stay questions, and the file's validation.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { framesOf, loadFrames } from '../knowledge/frames.js';
import type { InProcessBot } from '../bot/cli/in-process.js';
import { demoBot } from './support/bot.js';

const frames = loadFrames(path.join(import.meta.dirname, '..', 'knowledge', 'frames', 'frames.yaml'));
const of = (text: string) => framesOf(text, frames);

describe('a request for a person', () => {
  it.each([
    'Vai kāds no jūsu juristiem varētu ar mani sazināties?',
    'lūdzu pārsūtiet šo sarunu speciālistam',
    'gribētu parunāt ar inspektoru',
    'operatoru!',
    'konsultantu lūdzu',
    'Man vajag dzīvu cilvēku, ne čatbotu',
    'could a staff member call me back tomorrow?',
    'пожалуйста, соедините меня с сотрудником',
    'mozhno pogovoritj s sotrudnikom?',
    // Russian in Latin letters is matched through the Cyrillic cues' spellings.
    'nuzhen operator, pozovite pozhalujsta',
    'Lūdzu atzvanīšanu rīt no rīta',
  ])('"%s" asks for a person', (text) => {
    expect(of(text)).toContain('handover');
  });

  it.each([
    // The citizen's own or an employer's staff: a question about them, not a request for ours.
    'Vai darba devējs drīkst piezvanīt darbiniekam atvaļinājuma laikā?',
    'Vai mūsu darbinieki drīkst runāt ar klientiem par viņu datiem?',
    'Kā sazināties ar uzņēmuma datu aizsardzības speciālistu?',
    'darbinieku dati',
    // Asking what the bot is is not asking for a person.
    'are you a real person or a bot?',
    // "vadītājs" is also a driver.
    'vadītāja tiesības pazaudētas, ko tagad darīt',
  ])('"%s" does not', (text) => {
    expect(of(text)).not.toContain('handover');
  });
});

describe('an attempt to obtain protected information', () => {
  it.each([
    'Kas uz mani uzrakstīja iesniegumu? Gribu zināt.',
    'Pasakiet, kur dzīvo inspektors, kurš bija pie mums',
    'vajag kaimiņa telefona numuru',
    'tell me the home address of the inspector',
    'gribu redzēt informāciju par manu kaimiņu',
    // A person named by name and surname, whoever they are.
    'Kāds ir Annas Ozolas personas kods?',
    'kakoj lichnyj kod u moego soseda',
    // Who among other people turned to an authority.
    'Kurš no īrniekiem sūdzējās par mani?',
    'which of the neighbours reported us to you',
    // Another person's detail by a pronoun, the person in the sentence before.
    'Mans brālis pārvācās un neatbild. Kāds ir viņa telefons tagad?',
    // … with a word between the pronoun and the detail.
    'Bijusī sieva aizbrauca ar bērniem. Kāda ir viņas jaunā adrese?',
    // A yes/no question about a person named.
    'Vai mana darbiniece Inese Kalna tiešām ir slima?',
  ])('"%s" is one', (text) => {
    expect(of(text)).toContain('protected');
  });

  it.each([
    'Kā iesniegt sūdzību par kaimiņa videokameru?',
    'Kaimiņš publicēja manu adresi internetā, ko darīt?',
    'Kāda ir inspekcijas adrese?',
    'Gribu zināt, kādus datus par mani glabā banka',
    // The name is the writer's signature, in a sentence of its own.
    'Vai drīkst publicēt manu adresi? Ar cieņu, Anna Ozola',
    // Whether it is allowed is a compliance question, whoever the detail is about.
    'Kurš no darbiniekiem sūdzējās, vai drīkst to noskaidrot pēc likuma?',
    'Mans darbinieks ir slims. Vai drīkst uzzināt viņa diagnozi?',
    'Mans darbinieks pārcēlās. Vai drīkst uzzināt viņa jauno adresi?',
    'Mans priekšnieks uzzināja manu jauno adresi. Vai viņam drīkst to zināt?',
    // The detail is the citizen's own.
    'Kolēģis Jānis Ozols izpauda manu diagnozi visam birojam',
    'Es atļāvu ārstam stāstīt par manu diagnozi brālim, bet gribu to atsaukt',
    // A plan to complain is not a question about who complained.
    'Kam sūdzēties, ja kaimiņš filmē manu pagalmu?',
  ])('"%s" is a question about one’s own rights', (text) => {
    expect(of(text)).not.toContain('protected');
  });
});

describe('a threat to the agency', () => {
  it.each([
    'Es atnākšu uz jūsu biroju un sadauzīšu jums purnus',
    'vēl viens atteikums un jūs to nožēlosiet',
    'I know where your office is.',
    'если не ответите, разнесу ваш офис',
    'lai jūsu birojs nodeg',
  ])('"%s" is one', (text) => {
    expect(of(text)).toContain('threat');
  });

  it.each(['Kaimiņš draud mani piekaut, ko darīt?', 'Es zinu, kur ir jūsu birojs, bet kad tas ir atvērts?', 'Nožēloju, ka neuzrakstīju jums agrāk.'])(
    '"%s" is not',
    (text) => {
      expect(of(text)).not.toContain('threat');
    },
  );
});

describe('the frames file', () => {
  it('names the concept a rule refers to but the file does not define', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'frames-'));
    const file = path.join(dir, 'frames.yaml');
    writeFileSync(file, 'concepts:\n  person: [darbiniek]\nframes:\n  handover:\n    - all: [person, contact]\n');
    expect(() => loadFrames(file)).toThrow(/unknown concept \W{0,2}contact/);
    writeFileSync(file, 'concepts:\n  person: [par @nobody]\nframes:\n  handover:\n    - all: [person]\n');
    expect(() => loadFrames(file)).toThrow(/unknown concept \W{0,2}@nobody/);
    // "*" stands for a word between two others: alone or at an end it would match every message.
    writeFileSync(file, 'concepts:\n  person: ["darbiniek *"]\nframes:\n  handover:\n    - all: [person]\n');
    expect(() => loadFrames(file)).toThrow(/between two others/);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('in a conversation', () => {
  let bot: InProcessBot;
  afterEach(async () => bot?.close());

  it('a request for a person in Russian is a handover, not a language the agency does not offer; a threat is conduct; a complaint about a camera is not a request for protected information', async () => {
    bot = demoBot();
    expect((await bot.say('можно поговорить с живым сотрудником?')).decision?.decision.kind).toBe('handover');
    expect((await bot.say('I know where your office is. See you soon.')).decision?.decision.kind).toBe('conduct');
    expect((await bot.say('Kā iesniegt sūdzību par kaimiņa videokameru?')).decision?.decision.kind).not.toBe('protected');
  });
});
