/**
 * The SMS that tells a guardian a breach notice is waiting (PIPL art. 57), pure. Like every portal
 * message (messages.ts) it names no child, no field, no hospital, nothing of the leak: only that a
 * notice is in the parents' portal, and the warning the notice is about. The recipient's own number
 * is its only personal value.
 */
import type { OutgoingMessage } from './message-gateway.ts';

export const NOTICE_TEMPLATE = 'portal.breach_notice';

export function noticeMessage(to: string): OutgoingMessage {
  return {
    channel: 'sms',
    to,
    template: NOTICE_TEMPLATE,
    text:
      '【Tracevault】您孩子的部分登记信息可能已被泄露。请登录家长门户查看“泄露通知”，了解泄露了什么和您可以怎么做。' +
      '如有人来电说出孩子的出生时间等信息，请先在门户核验来电是否真实。本短信不含链接，请勿回复验证码。',
  };
}
