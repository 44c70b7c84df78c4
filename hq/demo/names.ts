// Names for the demo chain: common Chinese surnames and given-name characters with pinyin (so
// nameEn is searchable), a share of English names, and shoe names per category.
import { type Category } from '../../shared/domain.ts';
import { type Prng } from '../../shared/prng.ts';

const SURNAMES: readonly (readonly [string, string, number])[] = [
  ['王', 'Wang', 10], ['李', 'Li', 10], ['张', 'Zhang', 9], ['刘', 'Liu', 7], ['陈', 'Chen', 7], ['杨', 'Yang', 5],
  ['黄', 'Huang', 4], ['赵', 'Zhao', 4], ['吴', 'Wu', 4], ['周', 'Zhou', 4], ['徐', 'Xu', 3], ['孙', 'Sun', 3],
  ['马', 'Ma', 3], ['朱', 'Zhu', 3], ['胡', 'Hu', 3], ['郭', 'Guo', 3], ['何', 'He', 2], ['高', 'Gao', 2],
  ['林', 'Lin', 2], ['罗', 'Luo', 2], ['郑', 'Zheng', 2], ['梁', 'Liang', 2], ['谢', 'Xie', 2], ['宋', 'Song', 2],
  ['唐', 'Tang', 2], ['许', 'Xu', 1], ['韩', 'Han', 1], ['冯', 'Feng', 1], ['邓', 'Deng', 1], ['曹', 'Cao', 1],
];

const GIVEN: readonly (readonly [string, string])[] = [
  ['伟', 'wei'], ['芳', 'fang'], ['娜', 'na'], ['敏', 'min'], ['静', 'jing'], ['丽', 'li'], ['强', 'qiang'], ['磊', 'lei'],
  ['军', 'jun'], ['洋', 'yang'], ['勇', 'yong'], ['艳', 'yan'], ['杰', 'jie'], ['娟', 'juan'], ['涛', 'tao'], ['明', 'ming'],
  ['超', 'chao'], ['秀', 'xiu'], ['霞', 'xia'], ['平', 'ping'], ['刚', 'gang'], ['桂', 'gui'], ['英', 'ying'], ['华', 'hua'],
  ['玉', 'yu'], ['兰', 'lan'], ['婷', 'ting'], ['雪', 'xue'], ['晨', 'chen'], ['宇', 'yu'], ['浩', 'hao'], ['欣', 'xin'],
  ['怡', 'yi'], ['佳', 'jia'], ['子', 'zi'], ['涵', 'han'], ['梓', 'zi'], ['萱', 'xuan'], ['博', 'bo'], ['文', 'wen'],
  ['思', 'si'], ['雨', 'yu'], ['嘉', 'jia'], ['鑫', 'xin'], ['然', 'ran'], ['悦', 'yue'], ['琪', 'qi'], ['凯', 'kai'],
  ['一', 'yi'], ['诺', 'nuo'], ['俊', 'jun'], ['晓', 'xiao'], ['颖', 'ying'], ['斌', 'bin'], ['慧', 'hui'], ['鹏', 'peng'],
];

const ENGLISH_FIRST = ['Emily', 'Grace', 'Kevin', 'Jason', 'Lucy', 'Amy', 'Tony', 'Vivian', 'Eric', 'Cindy', 'David', 'Sophie', 'Leo', 'Mia', 'Jack', 'Anna'];
const ENGLISH_LAST = ['Smith', 'Johnson', 'Brown', 'Taylor', 'Wilson', 'Martin', 'Lee', 'Walker', 'Müller', 'Dubois', 'Rossi', 'Tanaka'];

export interface DemoName {
  name: string;
  nameEn: string;
}

export function demoName(rng: Prng): DemoName {
  const roll = rng.next();
  if (roll < 0.06) {
    // A foreign member: the name is the English one.
    const n = `${rng.pick(ENGLISH_FIRST)} ${rng.pick(ENGLISH_LAST)}`;
    return { name: n, nameEn: n };
  }
  const [surname, surnameEn] = rng.weighted(SURNAMES.map(([zh, en, w]) => [[zh, en] as const, w] as const));
  const parts = rng.chance(0.7) ? [rng.pick(GIVEN), rng.pick(GIVEN)] : [rng.pick(GIVEN)];
  const given = parts.map((p) => p[0]).join('');
  const pinyin = parts.map((p) => p[1]).join('');
  const givenEn = pinyin.charAt(0).toUpperCase() + pinyin.slice(1);
  // Some members go by an English first name at the counter.
  const nameEn = roll < 0.2 ? `${rng.pick(ENGLISH_FIRST)} ${surnameEn}` : `${surnameEn} ${givenEn}`;
  return { name: `${surname}${given}`, nameEn };
}

export const STYLE_WORDS: Record<Category, readonly (readonly [string, string])[]> = {
  running: [['疾风', 'Swift'], ['云跑', 'Cloudrun'], ['飞驰', 'Dash'], ['轻羽', 'Featherlite'], ['破风', 'Windbreaker'], ['马拉松', 'Marathon'], ['竞速', 'Racer'], ['缓震', 'Cushion']],
  basketball: [['飞人', 'Skyline'], ['扣篮', 'Dunk'], ['战靴', 'Court King'], ['突破', 'Crossover'], ['篮板', 'Rebound'], ['全明星', 'All-Star']],
  retro: [['复古', 'Heritage'], ['经典', 'Classic'], ['怀旧', 'Vintage'], ['老爹', 'Dad Runner'], ['德训', 'Trainer 72'], ['阿甘', 'Cortez']],
  casual: [['板鞋', 'Court Low'], ['帆布', 'Canvas'], ['乐福', 'Loafer'], ['一脚蹬', 'Slip-on'], ['小白鞋', 'Clean White'], ['休闲', 'Weekend']],
  kids: [['小飞侠', 'Little Flyer'], ['魔术贴', 'Easy Strap'], ['学步', 'First Steps'], ['童趣', 'Playground'], ['闪灯', 'Light-up']],
};

export const COLORWAYS: readonly { code: string; name: string }[] = [
  { code: 'BLK', name: '黑色 Black' },
  { code: 'WHT', name: '白色 White' },
  { code: 'GRY', name: '灰色 Grey' },
  { code: 'NVY', name: '藏青 Navy' },
  { code: 'RED', name: '红色 Red' },
  { code: 'BLU', name: '蓝色 Blue' },
  { code: 'GRN', name: '绿色 Green' },
  { code: 'PNK', name: '粉色 Pink' },
  { code: 'BEI', name: '米色 Beige' },
  { code: 'ORG', name: '橙色 Orange' },
];
