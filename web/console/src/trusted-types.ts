/**
 * The page's one Trusted Types policy, `default` (the only one its content-security policy allows:
 * src/server/console-static.ts, docs/adr/0024-staff-console.md). Ant Design writes its run-time
 * styles into <style> elements with `innerHTML`; under `require-trusted-types-for 'script'` every
 * such string passes through this policy, which lets through text with no `<` in it (CSS; text that
 * cannot make an element, so no script) and refuses anything else, and refuses every script and
 * script URL. Imported first by main.tsx, before antd makes a style.
 */
interface TrustedTypePolicyFactoryLike {
  createPolicy(
    name: string,
    rules: {
      createHTML?: (s: string) => string | null;
      createScript?: (s: string) => string | null;
      createScriptURL?: (s: string) => string | null;
    },
  ): unknown;
}

const factory = (globalThis as { trustedTypes?: TrustedTypePolicyFactoryLike }).trustedTypes;

/** Markup-free text only: a `<` could open an element. */
export const markupFree = (s: string): string | null => (s.includes('<') ? null : s);

if (factory) {
  factory.createPolicy('default', { createHTML: markupFree, createScript: () => null, createScriptURL: () => null });
}
