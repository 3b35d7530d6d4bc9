/**
 * The nonce of this page's styles (docs/adr/0024-staff-console.md), written into it by the server as
 * <meta name="tracevault-csp-nonce"> (src/server/console-static.ts): antd is given it
 * (ConfigProvider `csp`), and so is every <style> element the page's own code makes, because some
 * of antd's parts make theirs without asking (the scroll lock of a drawer or a dialog, the scroll
 * bar's measure: @rc-component/util's updateCSS). A <style> that arrives as markup gets none, and
 * the policy drops it; no script can arrive at all (script-src 'self', Trusted Types).
 */
export const STYLE_NONCE = document.querySelector<HTMLMetaElement>('meta[name="tracevault-csp-nonce"]')?.content ?? '';

if (STYLE_NONCE) {
  const proto = Document.prototype as unknown as {
    createElement: (this: Document, tag: string, options?: ElementCreationOptions) => HTMLElement;
  };
  const create = proto.createElement;
  proto.createElement = function (this: Document, tag: string, options?: ElementCreationOptions) {
    const el = create.call(this, tag, options);
    if (el instanceof HTMLStyleElement) el.nonce = STYLE_NONCE;
    return el;
  };
}
