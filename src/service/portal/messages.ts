/**
 * The texts of the portal's messages, pure. A message names its recipient by number (the `to` of
 * the message) and says a code: no child's name, no record, no hospital — nothing that would tell
 * someone reading another's phone, or an SMS provider, about a family. The text is Chinese first,
 * as the families read it, and warns against the fraud the portal exists to fight: nobody from a
 * hospital or a clinic ever asks for this code.
 */
import type { OtpPurpose } from '../../store/repos/one-time-codes.ts';
import type { OutgoingMessage } from './message-gateway.ts';

export const OTP_TEMPLATE = 'portal.otp';

/** The SMS carrying a one-time code of the parents' portal (valid `minutes`). */
export function otpMessage(to: string, code: string, purpose: OtpPurpose, minutes: number): OutgoingMessage {
  const what = purpose === 'enrol' ? '注册家长门户' : '登录家长门户';
  return {
    channel: 'sms',
    to,
    template: OTP_TEMPLATE,
    text:
      `【Tracevault】验证码 ${code}，用于${what}，${minutes} 分钟内有效。` +
      '医院、接种门诊和客服都不会向您索要此验证码，请勿告诉任何人。',
  };
}
