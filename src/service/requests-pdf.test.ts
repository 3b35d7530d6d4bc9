import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyPdf, valueText } from './requests-pdf.ts';
import { pdfText } from '../../test/helpers/pdf-text.ts';

test('a record copy as PDF holds its Chinese and Latin text, every version', async () => {
  const pdf = await copyPdf({
    childId: 'r_test',
    recordType: 'birth',
    organizationId: null,
    createdAt: '2026-12-01T00:00:00.000Z',
    generatedAt: '2026-12-04T01:30:00.000Z',
    disclosureId: 'd_test',
    versions: [
      {
        field: 'babyName',
        version: 1,
        value: '王小明',
        validFrom: '2026-12-01T00:00:00.000Z',
        validTo: '2026-12-02T00:00:00.000Z',
        recordedAt: '2026-12-01T00:00:00.000Z',
      },
      {
        field: 'babyName',
        version: 2,
        value: '王晓明',
        validFrom: '2026-12-02T00:00:00.000Z',
        validTo: null,
        recordedAt: '2026-12-02T00:00:00.000Z',
      },
      {
        field: 'hospital',
        version: 1,
        value: 'Jinan <script>alert(1)</script>',
        validFrom: '2026-12-01T00:00:00.000Z',
        validTo: null,
        recordedAt: '2026-12-01T00:00:00.000Z',
      },
    ],
  });
  assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
  const text = await pdfText(pdf);
  for (const s of [
    '儿童个人信息副本',
    '王小明',
    '王晓明',
    '宝宝姓名',
    'r_test',
    'd_test',
    '<script>alert(1)</script>',
    '2026-12-04 09:30',
  ])
    assert.ok(text.includes(s), `${s} in the PDF's text`);
});

test('vaccinations in a record copy read by their Chinese and English names, not codes', async () => {
  const vaccinations = [
    { vaccine: 'HepB', dose: 1, date: '2026-12-01', clinic: '济南市妇幼保健院' },
    { vaccine: 'OLD-1', dose: 2, date: '2026-12-02', clinic: '某卫生院' },
  ];
  assert.equal(
    valueText(vaccinations),
    '乙肝疫苗 Hepatitis B vaccine · 第1剂 dose 1 · 2026-12-01 · 济南市妇幼保健院\n' +
      'OLD-1 · 第2剂 dose 2 · 2026-12-02 · 某卫生院',
  );
  const pdf = await copyPdf({
    childId: 'r_test',
    recordType: 'birth',
    organizationId: null,
    createdAt: '2026-12-01T00:00:00.000Z',
    generatedAt: '2026-12-04T01:30:00.000Z',
    disclosureId: 'd_test',
    versions: [
      {
        field: 'vaccinations',
        version: 1,
        value: vaccinations.slice(0, 1),
        validFrom: '2026-12-01T00:00:00.000Z',
        validTo: null,
        recordedAt: '2026-12-01T00:00:00.000Z',
      },
    ],
  });
  const text = await pdfText(pdf);
  for (const s of ['疫苗接种', '乙肝疫苗', 'Hepatitis B vaccine', '第1剂']) assert.ok(text.includes(s), s);
});
