/**
 * A child's record copy as a PDF (pdfkit), for a parent to keep or print: every version of every
 * field, with when it was true and when it was recorded, and the disclosure this copy is. Chinese
 * text needs a CJK font: Debian's Noto Sans CJK (package fonts-noto-cjk, which .ci/run installs),
 * or the OpenType/TrueType file named by TRACEVAULT_CJK_FONT. Without one the copy is refused
 * (ERR_INTERNAL): a PDF of empty boxes would be no copy at all. Only the glyphs used are embedded.
 */
import { existsSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import { TracevaultError } from '../errors.ts';
import { vaccineByCode } from '../schema/vaccines.ts';
import type { RecordCopy } from './requests.ts';

const NOTO = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc';
/** The Simplified Chinese face of the collection. */
const NOTO_FACE = 'NotoSansCJKsc-Regular';

/** Field names as a parent reads them (the birth record type's fields; others are shown by name). */
export const FIELD_LABELS: Readonly<Record<string, string>> = {
  babyName: '宝宝姓名 Baby’s name',
  babySex: '性别 Sex',
  birthTime: '出生时间 Birth time',
  babyResidentId: '宝宝身份证号 Baby’s resident id',
  birthCertificateNo: '出生医学证明编号 Birth certificate no.',
  hospital: '医院 Hospital',
  ward: '病区 Ward',
  bed: '床位 Bed',
  motherName: '母亲姓名 Mother’s name',
  motherResidentId: '母亲身份证号 Mother’s resident id',
  motherPhone: '母亲手机 Mother’s phone',
  fatherName: '父亲姓名 Father’s name',
  fatherResidentId: '父亲身份证号 Father’s resident id',
  fatherPhone: '父亲手机 Father’s phone',
  address: '家庭住址 Home address',
  dischargeTime: '出院时间 Discharge time',
  vaccinations: '疫苗接种 Vaccinations',
};

function fontFile(): { path: string; face?: string } {
  const own = process.env.TRACEVAULT_CJK_FONT;
  if (own) return { path: own };
  if (existsSync(NOTO)) return { path: NOTO, face: NOTO_FACE };
  throw new TracevaultError('ERR_INTERNAL');
}

/** Asia/Shanghai wall time of an instant, as a parent reads it: 2026-12-04 09:30. */
function local(iso: string | null): string {
  if (!iso) return '至今 now';
  const d = new Date(Date.parse(iso) + 8 * 3600_000);
  return d.toISOString().slice(0, 16).replace('T', ' ');
}

/** A dose as a parent reads it: 乙肝疫苗 Hepatitis B vaccine · 第1剂 dose 1 · 2026-01-02 · the clinic. */
function doseText(v: Record<string, unknown>): string {
  const code = String(v.vaccine);
  const known = vaccineByCode(code);
  const name = known ? `${known.zh} ${known.en}` : code;
  return [name, `第${String(v.dose)}剂 dose ${String(v.dose)}`, v.date, v.clinic]
    .filter((x) => x !== undefined && x !== '')
    .join(' · ');
}

/** A stored value as text: a list one item a line (a vaccination by its vaccine's names, not its code). */
export function valueText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value))
    return value
      .map((v) => {
        if (!v || typeof v !== 'object') return String(v);
        const o = v as Record<string, unknown>;
        return typeof o.vaccine === 'string' ? doseText(o) : Object.values(o).join(' ');
      })
      .join('\n');
  return JSON.stringify(value);
}

/** The PDF bytes of a record copy. */
export async function copyPdf(copy: RecordCopy): Promise<Buffer> {
  const font = fontFile();
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    info: { Title: 'Record copy', Producer: 'Tracevault', Creator: 'Tracevault' },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });
  doc.registerFont('cjk', font.path, font.face);
  doc.font('cjk');
  doc.fontSize(18).text('儿童个人信息副本 Copy of your child’s record');
  doc.moveDown(0.5).fontSize(10);
  doc.text(`记录编号 Record id: ${copy.childId}`);
  doc.text(`生成时间 Generated: ${local(copy.generatedAt)} (UTC+8)`);
  doc.text(`披露编号 Disclosure id: ${copy.disclosureId}`);
  doc.text('本副本的提供已记入访问记录。This copy is recorded as a disclosure to you and appears in the history.');
  let field = '';
  for (const v of copy.versions) {
    if (v.field !== field) {
      field = v.field;
      doc
        .moveDown(0.8)
        .fontSize(13)
        .text(FIELD_LABELS[field] ?? field);
      doc.fontSize(10);
    }
    doc.moveDown(0.2).text(valueText(v.value), { indent: 12 });
    doc.fillColor('#555555');
    doc.text(
      `第 ${v.version} 版 version ${v.version} · 有效 valid ${local(v.validFrom)} – ${local(v.validTo)} · ` +
        `记录于 recorded ${local(v.recordedAt)}`,
      { indent: 12 },
    );
    doc.fillColor('#000000');
  }
  doc.end();
  await ended;
  return Buffer.concat(chunks);
}
