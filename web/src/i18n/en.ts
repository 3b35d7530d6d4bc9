/** The portal's words in English. Same keys as zh-CN.ts: a missing one does not compile. */
import type { Messages } from './resources.ts';

export const en: Messages = {
  app: {
    name: "Parents' portal",
    owner: 'Tracevault birth registry',
    skip: 'Skip to main content',
    pageTitle: "{{page}} · Parents' portal",
    footer: 'Only your own children’s records are shown here. We never call to ask for your code.',
  },
  settings: {
    group: 'Display settings',
    otherLanguage: '中文',
    largeText: 'Large text',
  },
  start: {
    title: 'See who has looked at your child’s details',
    lead:
      'When your child was born, the hospital registered your child’s and your details here. ' +
      'In the parents’ portal you can:',
    can1: 'see every time someone looked at those details, who and why;',
    can2: 'check that nobody has quietly changed that list;',
    can3: 'check whether a caller really is from the hospital or the vaccination clinic.',
    enrolTitle: 'First time here',
    enrolText:
      'You need the invitation code on the discharge or registration paper and the mobile number on the record.',
    enrolButton: 'Start with your code',
    loginTitle: 'Already enrolled',
    loginButton: 'Log in',
  },
  enrol: {
    title: 'Enter your invitation code and mobile number',
    lead:
      'The code is printed on the discharge or registration paper. ' +
      'The number must be the mother’s or father’s number on the child’s record.',
    code: 'Invitation code',
    codeHint: '16 letters and digits, like K7QM\u20113XPA\u2011W9RT\u2011HC4N. Capitals and dashes do not matter.',
    phone: 'Mobile number',
    phoneHint: 'An 11-digit mobile number, like 138\u00a00013\u00a08000.',
    submit: 'Send me a code',
  },
  login: {
    title: 'Log in',
    lead: 'Enter the mobile number you enrolled with. We will send a code to it.',
    phone: 'Mobile number',
    phoneHint: 'An 11-digit mobile number, like 138\u00a00013\u00a08000.',
    submit: 'Send me a code',
    noCode: 'Not enrolled yet? Start with your code',
  },
  verify: {
    title: 'Enter the code from the text message',
    lead: 'If {{phone}} is on the record, we have sent it a text message with a 6-digit code. It works for 10 minutes.',
    otp: 'Code',
    otpHint: '6 digits.',
    submit: 'Continue',
    again: 'Did not get a text? Send it again',
    warning: 'Anyone who calls you and asks for this code is a fraudster.',
  },
  home: {
    title: 'Your family',
    children_one: 'You are enrolled for {{count}} child.',
    children_other: 'You are enrolled for {{count}} children.',
    none: 'You are not enrolled for any child yet.',
    child: 'Child {{n}}',
    relation: { mother: 'You are the mother', father: 'You are the father' },
    enrolledAt: 'Enrolled on {{date}}',
    comingTitle: 'Coming soon',
    comingLead: 'These are being built and do not work yet:',
    coming: {
      history: 'Who has looked at your child’s details, with proof',
      caller: 'Check whether a caller is genuine',
      report: 'Report a suspicious call',
      rights: 'Ask for a copy, a correction or the deletion of your child’s details',
    },
    logout: 'Log out',
    expired: 'You have been logged out. Please log in again.',
  },
  ledger: {
    title: 'Checking the record book',
    checking: 'Checking the record book…',
    verified: 'Verified: the record book is complete and has not been changed.',
    verifiedDetail_one:
      'The record book holds {{size}} entries, signed by the registry and confirmed by {{count}} independent witness.',
    verifiedDetail_other:
      'The record book holds {{size}} entries, signed by the registry ' +
      'and confirmed by {{count}} independent witnesses.',
    verifiedNoWitness:
      'The record book holds {{size}} entries, signed by the registry. It has no independent witness yet.',
    consistent: 'It still contains all {{size}} entries this phone checked last time.',
    firstVisit:
      'This is the first check on this phone. Next time it will also check that nothing was removed or changed.',
    altered: 'This history may have been altered.',
    alteredDetail:
      'The signatures or proofs of the record book do not match. ' +
      'Do not rely on what is shown here, and contact the registry.',
    reason: 'What does not match: {{reason}}',
    alteredReason: {
      malformed: 'the record book is not in the right format.',
      signature: 'a signature of the registry or of a witness does not match.',
      origin: 'this is not the record book this page trusts.',
      witnesses: 'the independent witnesses have not confirmed it.',
      rollback: 'the record book has fewer entries than when this phone last checked it.',
      fork: 'the same number of entries, but not the ones this phone checked last time.',
      consistency: 'the new record book cannot prove it still holds every entry checked last time.',
    },
    unavailable: 'The record book cannot be checked right now.',
    unavailableReason: {
      'no-keys': 'This page came without the registry’s public key.',
      'no-webcrypto': 'This browser cannot check over an insecure connection. Use the https address.',
      'no-checkpoint': 'The record book has no signed entries yet.',
      network: 'There is a problem with the connection. Try again later.',
    },
  },
  errors: {
    title: 'There is a problem',
    required: 'Enter your {{field}}.',
    phone: 'Enter an 11-digit mobile number, like 138\u00a00013\u00a08000.',
    code: 'The invitation code is 16 letters and digits, like K7QM\u20113XPA\u2011W9RT\u2011HC4N.',
    otp: 'The code is 6 digits.',
    wrongOtp: 'The code is wrong or has expired. Check it and try again, or get a new code.',
    rateLimited: 'Too many tries. Wait a while and try again.',
    network: 'There is a problem with the connection. Try again later.',
    generic: 'Something went wrong. Try again later.',
  },
  notFound: {
    title: 'Page not found',
    text: 'If you typed the address, check it is correct.',
    back: "Go to the parents' portal home",
  },
};
