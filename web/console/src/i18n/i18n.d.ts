import type { AREAS } from './resources.ts';

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'shell';
    resources: { [K in keyof typeof AREAS]: (typeof AREAS)[K]['zh-CN'] };
  }
}
