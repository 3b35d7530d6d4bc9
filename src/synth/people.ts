/**
 * Names and phone numbers that look real: surnames by their frequency in the 2020 census (the
 * hundred most common cover about 85% of people; per-mille shares), given names from characters
 * common in each generation, and mobile numbers from allocated prefixes weighted by carrier share.
 */
import { Rng, Weighted } from './random.ts';

const SURNAMES = new Weighted<string>([
  ['王', 71.2],
  ['李', 70.0],
  ['张', 67.0],
  ['刘', 54.0],
  ['陈', 45.0],
  ['杨', 31.0],
  ['黄', 22.0],
  ['赵', 20.0],
  ['吴', 18.0],
  ['周', 17.0],
  ['徐', 13.0],
  ['孙', 12.0],
  ['马', 11.0],
  ['朱', 10.0],
  ['胡', 9.0],
  ['郭', 8.0],
  ['何', 8.0],
  ['高', 7.0],
  ['林', 7.0],
  ['罗', 6.0],
  ['郑', 5.0],
  ['梁', 5.0],
  ['谢', 4.0],
  ['宋', 4.0],
  ['唐', 4.0],
  ['许', 4.0],
  ['韩', 4.0],
  ['冯', 3.5],
  ['邓', 3.5],
  ['曹', 3.2],
  ['彭', 3.2],
  ['曾', 3.1],
  ['肖', 3.0],
  ['田', 3.0],
  ['董', 3.0],
  ['袁', 2.8],
  ['潘', 2.7],
  ['于', 2.7],
  ['蒋', 2.6],
  ['蔡', 2.6],
  ['余', 2.5],
  ['杜', 2.5],
  ['叶', 2.4],
  ['程', 2.4],
  ['苏', 2.3],
  ['魏', 2.3],
  ['吕', 2.2],
  ['丁', 2.2],
  ['任', 2.1],
  ['沈', 2.0],
  ['姚', 2.0],
  ['卢', 2.0],
  ['姜', 2.0],
  ['崔', 1.9],
  ['钟', 1.9],
  ['谭', 1.8],
  ['陆', 1.8],
  ['汪', 1.7],
  ['范', 1.7],
  ['金', 1.6],
  ['石', 1.6],
  ['廖', 1.5],
  ['贾', 1.5],
  ['夏', 1.5],
  ['韦', 1.4],
  ['付', 1.4],
  ['方', 1.4],
  ['白', 1.3],
  ['邹', 1.3],
  ['孟', 1.3],
  ['熊', 1.3],
  ['秦', 1.2],
  ['邱', 1.2],
  ['江', 1.2],
  ['尹', 1.2],
  ['薛', 1.1],
  ['闫', 1.1],
  ['段', 1.1],
  ['雷', 1.0],
  ['侯', 1.0],
  ['龙', 1.0],
  ['史', 1.0],
  ['陶', 0.9],
  ['黎', 0.9],
  ['贺', 0.9],
  ['顾', 0.9],
  ['毛', 0.9],
  ['郝', 0.8],
  ['龚', 0.8],
  ['邵', 0.8],
  ['万', 0.8],
  ['钱', 0.8],
  ['严', 0.7],
  ['覃', 0.7],
  ['武', 0.7],
  ['戴', 0.7],
  ['莫', 0.6],
  ['孔', 0.6],
  ['向', 0.6],
  ['汤', 0.6],
  ['单', 0.4],
  ['解', 0.3],
  ['查', 0.2],
  ['欧阳', 0.3],
  ['司马', 0.05],
  ['上官', 0.05],
  ['诸葛', 0.04],
  ['东方', 0.03],
  ['皇甫', 0.03],
  ['令狐', 0.02],
]);

// Characters common in given names, by generation and sex.
const GIVEN = {
  parentFemale: '静丽敏燕艳娟霞芳娜婷玲丹萍红洁琳雪慧莹颖倩晶璐佳欣悦瑶蕾媛梅凤琴楠露晓薇',
  parentMale: '伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊峰帅亮龙林东海成志新建文',
  babyFemale: '梓涵一诺欣怡诗雨思语可馨子萱彤悦妍汐若依沐晴安然淑瑾芊语舒瑶紫嫣梦琪佳怡书',
  babyMale: '子轩浩宇宇航梓睿一鸣俊熙沐宸泽明博文皓天佑辰逸嘉懿煜城奕铭承泽思远晨阳景行',
} as const;

export type Generation = 'parent' | 'baby';

export function surname(rng: Rng): string {
  return SURNAMES.draw(rng);
}

export function givenName(rng: Rng, sex: 'male' | 'female', gen: Generation): string {
  const chars = [...GIVEN[`${gen}${sex === 'male' ? 'Male' : 'Female'}`]];
  const two = rng.chance(gen === 'baby' ? 0.88 : 0.7);
  const a = rng.pick(chars);
  if (!two) return a;
  let b = rng.pick(chars);
  // Reduplicated names (婷婷, 浩浩) are common for girls, rarer for boys.
  if (rng.chance(sex === 'female' ? 0.06 : 0.02)) b = a;
  return a + b;
}

export function fullName(rng: Rng, sex: 'male' | 'female', gen: Generation, family?: string): string {
  return (family ?? surname(rng)) + givenName(rng, sex, gen);
}

// Allocated prefixes weighted roughly by subscriber share (China Mobile > Unicom ≈ Telecom).
const PHONE_PREFIXES = new Weighted<string>([
  ['134', 3],
  ['135', 5],
  ['136', 5],
  ['137', 5],
  ['138', 6],
  ['139', 6],
  ['147', 1],
  ['150', 4],
  ['151', 4],
  ['152', 4],
  ['157', 2],
  ['158', 4],
  ['159', 4],
  ['178', 2],
  ['182', 3],
  ['183', 3],
  ['184', 1],
  ['187', 4],
  ['188', 3],
  ['198', 2],
  ['195', 1],
  ['130', 3],
  ['131', 3],
  ['132', 3],
  ['155', 3],
  ['156', 3],
  ['166', 2],
  ['175', 1],
  ['176', 2],
  ['185', 3],
  ['186', 4],
  ['133', 3],
  ['153', 2],
  ['173', 2],
  ['177', 2],
  ['180', 3],
  ['181', 3],
  ['189', 4],
  ['191', 1],
  ['199', 2],
  ['170', 0.5],
  ['171', 0.5],
  ['162', 0.2],
  ['165', 0.2],
  ['167', 0.2],
  ['192', 0.5],
]);

export function mobile(rng: Rng): string {
  return PHONE_PREFIXES.draw(rng) + rng.digits(8);
}
